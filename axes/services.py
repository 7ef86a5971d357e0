"""The plan's skeleton, built by staff: pactes, their axes and objectives, one transaction each.

Numbers behave like places in a list, unique within the pacte (axes) or the axe (objectives):
- a free number is simply taken, nothing else moves;
- a taken number is taken over: a new axe pushes that axe and the following ones one place down; an axe moved
  to another place shifts those between its old and its new place by one, towards the place it left;
- a deleted axe (or an objective moved to another axe) leaves no hole: the following ones move up one place.
Every row whose number changes gets its `version` moved on and a history record, so a form opened on its old
number is refused with the change. Actions keep their own numbers ("2.3"): they are not derived from the axe's.

A closed pacte keeps its plan (axes.closing): every write here is refused with the reason, and its years that
are closed (bilan approved) cannot leave the pacte's years.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from axes.closing import ClosedYearError, Closure
from axes.enums import PacteStatus
from axes.models import Axe, Objectif, Pacte
from axes.signals import pacte_years_changing
from pti.concurrency import lock_version
from pti.history import acting_user, save_with

# Axe and objective numbers start the action numbers ("12.3"), whose parts have at most 3 digits.
NUMBER_MAX = 999


class NotEmpty(ValidationError):
    """A deletion of an axe or an objective that still holds actions: refused, nothing changed."""


def plan_refusal(pacte):
    """Why the plan of `pacte` (the pacte, its axes and objectives) may not be changed, or None."""
    if pacte.status == PacteStatus.CLOSED:
        return _(
            "Ce pacte est clos : son plan (le pacte, ses axes et ses objectifs) ne peut plus être modifié. "
            "Un administrateur peut le rouvrir si la clôture était une erreur."
        )
    return None


def _ensure_plan_open(pacte):
    refusal = plan_refusal(pacte)
    if refusal:
        raise ClosedYearError(Closure(year=None, pacte_closed=True), refusal)


def _lock_pacte(pacte):
    """Lock the pacte first (the import's order: parents first), so two writes to one plan follow each other."""
    locked = Pacte.objects.select_for_update().get(pk=pacte.pk)
    _ensure_plan_open(locked)
    return locked


def years_refusal(pacte, first_year, last_year):
    """Why the pacte's years may not become `first_year`-`last_year` (closed years, or years the apps above hold
    data for, would leave it: axes.signals), or None; as {field: message}, on the bound that would drop them."""
    if pacte.pk is None or first_year is None or last_year is None:
        return None
    outside = sorted(
        pacte.closed_years.exclude(year__gte=first_year, year__lte=last_year).values_list("year", flat=True)
    )
    if not outside:
        for _receiver, refusal in pacte_years_changing.send(
            sender=Pacte, pacte=pacte, first_year=first_year, last_year=last_year
        ):
            if refusal:
                return {"first_year" if first_year > pacte.first_year else "last_year": refusal}
        return None
    field = "first_year" if outside[0] < first_year else "last_year"
    years = ", ".join(str(year) for year in outside)
    return {field: _years_message(years, len(outside))}


def _years_message(years, count):
    return ngettext(
        "L'année %(years)s est close (son bilan est approuvé) : elle doit rester dans les années du pacte.",
        "Les années %(years)s sont closes (leurs bilans sont approuvés) : elles doivent rester dans les années du "
        "pacte.",
        count,
    ) % {"years": years}


def _unique_slug(pacte):
    base = slugify(f"pti-{pacte.first_year}-{pacte.last_year}")
    slug, n = base, 1
    while Pacte.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_pacte(data, user):
    """A new pacte from `data` (validated field values); its identifier is formed from its years."""
    with acting_user(user):
        pacte = Pacte(**data)
        pacte.slug = _unique_slug(pacte)
        pacte.stamp_publication(was_published=False)
        pacte.full_clean()
        pacte.save()
    return pacte


@transaction.atomic
def update_pacte(pacte, data, user, expected_version):
    """Apply `data` to `pacte`, unless someone saved it since `expected_version` (ConflictError), it is closed
    (ClosedYearError) or its closed years would leave it (ValidationError on the years)."""
    with acting_user(user):
        locked = lock_version(Pacte.objects.all(), pacte.pk, expected_version)
        _ensure_plan_open(locked)
        refusal = years_refusal(locked, data.get("first_year"), data.get("last_year"))
        if refusal:
            raise ValidationError(refusal)
        was_published = locked.published
        for name, value in data.items():
            setattr(locked, name, value)
        locked.stamp_publication(was_published)
        locked.full_clean(exclude=["slug"])
        locked.version += 1
        locked.save()
    return locked


# --- numbering -------------------------------------------------------------------------------------------


def numbers_after_move(numbers, key, target):
    """`numbers` is {key: number} of one pacte's axes (or one axe's objectives); `key` goes to `target`.

    Returns {key: new number} of every row whose number changes, `key` included. A `key` that is not in
    `numbers` arrives (a new row, or one coming from another group)."""
    others = {k: n for k, n in numbers.items() if k != key}
    old = numbers.get(key)
    if old == target:
        return {}
    changes = {key: target}
    if target not in others.values():
        return changes
    for k, n in others.items():
        if old is None or target < old:
            if n >= target and (old is None or n < old):
                changes[k] = n + 1
        elif old < n <= target:
            changes[k] = n - 1
    return changes


def numbers_after_removal(numbers, key):
    """The following rows move up one place when `key` leaves its group: {key: new number} of those that move."""
    old = numbers[key]
    return {k: n - 1 for k, n in numbers.items() if n > old}


def _check_range(changes, objects, label):
    too_far = [objects[k] for k, n in changes.items() if n > NUMBER_MAX and k in objects]
    if too_far:
        raise ValidationError(
            {
                "number": _("Ce décalage porterait %(what)s au-delà du numéro %(max)s.")
                % {"what": label(too_far[0]), "max": NUMBER_MAX}
            }
        )


def _park(model, rows):
    """Move `rows` (one UPDATE) above every number of their groups, so that the unique constraint holds while
    they take their new numbers one by one."""
    if not rows:
        return
    parent = "pacte_id" if model is Axe else "axe_id"
    groups = {getattr(obj, parent) for obj in rows}
    offset = (model.objects.filter(**{f"{parent}__in": groups}).aggregate(top=Max("number"))["top"] or 0) + 1
    model.objects.filter(pk__in=[obj.pk for obj in rows]).update(number=F("number") + offset)


def _renumber(model, moves, reason):
    """Give each locked row of `moves` ([(instance, number)]) its number, through a parked number; each one gets a
    new version and a history record saying `reason`."""
    moves = [(obj, n) for obj, n in moves if obj.number != n]
    _park(model, [obj for obj, _n in moves])
    for obj, number in moves:
        obj.number = number
        obj.version += 1
        obj._change_reason = reason
        obj.save(update_fields=["number", "version"])


def _delete(instance):
    """Delete `instance`; rows that still point at it (an action whose objective belongs to this axe while the action
    sits in another one, say) refuse it, with a sentence rather than an error page."""
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError):
        raise NotEmpty(
            _("Des actions y sont encore rattachées : rattachez-les d'abord ailleurs, puis supprimez-le.")
        ) from None


