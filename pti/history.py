"""Who changed what, and when: readable rows from django-simple-history records, for pages and exports."""

from contextlib import contextmanager
from itertools import groupby
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

from pti.concurrency import display_value

_NO_REQUEST = object()


def _changes(newer, older):
    if older is None:
        return []
    delta = newer.diff_against(older, excluded_fields=["version"])
    model = newer.instance_type
    rows = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        rows.append(
            {
                "field": field.verbose_name,
                "before": display_value(field, change.old),
                "after": display_value(field, change.new),
            }
        )
    return rows


def history_rows(sources, limit=40):
    """`sources` is [(label, historical queryset)]; returns the newest `limit` rows across all of them.

    Each record is compared with the previous record of the same object (even one the queryset's filters leave
    out), so a row lists the fields it changed. Two queries per source, whatever the size of the history."""
    rows = []
    for label, queryset in sources:
        newest = list(queryset.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
        everything = queryset.model._default_manager.filter(id__in={record.id for record in newest}).order_by(
            "id", "-history_date", "-history_id"
        )
        previous = {}
        for _object_id, group in groupby(everything, key=lambda record: record.id):
            group = list(group)
            for newer, older in zip(group, group[1:], strict=False):
                previous[newer.history_id] = older
        for record in newest:
            rows.append(
                {
                    "object": label(record) if callable(label) else label,
                    "date": record.history_date,
                    "user": record.history_user,
                    "type": record.get_history_type_display(),
                    "changes": _changes(record, previous.get(record.history_id)),
                }
            )
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]


@contextmanager
def acting_user(user):
    """Within the block, django-simple-history records `user` as the author of every change (a request's user is
    what it reads otherwise; an import, a task or a command acts on someone's behalf). None changes nothing."""
    if user is None:
        yield
        return
    context = HistoricalRecords.context
    previous = getattr(context, "request", _NO_REQUEST)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is _NO_REQUEST:
            del context.request
        else:
            context.request = previous
