"""The partners' directory: what the list and the partner's page read, and the operations staff run on partners
(create, edit, merge duplicates), one transaction each.

Merging keeps one partner and deletes its duplicates after moving everything that pointed to them: the links to
actions (`ActionPartner`: a link to an action on which the kept partner already holds the same role becomes one
link whose amount is the sum of both; a different role is kept beside the existing one), and every other relation
to `Partner` (a COPIL's partners present, or any relation another app adds later: found through the model's meta,
so that `actions` imports no higher app). The kept partner's empty contact fields take the duplicate's values.
History is kept: the duplicate's records stay, the moved links and the kept partner get a record that says
"fusion". The preview (`merge_plan`) and the merge compute the same plan; the merge refuses to run if the plan's
fingerprint differs from the preview's (someone changed a partner or a link in between).
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.enums import PartnerRole
from actions.models import ActionPartner, Partner
from pti.concurrency import lock_version
from pti.history import acting_user

# The fields of a partner's page that staff edit, in the form's order.
EDITABLE_FIELDS = ["name", "kind", "contact_name", "email", "phone", "website"]
# Roles as PartnerRole lists them (pilot, co-pilot, funder, operational), not alphabetically.
ROLE_ORDER = Case(*(When(role=role, then=Value(i)) for i, role in enumerate(PartnerRole.values)), default=Value(99))
# The contact fields a merge fills on the kept partner when they are empty there.
CONTACT_FIELDS = ["contact_name", "email", "phone", "website"]


class PartnerError(Exception):
    """An operation on partners refused, with a message for the user (in French)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class MergeConflict(PartnerError):
    """The partners or their links changed since the preview: nothing was merged; `plan` is the plan as it is now."""

    def __init__(self, plan):
        super().__init__(
            _(
                "Rien n'a été fusionné : ces partenaires ou leurs actions ont changé depuis l'aperçu. Vérifiez "
                "l'aperçu à jour ci-dessous, puis confirmez à nouveau."
            )
        )
        self.plan = plan


def euros(amount):
    """12500.5 → « 12 500,50 € » (French grouping, non-breaking spaces)."""
    if amount is None:
        return "—"
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True) + "\u00a0€"


# --- reads ---------------------------------------------------------------------------------------------------------


def _links(pacte=None):
    # No ordering: the subqueries group by partner (PostgreSQL refuses an ORDER BY on ungrouped columns).
    links = ActionPartner.objects.filter(partner=OuterRef("pk")).order_by()
    return links.filter(action__pacte=pacte) if pacte is not None else links


