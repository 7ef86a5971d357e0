"""Who changed what, and when: readable rows from django-simple-history records, for pages and exports."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from pti.concurrency import display_value, join_names

_NO_REQUEST = object()


def _m2m_fields(record_model):
    """The many-to-many fields a historical model keeps (django-simple-history's `m2m_fields`)."""
    return list(getattr(record_model, "_history_m2m_fields", ()))


def _changes(newer, older, related):
    """What `newer` changed since `older`, as [{"field", "before", "after"}]. The many-to-many fields are compared
    on `related` ({(historical model, history id): {field name: set of pks}}, read for the whole page at once by
    `_read_related`) rather than by django-simple-history's two queries per field and row."""
    if older is None:
        return []
    m2m = _m2m_fields(type(newer))
    delta = newer.diff_against(older, excluded_fields=["version", *(field.name for field in m2m)])
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
    names = related["names"]
    for field in m2m:
        before = related.get((type(older), older.pk), {}).get(field.name, set())
        after = related.get((type(newer), newer.pk), {}).get(field.name, set())
        if before != after:
            rows.append(
                {
                    "field": field.verbose_name,
                    "before": join_names(names[pk] for pk in before),
                    "after": join_names(names[pk] for pk in after),
                }
            )
    return rows


def _read_related(records):
    """{(historical model, history id): {m2m field name: set of related pks}} for those of `records` whose model
    keeps many-to-many fields, and under "names" the related objects' names: one query per such model (and 500
    records), for a whole page."""
    related = {"names": {}}
    by_model = {}
    for record in records:
        if _m2m_fields(type(record)):
            by_model.setdefault(type(record), []).append(record.pk)
    for record_model, ids in by_model.items():
        for field in _m2m_fields(record_model):
            through = getattr(record_model, field.name).model  # the historical through rows (a manager on the class)
            column = field.m2m_reverse_field_name()
            for start in range(0, len(ids), 500):
                rows = through._default_manager.filter(history_id__in=ids[start : start + 500]).select_related(column)
                for row in rows:
                    pk = getattr(row, f"{column}_id")
                    related.setdefault((record_model, row.history_id), {}).setdefault(field.name, set()).add(pk)
                    named = getattr(row, column)  # None once the person's account is deleted
                    related["names"][pk] = str(named) if named is not None else _("(supprimé)")
    return related


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
    related = _read_related([*found.values(), *previous.values()])
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
                "changes": _changes(record, previous.get((type(record), record.previous_history_id)), related),
            }
        )
    return rows


class KeptHistory(HistoricalRecords):
    """django-simple-history's records, whose kept many-to-many fields (`m2m_fields`) may also change from the other
    side (`user.referent_actions.add(action)`): each object of this model that the change touches gets its record,
    where django-simple-history would try to write one for the other side's object."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if self.cls is sender:
            sender._pti_history = self  # for `save_with`

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        field = self.cls._meta.get_field(attr)
        if action == "pre_clear":
            # After the clear, the objects that lost `instance` are no longer found: noted now.
            through = field.remote_field.through
            instance._pti_cleared = set(
                through._default_manager.filter(**{field.m2m_reverse_field_name(): instance.pk}).values_list(
                    field.m2m_field_name(), flat=True
                )
            )
            return None
        if action not in ("post_add", "post_remove", "post_clear"):
            return None
        pks = instance.__dict__.pop("_pti_cleared", set()) if action == "post_clear" else set(pk_set or ())
        for obj in self.cls._default_manager.filter(pk__in=pks):
            super().m2m_changed(obj, action, attr, pks, False, **kwargs)
        return None


def save_with(instance, save=None, **m2m):
    """Save `instance` (by `save()`, its own `save` by default) with its kept many-to-many fields set (`m2m`: {field
    name: values}), in one history record: a new object's creation holding them, or the save's record holding
    the new sets. django-simple-history alone writes one record for the save, then one for each removal and each
    addition."""
    save = save or instance.save
    adding = instance._state.adding
    instance.skip_history_when_saving = True
    try:
        if adding:
            save()  # the many-to-many rows need its pk
        for name, values in m2m.items():
            getattr(instance, name).set(values)
    finally:
        del instance.skip_history_when_saving
    if adding:
        type(instance)._pti_history.create_historical_record(instance, "+")
    else:
        save()
    return instance


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


def baseline_m2m(field, history_model, history_through, using="default"):
    """Copy today's rows of the many-to-many `field` onto the latest historical record of each object whose latest
    record holds none: records written before the field was kept (or by bulk seeding) would otherwise show its
    first change as "— → …". Works with real models (seed_demo) and with a migration's historical models
    (`baseline_migration`). Returns how many rows were copied."""
    from django.db.models import Max

    through = field.remote_field.through
    owner, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    latest = dict(
        history_model._default_manager.using(using)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    holding = set(
        history_through._default_manager.using(using)
        .filter(history_id__in=list(latest.values()))
        .values_list("history_id", flat=True)
        .distinct()
    )
    rows = [
        history_through(id=pk, history_id=latest[obj], **{f"{owner}_id": obj, f"{target}_id": related})
        for pk, obj, related in through._default_manager.using(using).values_list("pk", f"{owner}_id", f"{target}_id")
        if obj in latest and latest[obj] not in holding
    ]
    history_through._default_manager.using(using).bulk_create(rows, batch_size=1000)
    return len(rows)


def baseline_kept(model, field_name, using="default"):
    """`baseline_m2m` for `model`'s kept `field_name` (real models: seed_demo)."""
    history_model = model.history.model
    field = model._meta.get_field(field_name)
    return baseline_m2m(field, history_model, getattr(history_model, field_name).model, using)


def baseline_migration(app_label, model_name, field_name):
    """The RunPython function of the migration that starts keeping `model_name`'s `field_name`."""

    def baseline(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        baseline_m2m(
            model._meta.get_field(field_name),
            apps.get_model(app_label, f"Historical{model_name}"),
            apps.get_model(app_label, f"Historical{model_name}_{field_name}"),
            using=schema_editor.connection.alias,
        )

    return baseline