# --- axes ------------------------------------------------------------------------------------------------


def _locked_axes(pacte):
    return {axe.pk: axe for axe in Axe.objects.select_for_update().filter(pacte=pacte).order_by("pk")}


def _axe_label(axe):
    return _("l'axe « %(title)s »") % {"title": axe.title}


@transaction.atomic
def create_axe(pacte, data, user, referents=()):
    """A new axe of `pacte` at `data["number"]`: a taken number pushes that axe and the following ones."""
    with acting_user(user):
        locked = _lock_pacte(pacte)
        axes = _locked_axes(locked)
        number = data["number"]
        changes = numbers_after_move({pk: axe.number for pk, axe in axes.items()}, None, number)
        changes.pop(None, None)
        _check_range(changes, axes, _axe_label)
        _renumber(
            Axe,
            [(axes[pk], n) for pk, n in changes.items()],
            _("Renuméroté : un nouvel axe %(number)s a été inséré.") % {"number": number},
        )
        axe = Axe(pacte=locked, **data)
        axe.full_clean(validate_unique=False)
        save_with(axe, thematic_referents=referents)
    return axe


@transaction.atomic
def update_axe(axe, data, user, expected_version, referents=None):
    """Apply `data` to `axe` (moving it to `data["number"]`, see the module), unless someone saved it since."""
    with acting_user(user):
        _lock_pacte(axe.pacte)
        locked = lock_version(Axe.objects.all(), axe.pk, expected_version)
        axes = _locked_axes(locked.pacte_id)
        axes[locked.pk] = locked
        number = data.get("number", locked.number)
        changes = numbers_after_move({pk: a.number for pk, a in axes.items()}, locked.pk, number)
        _check_range(changes, axes, _axe_label)
        old = locked.number
        shifted = [(axes[pk], n) for pk, n in changes.items() if pk != locked.pk]
        if shifted:
            _park(Axe, [locked])  # out of the way too; saved below with its new number and its other fields
            _renumber(
                Axe,
                shifted,
                _("Renuméroté : l'axe %(old)s est devenu l'axe %(new)s.") % {"old": old, "new": number},
            )
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean(validate_unique=False)
        locked.version += 1
        save_with(locked, **({} if referents is None else {"thematic_referents": referents}))
    return locked


