"""Related rows for a page of objects, one query per relation, as Django's `prefetch_related` reads them, without
its cost per object.

`prefetch_related` builds and filters a queryset for every object of the page (and, for a manager that annotates,
its annotations too) before putting the rows in its cache: on an API page of 50 reports with their documents, the
indicators of their actions and those indicators' values, that was a third of the request. `fill` reads each
relation in one query and puts the rows, as a list, where the related manager looks first: `obj.documents.all()`
is then that list, and no query is made, whatever reads it (a serializer, a template).
"""

import itertools

from django.db.models import F, ManyToManyField, ManyToOneRel


def _objects(instances, name):
    """The distinct objects reached from `instances` by `name` (a foreign key, or a relation already filled)."""
    seen, reached = set(), []
    for instance in instances:
        value = getattr(instance, name)
        for obj in value.all() if hasattr(value, "all") else (value,):
            if obj is not None and id(obj) not in seen:
                seen.add(id(obj))
                reached.append(obj)
    return reached


def fill(instances, lookups):
    """For each (path, queryset) of `lookups` (path: "documents", "action__indicators", "indicators__values"; the
    queryset: the related rows, with their own select_related; None for the related model's default manager),
    the related rows of every object reached, in one query for the path."""
    for path, queryset in lookups:
        *through, name = path.split("__")
        objects = list(instances)
        for step in through:
            objects = _objects(objects, step)
        if not objects:
            continue
        field = type(objects[0])._meta.get_field(name)
        by_pk = {}
        if isinstance(field, ManyToOneRel):
            key = field.field.attname
            rows = (queryset if queryset is not None else field.related_model._default_manager.all()).filter(
                **{f"{key}__in": {obj.pk for obj in objects}}
            )
            owners = {obj.pk: obj for obj in objects}
            for row in rows:
                field.field.set_cached_value(row, owners[getattr(row, key)])
                by_pk.setdefault(getattr(row, key), []).append(row)
            cache_name = field.cache_name
        elif isinstance(field, ManyToManyField):
            back = field.related_query_name()
            targets = queryset if queryset is not None else field.related_model._default_manager.all()
            rows = targets.filter(**{f"{back}__in": {obj.pk for obj in objects}}).annotate(_fill_source=F(back))
            for row in rows:  # one row per (object, related row), in the related rows' own order
                by_pk.setdefault(row._fill_source, []).append(row)
            cache_name = field.name
        else:
            raise ValueError(f"{path}: not a reverse foreign key nor a many-to-many field")
        for obj in objects:
            if not hasattr(obj, "_prefetched_objects_cache"):
                obj._prefetched_objects_cache = {}
            obj._prefetched_objects_cache[cache_name] = by_pk.get(obj.pk, [])


def in_chunks(queryset, lookups, chunk_size):
    """The rows of `queryset`, read `chunk_size` at a time (a server-side cursor where the database has one), each
    chunk with its related rows of `lookups` read by `fill`: lists of any length in flat memory (exports)."""
    rows = queryset.prefetch_related(None).iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        fill(chunk, lookups)
        yield chunk