def with_figures(queryset, pacte=None):
    """Partners with `action_count` (the actions they take part in) and `funded` (the amounts they bring as
    funders), within `pacte` if given: one subquery each, so that a page costs the same queries whatever the data."""
    count = _links(pacte).values("partner").annotate(n=Count("action", distinct=True)).values("n")
    funded = (
        _links(pacte).filter(role=PartnerRole.FUNDER).values("partner").annotate(total=Sum("amount")).values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return queryset.annotate(
        action_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        funded=Subquery(funded, output_field=money),
    )


def partner_links(partner):
    """The partner's links to actions, by pacte (newest first), then by action number."""
    return (
        ActionPartner.objects.filter(partner=partner)
        .select_related("action__pacte", "action__axe")
        .order_by("-action__pacte__first_year", "action__pacte_id", "action__sort_key", ROLE_ORDER)
    )


def links_by_pacte(links):
    """[{"pacte", "links", "funded"}] from `partner_links`, in its order."""
    groups = []
    for link in links:
        if not groups or groups[-1]["pacte"].pk != link.action.pacte_id:
            groups.append({"pacte": link.action.pacte, "links": [], "funded": None, "actions": set()})
        group = groups[-1]
        group["links"].append(link)
        group["actions"].add(link.action_id)
        if link.role == PartnerRole.FUNDER and link.amount is not None:
            group["funded"] = (group["funded"] or Decimal(0)) + link.amount
    for group in groups:
        group["action_count"] = len(group.pop("actions"))
    return groups


# --- create and edit -----------------------------------------------------------------------------------------------


def name_taken_by(name, exclude_pk=None):
    """The partner already named `name` (whatever the case), or None."""
    queryset = Partner.objects.filter(name__iexact=(name or "").strip())
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def name_taken_message(other):
    return _(
        "Un partenaire porte déjà ce nom : « %(name)s ». S'il s'agit de la même organisation, modifiez sa fiche "
        "ou fusionnez les doublons."
    ) % {"name": other.name}


def _save_unique(partner, **kwargs):
    """Save, turning a name taken meanwhile (the database's case-insensitive constraint) into a ValidationError."""
    try:
        with transaction.atomic():
            partner.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
            partner.save(**kwargs)
    except IntegrityError:
        other = name_taken_by(partner.name, exclude_pk=partner.pk)
        if other is None:
            raise
        raise ValidationError({"name": name_taken_message(other)}) from None


def create_partner(data, user):
    with acting_user(user), transaction.atomic():
        partner = Partner(**{name: data[name] for name in EDITABLE_FIELDS if name in data})
        _save_unique(partner)
    return partner


def update_partner(partner, data, user, expected_version):
    """Apply `data` to `partner`, unless someone saved it since `expected_version` (ConflictError)."""
    with acting_user(user), transaction.atomic():
        locked = lock_version(Partner.objects.all(), partner.pk, expected_version)
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        locked.version += 1
        _save_unique(locked)
    return locked


# --- merge ---------------------------------------------------------------------------------------------------------


@dataclass
class LinkStep:
    link: ActionPartner  # the duplicate's link
    target: ActionPartner | None = None  # the kept partner's link it joins (same action and role), or None: moved
    other_roles: list = field(default_factory=list)  # the kept partner's other roles on the same action


@dataclass
class RelationStep:
    label: str
    moved: int
    already: int


@dataclass
class MergePlan:
    kept: Partner
    duplicates: list
    steps: list
    relations: list
    filled: dict  # contact field name -> value taken from a duplicate
    totals: dict  # id of a kept link that is joined -> its amount after the merge
    fingerprint: str = ""

    @property
    def moved(self):
        return [step for step in self.steps if step.target is None]

    @property
    def joined(self):
        return [step for step in self.steps if step.target is not None]

    def lines(self):
        """What the merge will do, in French, one sentence per change."""
        kept = self.kept.name
        lines = []
        for step in self.steps:
            link, action = step.link, step.link.action
            where = _("Action %(number)s « %(title)s » (%(pacte)s)") % {
                "number": action.number,
                "title": action.title,
                "pacte": action.pacte.title,
            }
            role = link.get_role_display()
            if link.amount is not None:
                role = f"{role}, {euros(link.amount)}"
            if step.target is not None:
                lines.append(
                    _(
                        "%(where)s : « %(dup)s » (%(role)s) et « %(kept)s » (%(kept_role)s) y ont le même rôle ; "
                        "il n'en restera qu'un lien, à « %(kept)s », avec les montants additionnés : %(total)s."
                    )
                    % {
                        "where": where,
                        "dup": link.partner.name,
                        "role": role,
                        "kept": kept,
                        "kept_role": step.target.get_role_display()
                        + (f", {euros(step.target.amount)}" if step.target.amount is not None else ""),
                        "total": euros(self.totals.get(step.target.pk)),
                    }
                )
            elif step.other_roles:
                lines.append(
                    _(
                        "%(where)s : le rôle de « %(dup)s » (%(role)s) passe à « %(kept)s », qui y est déjà "
                        "%(others)s : les deux rôles sont gardés."
                    )
                    % {
                        "where": where,
                        "dup": link.partner.name,
                        "role": role,
                        "kept": kept,
                        "others": ", ".join(str(PartnerRole(other).label) for other in step.other_roles),
                    }
                )
            else:
                lines.append(
                    _("%(where)s : le rôle de « %(dup)s » (%(role)s) passe à « %(kept)s ».")
                    % {"where": where, "dup": link.partner.name, "role": role, "kept": kept}
                )
        for relation in self.relations:
            text = ngettext(
                "%(label)s : %(moved)s passe à « %(kept)s ».",
                "%(label)s : %(moved)s passent à « %(kept)s ».",
                relation.moved,
            ) % {"label": relation.label, "moved": relation.moved, "kept": kept}
            if relation.already:
                text += " " + ngettext(
                    "%(already)s le comptait déjà : le doublon en est simplement retiré.",
                    "%(already)s le comptaient déjà : le doublon en est simplement retiré.",
                    relation.already,
                ) % {"already": relation.already}
            lines.append(text)
        for name, value in self.filled.items():
            lines.append(
                _("« %(kept)s » n'avait rien dans « %(field)s » : il prend la valeur du doublon, « %(value)s ».")
                % {"kept": kept, "field": Partner._meta.get_field(name).verbose_name, "value": value}
            )
        lines.append(
            ngettext(
                "Puis %(dups)s sera supprimé ; son historique est conservé, et celui de « %(kept)s » mentionne la "
                "fusion.",
                "Puis %(dups)s seront supprimés ; leur historique est conservé, et celui de « %(kept)s » mentionne "
                "la fusion.",
                len(self.duplicates),
            )
            % {"dups": ", ".join(f"« {dup.name} »" for dup in self.duplicates), "kept": kept}
        )
        return lines


def _other_relations():
    """Every relation to Partner other than the links to actions: (label, model, field to Partner, owner field).

    A many-to-many relation with an automatic table (a COPIL's partners) is read through that table; one with a
    model of its own (Action.partners through ActionPartner) is that model's foreign key."""
    for rel in Partner._meta.related_objects:
        if rel.related_model is ActionPartner:
            continue
        if rel.many_to_many:
            through = rel.through
            if not through._meta.auto_created:
                continue
            label = f"{capfirst(rel.related_model._meta.verbose_name_plural)} ({rel.field.verbose_name})"
            yield label, through, rel.field.m2m_reverse_field_name(), rel.field.m2m_field_name()
        else:
            label = f"{capfirst(rel.related_model._meta.verbose_name_plural)} ({rel.field.verbose_name})"
            yield label, rel.related_model, rel.field.name, None


def _relation_rows(model, to_partner, partners):
    return list(model._base_manager.filter(**{f"{to_partner}__in": partners}).order_by("pk"))


def _build_plan(kept, duplicates, kept_links, duplicate_links):
    by_key = {(link.action_id, link.role): link for link in kept_links}
    roles_by_action = {}
    for link in kept_links:
        roles_by_action.setdefault(link.action_id, []).append(link.role)
    steps, totals = [], {}
    for link in duplicate_links:
        key = (link.action_id, link.role)
        target = by_key.get(key)
        if target is not None:
            steps.append(LinkStep(link, target))
            base = totals.get(target.pk, target.amount)
            totals[target.pk] = None if base is None and link.amount is None else (base or 0) + (link.amount or 0)
        else:
            others = [role for role in roles_by_action.get(link.action_id, []) if role != link.role]
            steps.append(LinkStep(link, None, others))
            by_key[key] = link
            roles_by_action.setdefault(link.action_id, []).append(link.role)
    relations, fingerprint_rows = [], []
    for label, model, to_partner, owner in _other_relations():
        rows = _relation_rows(model, to_partner, [kept, *duplicates])
        fingerprint_rows.append([label, [[row.pk, getattr(row, f"{to_partner}_id")] for row in rows]])
        dup_rows = [row for row in rows if getattr(row, f"{to_partner}_id") != kept.pk]
        if not dup_rows:
            continue
        if owner:
            kept_owners = {getattr(row, f"{owner}_id") for row in rows if getattr(row, f"{to_partner}_id") == kept.pk}
            seen, already = set(kept_owners), 0
            for row in dup_rows:
                owner_id = getattr(row, f"{owner}_id")
                if owner_id in seen:
                    already += 1
                seen.add(owner_id)
            relations.append(RelationStep(label, len(dup_rows) - already, already))
        else:
            relations.append(RelationStep(label, len(dup_rows), 0))
    filled = {}
    for name in CONTACT_FIELDS:
        if not getattr(kept, name):
            value = next((getattr(dup, name) for dup in duplicates if getattr(dup, name)), "")
            if value:
                filled[name] = value
    plan = MergePlan(kept, list(duplicates), steps, relations, filled, totals)
    facts = {
        "partners": [[p.pk, p.version, [getattr(p, name) for name in EDITABLE_FIELDS]] for p in [kept, *duplicates]],
        "links": [
            [link.pk, link.action_id, link.partner_id, link.role, str(link.amount)]
            for link in [*kept_links, *duplicate_links]
        ],
        "relations": fingerprint_rows,
    }
    plan.fingerprint = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    return plan


def _check_choice(kept, duplicates):
    if not duplicates:
        raise PartnerError(_("Choisissez au moins un doublon à fusionner."))
    if any(dup.pk == kept.pk for dup in duplicates):
        raise PartnerError(_("Le partenaire à garder ne peut pas être aussi l'un des doublons."))


def _load(kept_pk, duplicate_pks, lock=False):
    partners = Partner.objects.filter(pk__in=[kept_pk, *duplicate_pks]).order_by("name", "pk")
    if lock:
        partners = partners.select_for_update()
    partners = {partner.pk: partner for partner in partners}
    if kept_pk not in partners or any(pk not in partners for pk in duplicate_pks):
        raise PartnerError(_("L'un de ces partenaires n'existe plus : rechargez la page."))
    kept = partners[kept_pk]
    duplicates = [partner for pk, partner in partners.items() if pk != kept_pk]
    links = (
        ActionPartner.objects.filter(partner__in=partners.values())
        .select_related("action__pacte", "partner")
        .order_by("action__pacte__first_year", "action__pacte_id", "action__sort_key", "role", "partner__name", "pk")
    )
    if lock:
        links = links.select_for_update(of=("self",))
    links = list(links)
    kept_links = [link for link in links if link.partner_id == kept.pk]
    duplicate_links = [link for link in links if link.partner_id != kept.pk]
    return kept, duplicates, kept_links, duplicate_links


def merge_plan(kept, duplicates):
    """What merging `duplicates` into `kept` would do (read only): a MergePlan, with its fingerprint."""
    _check_choice(kept, duplicates)
    return _build_plan(*_load(kept.pk, [dup.pk for dup in duplicates]))


def merge_partners(kept_pk, duplicate_pks, user, fingerprint):
    """Merge the duplicates into the kept partner in one transaction, if the plan is the one previewed
    (`fingerprint`), else raise MergeConflict with the plan as it is now. Returns the plan carried out."""
    duplicate_pks = list(dict.fromkeys(duplicate_pks))
    if not duplicate_pks or kept_pk in duplicate_pks:
        _check_choice(Partner(pk=kept_pk), [Partner(pk=pk) for pk in duplicate_pks])
    try:
        with acting_user(user), transaction.atomic():
            plan = _build_plan(*_load(kept_pk, duplicate_pks, lock=True))
            if plan.fingerprint != fingerprint:
                raise MergeConflict(plan)
            _refuse_colliding_contributions(kept_pk, duplicate_pks)
            _carry_out(plan)
    except IntegrityError as error:
        raise PartnerError(
            _("La fusion a été refusée par la base de données : rien n'a été modifié (%(error)s).") % {"error": error}
        ) from None
    return plan


def _refuse_colliding_contributions(kept_pk, duplicate_pks):
    """Two of the merged partners wrote their contribution to the same action and year: their texts cannot be
    merged by a machine, so nothing is merged until one of them is removed (PartnerError, in French)."""
    from actions.models import Contribution

    rows = Contribution.objects.filter(partner_id__in=[kept_pk, *duplicate_pks]).values_list(
        "action__number", "year", "partner_id"
    )
    seen, colliding = {}, []
    for number, year, partner_id in rows.order_by("action__sort_key", "year"):
        if (number, year) in seen and seen[(number, year)] != partner_id:
            colliding.append(_("%(year)s de l'action %(number)s") % {"year": year, "number": number})
        seen.setdefault((number, year), partner_id)
    if colliding:
        raise PartnerError(
            _(
                "Rien n'a été fusionné : ces partenaires ont chacun écrit leur contribution %(which)s. Réunissez "
                "d'abord les textes dans l'une des deux, puis supprimez l'autre (administration)."
            )
            % {"which": ", ".join(dict.fromkeys(colliding))}
        )


def _carry_out(plan):
    kept = plan.kept
    names = ", ".join(f"« {dup.name} »" for dup in plan.duplicates)
    reason = _("Fusion de %(dups)s dans « %(kept)s »") % {"dups": names, "kept": kept.name}
    for step in plan.joined:
        step.link._change_reason = reason
        step.link.delete()
    for step in plan.moved:
        step.link.partner = kept
        step.link._change_reason = reason
        step.link.save(update_fields=["partner"])
    joined_targets = {step.target.pk: step.target for step in plan.joined}
    for pk, target in joined_targets.items():
        target.amount = plan.totals[pk]
        target._change_reason = reason
        target.save(update_fields=["amount"])
    duplicate_pks = [dup.pk for dup in plan.duplicates]
    for _label, model, to_partner, owner in _other_relations():
        rows = model._base_manager.filter(**{f"{to_partner}__in": duplicate_pks}).order_by("pk")
        for row in rows:
            if (
                owner
                and model._base_manager.filter(
                    **{f"{owner}_id": getattr(row, f"{owner}_id"), f"{to_partner}_id": kept.pk}
                ).exists()
            ):
                row.delete()
                continue
            setattr(row, f"{to_partner}_id", kept.pk)
            row._change_reason = reason
            row.save(update_fields=[to_partner])
    for name, value in plan.filled.items():
        setattr(kept, name, value)
    kept.version += 1
    kept._change_reason = reason
    kept.save()
    for dup in plan.duplicates:
        dup._change_reason = reason
        dup.delete()