def axe_deletion_refusal(axe, action_count=None):
    """Why `axe` may not be deleted (it holds actions, or its pacte is closed), or None."""
    refusal = plan_refusal(axe.pacte)
    if refusal:
        return refusal
    count = axe.actions.count() if action_count is None else action_count
    if count:
        return ngettext(
            "L'axe compte %(count)s action : il ne peut pas être supprimé. Rattachez-la d'abord à un autre axe.",
            "L'axe compte %(count)s actions : il ne peut pas être supprimé. Rattachez-les d'abord à un autre axe.",
            count,
        ) % {"count": count}
    group = axe.working_groups.first()
    if group is not None:
        return _(
            "Le groupe de travail des Assises « %(title)s » porte sur cet axe : il ne peut pas être supprimé. "
            "Rattachez d'abord le groupe à une autre thématique."
        ) % {"title": group.title}
    return None


@transaction.atomic
def delete_axe(axe, user, expected_version):
    """Delete an empty axe (its objectives with it); the following axes move up one place."""
    with acting_user(user):
        pacte = _lock_pacte(axe.pacte)
        locked = lock_version(Axe.objects.select_related("pacte"), axe.pk, expected_version)
        refusal = axe_deletion_refusal(locked)
        if refusal:
            raise NotEmpty(refusal)
        axes = _locked_axes(pacte)
        changes = numbers_after_removal({pk: a.number for pk, a in axes.items()}, locked.pk)
        number = locked.number
        _delete(locked)
        _renumber(
            Axe,
            [(axes[pk], n) for pk, n in changes.items()],
            _("Renuméroté : l'axe %(number)s a été supprimé.") % {"number": number},
        )


# --- objectives ------------------------------------------------------------------------------------------


def _locked_objectifs(axe_id):
    return {obj.pk: obj for obj in Objectif.objects.select_for_update().filter(axe_id=axe_id).order_by("pk")}


def _objectif_label(objectif):
    return _("l'objectif « %(text)s »") % {"text": objectif.text}


@transaction.atomic
def create_objectif(axe, data, user):
    """A new objective of `data["axe"]` (or `axe`) at `data["number"]`: a taken number pushes the following ones."""
    with acting_user(user):
        _lock_pacte(axe.pacte)
        target_axe = data.get("axe", axe)
        objectifs = _locked_objectifs(target_axe.pk)
        number = data["number"]
        changes = numbers_after_move({pk: o.number for pk, o in objectifs.items()}, None, number)
        changes.pop(None, None)
        _check_range(changes, objectifs, _objectif_label)
        _renumber(
            Objectif,
            [(objectifs[pk], n) for pk, n in changes.items()],
            _("Renuméroté : un nouvel objectif %(number)s a été inséré.") % {"number": number},
        )
        objectif = Objectif(**(data | {"axe": target_axe}))
        objectif.full_clean(validate_unique=False)
        objectif.save()
    return objectif


