"""Writing a plan: the rows locked, the plan computed again and checked against the versions the preview saw,
then everything in one transaction, unchanged rows not written at all.

Each row written gets its `version` moved on (models that have one), so a form opened elsewhere on the old
version is refused with its conflict, and a history record whose author is the importing user.
"""

from collections import defaultdict
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Max

from actions.importer.planning import CREATED, DELETED, KIND_LABELS, UNCHANGED, UPDATED, plan_import
from actions.importer.versions import ImportConflict, conflicts_between
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Milestone, Partner
from axes.enums import PacteStatus
from axes.models import Axe, Objectif, Pacte
from pti.history import acting_user, save_with


def _has_version(instance):
    return any(model_field.name == "version" for model_field in instance._meta.concrete_fields)


def _save(instance, values, created):
    names = [name for name in values if not name.startswith("_")]
    for name in names:
        setattr(instance, name, values[name])
    if created:
        instance.save()
        return instance
    if _has_version(instance):
        instance.version += 1
        names.append("version")
    instance.save(update_fields=names or None)
    return instance


def _lock(slug):
    """Lock the pacte `slug` and every row of it the plan reads, in one order (parents first, then by key), so
    that the services' writes (which lock their action first) wait for the import, or the import for them."""
    pacte = Pacte.objects.select_for_update().filter(slug=slug).first()
    if pacte is None:
        return
    for queryset in (
        Axe.objects.filter(pacte=pacte),
        Objectif.objects.filter(axe__pacte=pacte),
        Action.objects.filter(pacte=pacte),
        ActionPartner.objects.filter(action__pacte=pacte),
        Indicator.objects.filter(action__pacte=pacte),
        IndicatorValue.objects.filter(indicator__action__pacte=pacte),
        Milestone.objects.filter(action__pacte=pacte),
    ):
        list(queryset.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


def confirm_import(parsed, seen, user=None):
    """Write `parsed` if the database is still as the preview saw it; return the plan written (`plan.pacte`).

    `seen` is the preview's `Plan.versions`. Under lock, the plan is computed again; if any row it reads moved
    since (edited, added or removed by someone), raise `ImportConflict` with the list, the fresh plan attached,
    and write nothing. Every history record written names `user`."""
    for attempt in (1, 2):
        try:
            return _confirm(parsed, seen, user)
        except IntegrityError:
            # Rows the plan creates were created at the same moment by someone else (two confirmations of a new
            # pacte, or of the same new partner): refused if they are rows of the preview, else tried once more.
            plan = plan_import(parsed)
            conflicts = conflicts_between(seen, plan.versions, KIND_LABELS)
            if conflicts:
                raise ImportConflict(conflicts, plan) from None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _confirm(parsed, seen, user):
    _lock(parsed.pacte["Identifiant"])
    plan = plan_import(parsed)
    conflicts = conflicts_between(seen, plan.versions, KIND_LABELS)
    if conflicts:
        raise ImportConflict(conflicts, plan)
    with acting_user(user):
        plan.pacte = _write(plan)
    return plan


def apply_import(plan, user=None):
    """Write `plan` in one transaction, if the rows it read have not moved since; return the pacte."""
    return confirm_import(plan.parsed, plan.versions, user).pacte


def _write(plan):
    by_kind = defaultdict(list)
    for change in plan.changes:
        by_kind[change.kind].append(change)

    (pacte_change,) = by_kind["pacte"]
    pacte = pacte_change.instance or Pacte(slug=pacte_change.key[0])
    # A closed pacte imported as a new one (an archive) is written open, then closed once its data is in: the
    # data of a closed pacte never changes (axes.closing).
    closing_after = pacte_change.instance is None and pacte_change.fields.get("status") == PacteStatus.CLOSED
    if pacte_change.status != UNCHANGED:
        fields = {**pacte_change.fields, "status": PacteStatus.ACTIVE} if closing_after else pacte_change.fields
        _save(pacte, fields, pacte_change.instance is None)

    axes = {axe.number: axe for axe in Axe.objects.filter(pacte=pacte)}
    for change in by_kind["axe"]:
        number = change.key[0]
        axe = axes.get(number) or Axe(pacte=pacte, number=number)
        if change.status != UNCHANGED:
            created = axe.pk is None
            save_with(axe, partial(_save, axe, change.fields, created), thematic_referents=change.fields["_referents"])
        axes[number] = axe

    objectifs = {(o.axe.number, o.number): o for o in Objectif.objects.filter(axe__pacte=pacte).select_related("axe")}
    for change in by_kind["objectif"]:
        objectif = objectifs.get(change.key) or Objectif(axe=axes[change.key[0]], number=change.key[1])
        if change.status != UNCHANGED:
            _save(objectif, change.fields, objectif.pk is None)
        objectifs[change.key] = objectif

    actions = {a.number: a for a in Action.objects.filter(pacte=pacte)}
    for change in by_kind["action"]:
        number = change.key[0]
        action = actions.get(number)
        if change.status != UNCHANGED:
            created = action is None
            action = action or Action(number=number)
            action.axe = axes[change.fields["_axe"]]
            action.objectif = (
                objectifs[(change.fields["_axe"], change.fields["_objectif"])] if change.fields["_objectif"] else None
            )
            if not created:
                action.version += 1  # Action.save writes every field, the version with them
            for name, value in change.fields.items():
                if not name.startswith("_"):
                    setattr(action, name, value)
            save_with(action, referents=change.fields["_referents"])
        actions[number] = action

    partners = {partner.name.lower(): partner for partner in Partner.objects.all()} if by_kind["action_partner"] else {}
    for change in by_kind["partner"]:
        if change.key[0] not in partners:
            partners[change.key[0]] = Partner.objects.create(**change.fields)
    for change in by_kind["action_partner"]:
        if change.status == DELETED:
            change.instance.delete()
        elif change.status == UPDATED:
            _save(change.instance, change.fields, False)
        elif change.status == CREATED:
            number, lowered, role = change.key
            ActionPartner.objects.create(action=actions[number], partner=partners[lowered], role=role, **change.fields)

    indicators = {}
    for change in by_kind["indicator"]:
        number, label = change.key
        indicator = change.instance or Indicator(action=actions[number], label=label)
        if change.status != UNCHANGED:
            _save(indicator, change.fields, change.instance is None)
        indicators[change.key] = indicator
    for change in by_kind["target"]:
        if change.status == UNCHANGED:
            continue
        if change.instance is None:
            IndicatorValue.objects.create(indicator=indicators[change.key[:2]], year=change.key[2], **change.fields)
        else:
            _save(change.instance, change.fields, False)
    positions = {}
    for change in by_kind["milestone"]:
        if change.status == DELETED:
            change.instance.delete()
        elif change.status == UPDATED:
            _save(change.instance, change.fields, False)
        elif change.status == CREATED:
            number, title = change.key
            action = actions[number]
            if action.pk not in positions:
                positions[action.pk] = Milestone.objects.filter(action=action).aggregate(last=Max("position"))["last"]
            positions[action.pk] = (positions[action.pk] or 0) + 1
            Milestone.objects.create(action=action, title=title, position=positions[action.pk], **change.fields)
    if closing_after:
        pacte.status = PacteStatus.CLOSED
        pacte.save(update_fields=["status"])
    return pacte
