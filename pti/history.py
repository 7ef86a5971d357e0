"""Who changed what, and when: readable rows from django-simple-history records, for pages and exports."""

from itertools import groupby

from pti.concurrency import display_value


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

    Each record is compared with the previous record of the same object, so a row lists the fields it changed.
    Three queries per source (records, users), whatever the size of the history."""
    rows = []
    for label, queryset in sources:
        records = list(queryset.select_related("history_user").order_by("id", "-history_date", "-history_id")[:limit])
        for _object_id, group in groupby(records, key=lambda record: record.id):
            group = list(group)
            for newer, older in zip(group, group[1:] + [None], strict=False):
                rows.append(
                    {
                        "object": label(newer) if callable(label) else label,
                        "date": newer.history_date,
                        "user": newer.history_user,
                        "type": newer.get_history_type_display(),
                        "changes": _changes(newer, older),
                    }
                )
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]
