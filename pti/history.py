"""Who changed what, and when: readable rows from django-simple-history records, for pages and exports."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db.models import OuterRef, Q, Subquery
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
    out), so a row lists the fields it changed. At most two queries per source, whatever the size of the
    history: the newest `limit` records of each source, each with the id of its previous record, then those
    previous records, only for the records kept among the newest `limit` of all sources (the others would be
    compared and described for nothing)."""
    newest = []
    for label, queryset in sources:
        model = queryset.model
        before = model._default_manager.filter(id=OuterRef("id")).filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        records = queryset.select_related("history_user").annotate(
            previous_history_id=Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])
        )
        newest.extend((label, record) for record in records.order_by("-history_date", "-history_id")[:limit])
    # Stable: records of the same date keep their source's order, as they did when every row was built.
    newest.sort(key=lambda item: item[1].history_date, reverse=True)
    kept = newest[:limit]
    previous = {}
    by_model = {}
    for _label, record in kept:
        if record.previous_history_id is not None:
            by_model.setdefault(type(record), set()).add(record.previous_history_id)
    for model, ids in by_model.items():
        previous.update(
            ((model, pk), record) for pk, record in model._default_manager.in_bulk(ids, field_name="history_id").items()
        )
    return [
        {
            "object": label(record) if callable(label) else label,
            "date": record.history_date,
            "user": record.history_user,
            "type": record.get_history_type_display(),
            "changes": _changes(record, previous.get((type(record), record.previous_history_id))),
        }
        for label, record in kept
    ]


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
