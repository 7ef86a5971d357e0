"""Writing a plan: everything in one transaction, unchanged rows not written at all."""

from collections import defaultdict

from django.db import transaction

from actions.importer.planning import CREATED, DELETED, UNCHANGED, UPDATED
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Partner
from axes.models import Axe, Objectif, Pacte


def _save(instance, values, created):
    for name, value in values.items():
        if not name.startswith("_"):
            setattr(instance, name, value)
    if created:
        instance.save()
    else:
        instance.save(update_fields=[name for name in values if not name.startswith("_")] or None)
    return instance


@transaction.atomic
def apply_import(plan):
    """Write the plan in one transaction; return the pacte. Unchanged rows are not written at all."""
    by_kind = defaultdict(list)
    for change in plan.changes:
        by_kind[change.kind].append(change)

    (pacte_change,) = by_kind["pacte"]
    pacte = pacte_change.instance or Pacte(slug=pacte_change.key[0])
    if pacte_change.status != UNCHANGED:
        _save(pacte, pacte_change.fields, pacte_change.instance is None)

    axes = {axe.number: axe for axe in Axe.objects.filter(pacte=pacte)}
    for change in by_kind["axe"]:
        number = change.key[0]
        axe = axes.get(number) or Axe(pacte=pacte, number=number)
        if change.status != UNCHANGED:
            created = axe.pk is None
            _save(axe, change.fields, created)
            axe.thematic_referents.set(change.fields["_referents"])
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
                action.version += 1
            for name, value in change.fields.items():
                if not name.startswith("_"):
                    setattr(action, name, value)
            action.save()
            action.referents.set(change.fields["_referents"])
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
    return pacte
