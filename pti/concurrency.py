"""No lost update: every edit form and API write carries the `version` it started from.

`lock_version(model, pk, expected)` locks the row and refuses the write when someone saved it in between,
raising `ConflictError` with what the other person changed (read from django-simple-history), so the page
can show it instead of silently overwriting it.
"""

from django.db import transaction
from django.utils.translation import gettext as _


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


def display_value(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
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


def lock_version(queryset, pk, expected_version):
    """Lock the row `pk` of `queryset` for the current transaction; raise ConflictError if its version moved."""
    assert transaction.get_connection().in_atomic_block, "lock_version must run inside transaction.atomic"
    instance = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and int(expected_version) != instance.version:
        changes, who, when = changes_since(instance, int(expected_version))
        raise ConflictError(instance, changes, who, when)
    return instance
