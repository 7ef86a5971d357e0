"""The one access rule of PTI: "may this user do this to this object?"

Views, API permission classes, templates (through the `can` filter) and the querysets of what a user may
edit all call these functions; nothing else looks at roles.

- referent: reads everything; edits the actions he is referent of and every action of an axe he is
  thematic referent of, with their yearly reports (until the year's bilan is approved);
- COPIL member: reads everything, edits nothing;
- département staff: edits everything, manages COPILs, decisions, bilans, campaigns and the partners' directory;
- the owner of a COPIL decision (whatever his role): updates its follow-up and status, nothing else of it;
- administrator: everything staff can do, plus Django's admin and the users;
- partner (a partner organisation's person, tied to it by `actions.PartnerMember`): sees only the actions his
  organisation takes part in, in his own space (/espace-partenaire/) and through the API, and writes his
  organisation's yearly contribution to each of them while the year is open. Every other page and endpoint is
  refused (`partner_may_request`, enforced for pages by `pti.middleware.PartnerScopeMiddleware` and for the API by
  `pti.api.AccessPermission`): the lists, the dashboards, the exports, the journal, the referents' reports, the
  COPILs and the bilans, and other partners' contributions. Public pages stay public.
- pending (an agent whose first SSO sign-in created his account): nothing but the holding page and signing out,
  until staff give him a role (pti/sso.py, pti/pending.py).
"""

from django.core.exceptions import ObjectDoesNotExist

from pti.enums import Role

VIEW = "view"
EDIT_ACTION = "edit_action"
EDIT_REPORT = "edit_report"
MANAGE_PILOTAGE = "manage_pilotage"
MANAGE_BILANS = "manage_bilans"
MANAGE_PACTES = "manage_pactes"
MANAGE_PARTNERS = "manage_partners"
FOLLOW_UP_DECISION = "follow_up_decision"
CREATE_ACTION = "create_action"
ADMINISTER = "administer"
PARTNER_SPACE = "partner_space"
WRITE_CONTRIBUTION = "write_contribution"
GRANT_ROLES = "grant_roles"
OWN_NOTIFICATIONS = "own_notifications"


def is_signed_in(user):
    """Signed in with an active account, whatever his role (a pending agent included)."""
    return bool(user and user.is_authenticated and user.is_active)


def is_pending(user):
    """Signed in, but waiting for staff to give him a role: he may see nothing."""
    return is_signed_in(user) and user.role == Role.PENDING


def is_active(user):
    """Signed in with a role: the ground of every right below."""
    return is_signed_in(user) and user.role != Role.PENDING


def is_administrator(user):
    return is_active(user) and (user.is_superuser or user.role == Role.ADMIN)


def is_staff(user):
    """Département staff (administrators included)."""
    return is_administrator(user) or (is_active(user) and user.role == Role.STAFF)


def is_partner(user):
    """A partner organisation's account (never an administrator: the role is not the only key to the admin)."""
    return is_active(user) and not user.is_superuser and user.role == Role.PARTNER


def partner_id_of(user):
    """The pk of the organisation a partner account speaks for, or None (no organisation attached: sees nothing)."""
    if not is_partner(user):
        return None
    cached = getattr(user, "_partner_id_cache", False)
    if cached is not False:
        return cached
    try:
        membership = user.partner_membership
    except ObjectDoesNotExist:  # actions.PartnerMember's RelatedObjectDoesNotExist
        membership = None
    user._partner_id_cache = membership.partner_id if membership is not None else None
    return user._partner_id_cache


def is_partner_of(user, action):
    """Whether `user`'s organisation takes part in `action` (any role)."""
    partner_id = partner_id_of(user)
    if partner_id is None or action is None:
        return False
    if "partner_roles" in getattr(action, "_prefetched_objects_cache", {}):
        return any(link.partner_id == partner_id for link in action.partner_roles.all())
    return action.partner_roles.filter(partner_id=partner_id).exists()


# What a partner account may request, by route name (pages and API); everything else is refused with a 403.
PARTNER_ROUTES = frozenset(
    {
        "home",  # sends him to his space
        "logout",
        "pending",  # the holding page sends anyone who is not waiting for a role home
        "password_change",
        "password_change_done",
        "partner_space:home",
        "partner_space:action",
        "partner_space:contribution",
        "v1:api-root",
        "v1:schema",
        "v1:docs",
        "v1:action-list",
        "v1:action-detail",
        "v1:contribution-list",
        "v1:contribution-detail",
    }
)


def partner_may_request(user, route_name):
    """Whether `user` may request the route `route_name`: partners only those of PARTNER_ROUTES, others all (each
    view then checks its own rule)."""
    if not is_partner(user):
        return True
    return route_name in PARTNER_ROUTES


