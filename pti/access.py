"""The one access rule of PTI: "may this user do this to this object?"

Views, API permission classes, templates (through the `can` filter) and the querysets of what a user may
edit all call these functions; nothing else looks at roles.

- referent: reads everything; edits the actions he is referent of and every action of an axe he is
  thematic referent of, with their yearly reports (until the year's bilan is approved);
- COPIL member: reads everything, edits nothing;
- département staff: edits everything, manages COPILs, decisions, bilans, campaigns and the partners' directory;
- the owner of a COPIL decision (whatever his role): updates its follow-up and status, nothing else of it;
- administrator: everything staff can do, plus Django's admin and the users.
"""

from pti.enums import Role

VIEW = "view"
EDIT_ACTION = "edit_action"
EDIT_REPORT = "edit_report"
MANAGE_PILOTAGE = "manage_pilotage"
MANAGE_BILANS = "manage_bilans"
MANAGE_PACTES = "manage_pactes"
MANAGE_PARTNERS = "manage_partners"
MANAGE_ASSISES = "manage_assises"
FOLLOW_UP_DECISION = "follow_up_decision"
CREATE_ACTION = "create_action"
ADMINISTER = "administer"


def is_active(user):
    return bool(user and user.is_authenticated and user.is_active)


def is_administrator(user):
    return is_active(user) and (user.is_superuser or user.role == Role.ADMIN)


def is_staff(user):
    """Département staff (administrators included)."""
    return is_administrator(user) or (is_active(user) and user.role == Role.STAFF)


def can_view(user, obj=None):
    return is_active(user)


def is_referent_of(user, action):
    if not is_active(user) or user.role != Role.REFERENT:
        return False
    # .all() rather than .filter(): pages that prefetched the referents answer without a query.
    if any(referent.pk == user.pk for referent in action.referents.all()):
        return True
    return any(referent.pk == user.pk for referent in action.axe.thematic_referents.all())


def can_edit_action(user, action):
    if is_staff(user):
        return True
    return is_referent_of(user, action)


# The action's sheet, section by section (actions/sheet.py). Staff decide what the plan commits to and who
# answers for it (a new action, its referents, partners and budget); the action's referents keep its general
# information and its indicators with their yearly targets up to date, as they do its reports.


def can_create_action(user, axe=None):
    return is_staff(user)


def can_edit_action_referents(user, action):
    return is_staff(user)


def can_edit_action_partners(user, action):
    return is_staff(user)


def can_edit_action_budgets(user, action):
    return is_staff(user)


def can_edit_action_indicators(user, action):
    return can_edit_action(user, action)


def report_refusal(user, action, year):
    """Why `user` may not write this action's report for `year` (a French sentence), or None if he may: the
    action's editors write it while the year is open (its bilan not approved, the pacte not closed)."""
    from django.utils.translation import gettext as _

    if not action.pacte.contains_year(year):
        return _("L'année %(year)s n'appartient pas au pacte.") % {"year": year}
    closure = action.pacte.closure(year)
    if closure is not None:
        return closure.message
    if not can_edit_action(user, action):
        return _("Vous n'êtes pas référent de cette action.")
    return None


def report_return_refusal(user, report):
    """Why `user` may not send `report` back to its referents, or None: staff do, while its year is open."""
    from django.utils.translation import gettext as _

    if not is_staff(user):
        return _("Seuls les agents du Département renvoient un compte rendu à son référent.")
    closure = report.action.pacte.closure(report.year)
    if closure is not None:
        return closure.message
    return None


def can_return_report(user, report):
    return report_return_refusal(user, report) is None


def can_edit_report(user, action, year):
    """Write this action's report for `year`: the action's editors, while the year is open."""
    return report_refusal(user, action, year) is None


def can_manage_pilotage(user, obj=None):
    return is_staff(user)


def can_manage_bilans(user, obj=None):
    return is_staff(user)


def can_manage_pactes(user, obj=None):
    return is_staff(user)


def can_manage_partners(user, obj=None):
    """Create, edit and merge partner organisations: staff (everyone signed in reads the directory)."""
    return is_staff(user)


def can_manage_assises(user, obj=None):
    """Record the Assises de l'insertion of a pacte (working groups, meetings, proposals and their fate): staff
    (everyone signed in reads them)."""
    return is_staff(user)


def can_follow_up_decision(user, decision):
    """Update a COPIL decision's follow-up and status: its owner (the person named responsible for it), and
    staff. Only staff change the rest of it (`can_manage_pilotage`)."""
    if is_staff(user):
        return True
    return is_active(user) and decision.owner_id is not None and decision.owner_id == user.pk


def editable_actions(user, queryset=None):
    """The actions `user` may edit, as a queryset (for lists and "my actions")."""
    from actions.models import Action

    queryset = Action.objects.all() if queryset is None else queryset
    if is_staff(user):
        return queryset
    if not is_active(user) or user.role != Role.REFERENT:
        return queryset.none()
    return queryset.for_referent(user)


_RULES = {
    VIEW: lambda user, obj: can_view(user, obj),
    EDIT_ACTION: lambda user, obj: can_edit_action(user, obj),
    EDIT_REPORT: lambda user, obj: can_edit_report(user, obj.action, obj.year),
    MANAGE_PILOTAGE: can_manage_pilotage,
    MANAGE_BILANS: can_manage_bilans,
    MANAGE_PACTES: can_manage_pactes,
    MANAGE_PARTNERS: can_manage_partners,
    MANAGE_ASSISES: can_manage_assises,
    FOLLOW_UP_DECISION: lambda user, obj: obj is not None and can_follow_up_decision(user, obj),
    CREATE_ACTION: can_create_action,
    ADMINISTER: lambda user, obj: is_administrator(user),
}


def refusal(user, permission, obj=None):
    """Why `can(user, permission, obj)` is refused, when the rule says (a French sentence), else None."""
    if permission == EDIT_REPORT and obj is not None:
        return report_refusal(user, obj.action, obj.year)
    return None


def can(user, permission, obj=None):
    """Dispatch by permission name; unknown permissions are refused (fail closed)."""
    rule = _RULES.get(permission)
    return bool(rule and rule(user, obj))
