"""No lost update: every edit form and API write carries the `version` it started from.

`lock_version(model, pk, expected)` locks the row and refuses the write when someone saved it in between,
raising `ConflictError` with what the other person changed (read from django-simple-history), so the page
can show it instead of silently overwriting it. The version cannot be skipped: a write that does not say which
version it started from is refused (`MissingVersion`, an HTTP 400), whoever the caller.

Forms carry it in a `VersionField` (hidden, required, bounded); `VersionedForm` shows its error at the top of the
form, since a hidden field shows none.
"""

import datetime
from decimal import Decimal

from django import forms
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pti.formats import long_date
from pti.inputs import VERSION_MAX, InvalidInput, version_number

MISSING_VERSION = gettext_lazy(
    "Vos modifications n'ont pas été enregistrées : le formulaire ne dit pas de quelle version de la fiche il part. "
    "Rechargez la page, puis refaites vos modifications."
)
INVALID_VERSION = gettext_lazy(
    "La version de la fiche est invalide : rechargez la page, puis refaites vos modifications."
)


class MissingVersion(InvalidInput):
    """A write that does not say which version it started from: refused (400), nothing changed."""

    def __init__(self, message=None):
        super().__init__(message or str(MISSING_VERSION))


class VersionField(forms.IntegerField):
    """The version an edit form was opened on: hidden, required, a whole number within the column's range."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": MISSING_VERSION,
        "invalid": INVALID_VERSION,
        "min_value": INVALID_VERSION,
        "max_value": INVALID_VERSION,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", VERSION_MAX)
        super().__init__(**kwargs)


class VersionedForm:
    """Mixin for a form with a `version` field: its errors (a hidden field's) are shown with the form's own."""

    def full_clean(self):
        super().full_clean()
        if self._errors and "version" in self._errors:
            self.add_error(None, list(self._errors.pop("version")))


class ConflictError(Exception):
    def __init__(self, instance, changes, changed_by=None, changed_at=None):
        self.instance = instance
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def message(self):
        who = str(self.changed_by) if self.changed_by else _("une autre personne")
        return _(
            "Vos modifications n'ont pas été enregistrées : %(who)s a modifié cette fiche pendant que vous la "
            "complétiez. Voici ses changements ; rechargez la page pour repartir de la version à jour."
        ) % {"who": who}


def join_names(names):
    """A set of people or objects as people read it: their names in order, or « — » for none."""
    return ", ".join(sorted(names)) or "—"


def display_value(field, value):
    """A stored value as people read it: labels for choices, « oui » / « non », the related object's name
    rather than its id, French dates and numbers, times to the minute."""
    if value in (None, "", []):
        return "—"
    if field.many_to_many:
        # django-simple-history's many-to-many change: the through rows, [{"action": id, "user": id}, …].
        column = field.m2m_reverse_field_name()
        pks = [row[column] if isinstance(row, dict) else getattr(row, "pk", row) for row in value]
        return join_names(str(related) for related in field.related_model._base_manager.filter(pk__in=pks))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("oui") if value else _("non")
    if field.is_relation and field.related_model is not None:
        related = field.related_model._base_manager.filter(pk=getattr(value, "pk", value)).first()
        return str(related) if related is not None else _("(supprimé)")
    if isinstance(value, datetime.datetime):
        return long_date(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y à H:i")
    if isinstance(value, datetime.date):
        return long_date(value)
    if isinstance(value, Decimal | float):
        return number_format(value, decimal_pos=None if value % 1 else 0, use_l10n=True, force_grouping=True)
    return str(value)


def changes_since(instance, version):
    """What changed on `instance` since its `version`, as [{"field", "before", "after"}], with who and when."""
    history = getattr(instance, "history", None)
    if history is None:
        return [], None, None
    records = list(history.order_by("-history_date", "-history_id")[:50])
    if not records:
        return [], None, None
    latest = records[0]
    base = next((record for record in records if record.version == version), None)
    changes = []
    if base is not None and base.pk != latest.pk:
        delta = latest.diff_against(base, excluded_fields=["version"])
        for change in delta.changes:
            field = instance._meta.get_field(change.field)
            changes.append(
                {
                    "field": str(field.verbose_name),
                    "before": display_value(field, change.old),
                    "after": display_value(field, change.new),
                }
            )
    return changes, latest.history_user, latest.history_date


def expected(version):
    """The version a write says it started from, as an int; MissingVersion if it says none (or nonsense)."""
    if version is None or version == "":
        raise MissingVersion()
    try:
        return version_number(version)
    except InvalidInput as error:
        raise MissingVersion(error.message) from None


def lock_version(queryset, pk, expected_version):
    """Lock the row `pk` of `queryset` for the current transaction; raise ConflictError if its version moved,
    MissingVersion if `expected_version` is None: no caller can skip the check."""
    assert transaction.get_connection().in_atomic_block, "lock_version must run inside transaction.atomic"
    version = expected(expected_version)
    instance = queryset.select_for_update().get(pk=pk)
    if version != instance.version:
        changes, who, when = changes_since(instance, version)
        raise ConflictError(instance, changes, who, when)
    return instance