def can_view(user, obj=None):
    """Read: every signed-in member of the pacte reads everything; a partner only his organisation's actions and
    its own contributions."""
    if not is_active(user):
        return False
    if is_partner(user):
        return partner_can_view(user, obj)
    return True


def partner_can_view(user, obj):
    label = getattr(getattr(obj, "_meta", None), "label", None)
    if label == "actions.Action":
        return is_partner_of(user, obj)
    if label == "actions.Contribution":
        return obj.partner_id == partner_id_of(user) and is_partner_of(user, obj.action)
    return False


def visible_actions(user, queryset):
    """The actions of `queryset` that `user` may read."""
    if not is_active(user):
        return queryset.none()
    if is_partner(user):
        partner_id = partner_id_of(user)
        if partner_id is None:
            return queryset.none()
        return queryset.filter(pk__in=_partner_action_ids(partner_id))
    return queryset


def _partner_action_ids(partner_id):
    from actions.models import ActionPartner

    return ActionPartner.objects.filter(partner_id=partner_id).values("action_id")


def visible_contributions(user, queryset):
    """The contributions of `queryset` that `user` may read: everyone inside reads them all (the referents beside
    their reports, staff and the COPIL); a partner only his organisation's, on actions it still takes part in."""
    if not is_active(user):
        return queryset.none()
    if is_partner(user):
        partner_id = partner_id_of(user)
        if partner_id is None:
            return queryset.none()
        return queryset.filter(partner_id=partner_id, action_id__in=_partner_action_ids(partner_id))
    return queryset


def contribution_refusal(user, action, year):
    """Why `user` may not write his organisation's contribution to `action` for `year` (French), or None."""
    from django.utils.translation import gettext as _

    if not is_partner(user) or partner_id_of(user) is None:
        return _("Seuls les comptes des partenaires de l'action écrivent leur contribution.")
    if not is_partner_of(user, action):
        return _("Votre organisation ne prend pas part à cette action.")
    if not action.pacte.contains_year(year):
        return _("L'année %(year)s n'appartient pas au pacte.") % {"year": year}
    closure = action.pacte.closure(year)
    if closure is not None:
        return closure.message
    return None


def can_write_contribution(user, action, year):
    return contribution_refusal(user, action, year) is None


def can_manage_partner_accounts(user, partner=None):
    """Create partner accounts and attach or detach them: staff."""
    return is_staff(user)


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


def can_follow_up_decision(user, decision):
    """Update a COPIL decision's follow-up and status: its owner (the person named responsible for it), and
    staff. Only staff change the rest of it (`can_manage_pilotage`)."""
    if is_staff(user):
        return True
    return is_active(user) and decision.owner_id is not None and decision.owner_id == user.pk


def can_grant_roles(user, obj=None):
    """Give a role to an agent waiting for one (his first SSO sign-in): staff."""
    return is_staff(user)


def grantable_roles(user):
    """The roles `user` may give: staff give referent, COPIL member and staff; only administrators make
    administrators."""
    if not can_grant_roles(user):
        return []
    roles = [Role.REFERENT, Role.COPIL, Role.STAFF]
    return [*roles, Role.ADMIN] if is_administrator(user) else roles


def can_read_notification(user, notification):
    """A notification is its addressee's alone: he reads it and marks it read; nobody else sees it."""
    return is_active(user) and notification.user_id == user.pk


def can_edit_own_preferences(user, obj=None):
    """Every signed-in user chooses the notifications he receives by e-mail, and only his own."""
    return is_active(user) and (obj is None or getattr(obj, "user_id", None) == user.pk)


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
    FOLLOW_UP_DECISION: lambda user, obj: obj is not None and can_follow_up_decision(user, obj),
    CREATE_ACTION: can_create_action,
    ADMINISTER: lambda user, obj: is_administrator(user),
    PARTNER_SPACE: lambda user, obj: is_partner(user),
    WRITE_CONTRIBUTION: lambda user, obj: obj is not None and can_write_contribution(user, obj.action, obj.year),
    GRANT_ROLES: can_grant_roles,
    OWN_NOTIFICATIONS: lambda user, obj: (
        can_edit_own_preferences(user) if obj is None else can_read_notification(user, obj)
    ),
}


def refusal(user, permission, obj=None):
    """Why `can(user, permission, obj)` is refused, when the rule says (a French sentence), else None."""
    if permission == EDIT_REPORT and obj is not None:
        return report_refusal(user, obj.action, obj.year)
    if permission == WRITE_CONTRIBUTION and obj is not None:
        return contribution_refusal(user, obj.action, obj.year)
    return None


def can(user, permission, obj=None):
    """Dispatch by permission name; unknown permissions are refused (fail closed)."""
    rule = _RULES.get(permission)
    return bool(rule and rule(user, obj))