@transaction.atomic
def update_objectif(objectif, data, user, expected_version):
    """Apply `data` to `objectif`: moved within its axe like an axe in its pacte; moved to another axe of the
    pacte, it leaves no hole in the old one and takes its number in the new one."""
    with acting_user(user):
        _lock_pacte(objectif.axe.pacte)
        locked = lock_version(Objectif.objects.select_related("axe"), objectif.pk, expected_version)
        target_axe = data.get("axe", locked.axe)
        if target_axe.pacte_id != locked.axe.pacte_id:
            raise ValidationError({"axe": _("L'axe choisi n'appartient pas à ce pacte.")})
        number = data.get("number", locked.number)
        old_axe, old_number = locked.axe, locked.number
        here = _locked_objectifs(old_axe.pk)
        here[locked.pk] = locked
        if target_axe.pk == old_axe.pk:
            changes = numbers_after_move({pk: o.number for pk, o in here.items()}, locked.pk, number)
            _check_range(changes, here, _objectif_label)
            shifted = [(here[pk], n) for pk, n in changes.items() if pk != locked.pk]
            reason = _("Renuméroté : l'objectif %(old)s est devenu l'objectif %(new)s.") % {
                "old": f"{old_axe.number}.{old_number}",
                "new": f"{old_axe.number}.{number}",
            }
        else:
            there = _locked_objectifs(target_axe.pk)
            leaving = numbers_after_removal({pk: o.number for pk, o in here.items()}, locked.pk)
            arriving = numbers_after_move({pk: o.number for pk, o in there.items()}, None, number)
            arriving.pop(None, None)
            _check_range(arriving, there, _objectif_label)
            shifted = [(here[pk], n) for pk, n in leaving.items()] + [(there[pk], n) for pk, n in arriving.items()]
            reason = _("Renuméroté : l'objectif %(old)s a été déplacé vers l'axe %(axe)s.") % {
                "old": f"{old_axe.number}.{old_number}",
                "axe": target_axe.number,
            }
        if shifted:
            _park(Objectif, [locked])  # out of the way too; saved below with its new place and its other fields
            _renumber(Objectif, shifted, reason)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean(validate_unique=False)
        locked.version += 1
        locked.save()
    return locked


def objectif_deletion_refusal(objectif, action_count=None):
    """Why `objectif` may not be deleted (actions are attached to it, or its pacte is closed), or None."""
    refusal = plan_refusal(objectif.axe.pacte)
    if refusal:
        return refusal
    count = objectif.actions.count() if action_count is None else action_count
    if count:
        return ngettext(
            "%(count)s action est rattachée à cet objectif : il ne peut pas être supprimé. Rattachez-la d'abord à un "
            "autre objectif.",
            "%(count)s actions sont rattachées à cet objectif : il ne peut pas être supprimé. Rattachez-les d'abord à "
            "un autre objectif.",
            count,
        ) % {"count": count}
    return None


@transaction.atomic
def delete_objectif(objectif, user, expected_version):
    """Delete an objective without actions; the following objectives of its axe move up one place."""
    with acting_user(user):
        _lock_pacte(objectif.axe.pacte)
        locked = lock_version(Objectif.objects.select_related("axe__pacte"), objectif.pk, expected_version)
        refusal = objectif_deletion_refusal(locked)
        if refusal:
            raise NotEmpty(refusal)
        objectifs = _locked_objectifs(locked.axe_id)
        changes = numbers_after_removal({pk: o.number for pk, o in objectifs.items()}, locked.pk)
        code = locked.code
        _delete(locked)
        _renumber(
            Objectif,
            [(objectifs[pk], n) for pk, n in changes.items()],
            _("Renuméroté : l'objectif %(code)s a été supprimé.") % {"code": code},
        )
