"""Who changed what, and when: readable rows from django-simple-history records, for pages and exports."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
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


def newest(parts, stop):
    """The `stop` newest rows across `parts` ([(queryset, date field)]), newest first, as [(part index, pk)], in
    one query. Rows of the same date keep the parts' order, then the newest pk first. Each part brings at most
    `stop` rows (a subquery served by its date index), so the database sorts at most `stop` rows per part,
    whatever the size of the tables."""
    selects = []
    for index, (queryset, date_field) in enumerate(parts):
        top = queryset.order_by(f"-{date_field}", "-pk").values("pk")[:stop]
        selects.append(
            queryset.model._base_manager.filter(pk__in=top)
            .annotate(_part=Value(index, output_field=IntegerField()), _key=F("pk"), _at=F(date_field))
            .values_list("_part", "_key", "_at")
            .order_by()
        )
    if not selects:
        return []
    union = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    return [(part, key) for part, key, _at in union.order_by("-_at", "_part", "-_key")[:stop]]


def _in_chunks(queryset, pks, size=500):
    """The rows of `queryset` whose pk is in `pks`, a few hundred ids per query (SQLite bounds a query's
    parameters)."""
    pks = list(pks)
    for start in range(0, len(pks), size):
        yield from queryset.filter(pk__in=pks[start : start + size])


def history_rows(sources, limit=40, offset=0, others=()):
    """`sources` is [(label, historical queryset)]; returns the rows `offset` to `offset + limit` of all of them,
    newest first.

    `others` are [(queryset, date field, describe)]: rows that are not history records (a bilan's steps), put in
    the same order, each made by `describe(row)` into the same dict as a history row.

    Each record is compared with the previous record of the same object (even one the queryset's filters leave
    out), so a row lists the fields it changed. The page is found by one query over every source, which brings
    only keys; then the records kept are read, one query per source that has some, each with the id of its
    previous record, and those previous records, one query per model: what a row costs does not depend on the
    size of the history, and nothing is read that is not shown."""
    parts = [(queryset, "history_date") for _label, queryset in sources]
    parts += [(queryset, date_field) for queryset, date_field, _describe in others]
    keys = newest(parts, offset + limit)[offset:]
    wanted = {}
    for part, key in keys:
        wanted.setdefault(part, []).append(key)
    found = {}
    previous_ids = {}
    for part, pks in wanted.items():
        queryset = parts[part][0]
        if part < len(sources):
            model = queryset.model
            before = model._default_manager.filter(id=OuterRef("id")).filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            queryset = queryset.select_related("history_user").annotate(
                previous_history_id=Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])
            )
        for record in _in_chunks(queryset.order_by(), pks):
            found[part, record.pk] = record
            if part < len(sources) and record.previous_history_id is not None:
                previous_ids.setdefault(type(record), set()).add(record.previous_history_id)
    previous = {}
    for model, ids in previous_ids.items():
        previous.update(((model, record.pk), record) for record in _in_chunks(model._default_manager.all(), ids))
    rows = []
    for part, key in keys:
        record = found.get((part, key))
        if record is None:  # deleted between the two queries
            continue
        if part >= len(sources):
            rows.append(others[part - len(sources)][2](record))
            continue
        label = sources[part][0]
        rows.append(
            {
                "object": label(record) if callable(label) else label,
                "date": record.history_date,
                "user": record.history_user,
                "type": record.get_history_type_display(),
                "changes": _changes(record, previous.get((type(record), record.previous_history_id))),
            }
        )
    return rows


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
