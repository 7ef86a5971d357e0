"""Make rows exist with given values, in bulk, changing nothing that is already right.

`sync` is what keeps the demo seed idempotent and fast: it reads the existing rows once, creates the
missing ones with `bulk_create_with_history` (so the history tables get their "created" rows, like a
save would), and saves only the rows whose values differ, with `update_fields`. It never deletes.
"""

from collections import Counter

from simple_history.utils import bulk_create_with_history

BATCH_SIZE = 2000


class Stats:
    """How many rows of each model the seed created or updated."""

    def __init__(self):
        self.created_by_model = Counter()
        self.updated_by_model = Counter()

    def created(self, model, count=1):
        self.created_by_model[model._meta.label] += count

    def updated(self, model, count=1):
        self.updated_by_model[model._meta.label] += count

    @property
    def total_created(self):
        return sum(self.created_by_model.values())

    @property
    def total_updated(self):
        return sum(self.updated_by_model.values())


def has_history(model):
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


def sync(model, keys, rows, existing, stats):
    """Create or update `rows` (dicts of attribute names, e.g. "pacte_id") identified by `keys`.

    `existing` is a queryset (or list) holding at least the rows that may already exist. Returns
    {key tuple: instance} for every row.
    """
    index = {tuple(getattr(obj, key) for key in keys): obj for obj in existing}
    result = {}
    to_create = []
    for row in rows:
        key = tuple(row[key] for key in keys)
        if key in result:
            raise ValueError(f"{model.__name__} : clé en double {key}")
        obj = index.get(key)
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
        else:
            changed = [name for name, value in row.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, row[name])
                obj.save(update_fields=changed)
                stats.updated(model)
        result[key] = obj
    if to_create:
        if has_history(model):
            bulk_create_with_history(to_create, model, batch_size=BATCH_SIZE)
        else:
            model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
        stats.created(model, len(to_create))
    return result


def sync_m2m(through, left, right, pairs, left_ids, stats):
    """Make the links of the `left_ids` objects exactly `pairs` ((left id, right id)), like `.set()` in bulk."""
    left_attname, right_attname = f"{left}_id", f"{right}_id"
    existing = set(through.objects.filter(**{f"{left_attname}__in": left_ids}).values_list(left_attname, right_attname))
    pairs = set(pairs)
    missing = sorted(pairs - existing)
    if missing:
        through.objects.bulk_create(
            [through(**{left_attname: a, right_attname: b}) for a, b in missing], batch_size=BATCH_SIZE
        )
        stats.created(through, len(missing))
    for a, b in sorted(existing - pairs):
        through.objects.filter(**{left_attname: a, right_attname: b}).delete()
        stats.updated(through)
