"""Pages of a long list that cost the same deep in the list as at its start (keyset pagination).

A list in a unique order (its last key is the primary key) is read page after page from the row that ended the
previous one: "Suivante" carries that row's keys (`?apres=…`), "Précédente" the first row's (`?avant=…`), and the
database reads the page straight from the index of that order, whatever the page number (an OFFSET would read
and throw away every row before it). `?page=N` alone still works (bookmarks, the page's number typed by hand)
and reads by offset (from the end of the list past its middle: the last page costs what the first
costs); the links keep `page` so that "Page N sur M" stays right. A key that does not parse or that
no longer leads anywhere (the row was deleted) falls back to the page's number: never an error.

The count is one `COUNT(*)` of the filtered rows (no DISTINCT: filters through many-to-many relations are written
as EXISTS), read from the cache while the data is unchanged (`pti.stamps`), as are the keys of a page read by
rank (a search): paging through a search ranks its matches once.
"""

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.utils.functional import cached_property

from pti import stamps

AFTER, BEFORE, PAGE = "apres", "avant", "page"
SEPARATOR = "~"
MAX_CURSOR = 200
CURSOR_PARAMS = (AFTER, BEFORE, PAGE)


class RowCompare(Func):
    """`(a, b, c) > (x, y, z)`: a row comparison, which an index on (a, b, c) serves as a range."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, columns, values, operator=">"):
        super().__init__(*[F(column) for column in columns], *[Value(value) for value in values])
        self.width = len(columns)
        self.operator = operator

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(sql_params)
        left, right = ", ".join(parts[: self.width]), ", ".join(parts[self.width :])
        return f"({left}) {self.operator} ({right})", params


@dataclass
class Page:
    object_list: list
    number: int
    num_pages: int | None  # None: a list that is not counted (only "Précédente" and "Suivante")
    count: int | None
    previous_href: str | None = None
    next_href: str | None = None
    keyset: bool = field(default=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def paginator(self):
        # Templates written for Django's Paginator read page.paginator.count and .num_pages.
        return self

    @property
    def has_previous(self):
        return self.previous_href is not None

    @property
    def has_next(self):
        return self.next_href is not None


def clamped_page(value, num_pages):
    """The page `value` asks for, between 1 and `num_pages`: 1 when it is not a number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def _key(row, order):
    return SEPARATOR.join(str(getattr(row, name)) for name in order)


def _parse(model, order, text):
    """The values of a cursor, each through its model field, or None when it does not parse."""
    if not text or len(text) > MAX_CURSOR:
        return None
    parts = text.split(SEPARATOR)
    if len(parts) != len(order):
        return None
    values = []
    for name, part in zip(order, parts, strict=True):
        model_field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        try:
            values.append(model_field.to_python(part))
        except ValidationError:
            return None
        if values[-1] is None:
            return None
    return values


def paginate(queryset, params, order, per_page, *, keyset=True):
    """The page of `queryset` asked for by `params` (a QueryDict: `page`, `apres`, `avant`), in `order` (field
    names, ascending, the last one unique: "pk"). With `keyset=False` (an order the keys cannot follow, such as
    a search's rank) pages are read by offset."""
    count = stamps.count(queryset)
    num_pages = max(1, math.ceil(count / per_page))
    number = clamped_page(params.get(PAGE), num_pages)
    model = queryset.model
    rows = None
    if keyset and count:
        after = _parse(model, order, params.get(AFTER))
        before = _parse(model, order, params.get(BEFORE)) if after is None else None
        if after is not None:
            rows = list(queryset.filter(RowCompare(order, after, ">")).order_by(*order)[:per_page])
        elif before is not None:
            descending = [f"-{name}" for name in order]
            rows = list(queryset.filter(RowCompare(order, before, "<")).order_by(*descending)[:per_page])[::-1]
        if not rows:
            rows = None
    if rows is None:
        start = (number - 1) * per_page
        end = min(start + per_page, count)
        if keyset and start > count - end:
            # Past the middle (the last page, say) the page is read from the end of the list, in reverse.
            descending = [f"-{name}" for name in order]
            rows = list(queryset.order_by(*descending)[count - end : count - start])[::-1]
        elif keyset:
            rows = list(queryset.order_by(*order)[start:end])
        else:
            rows = _ranked_rows(queryset, start, end)
    page = Page(rows, number, num_pages, count, keyset=keyset)
    if number > 1:
        cursor = {BEFORE: _key(rows[0], order)} if keyset and rows and number > 2 else {}
        page.previous_href = _href(params, {PAGE: number - 1, **cursor})
    if number < num_pages:
        cursor = {AFTER: _key(rows[-1], order)} if keyset and rows else {}
        page.next_href = _href(params, {PAGE: number + 1, **cursor})
    return page


def page_href(params, number):
    """`?…`: the query string `params` pointing at page `number` (a list read by offset, without cursor)."""
    return _href(params, {PAGE: number})


def _ranked_rows(queryset, start, end):
    """Rows `start` to `end` of `queryset` in its own order (a search's rank): which rows, from the cache while
    the data is unchanged (ranking every match is what such a page costs), then those rows by their keys."""
    pks = stamps.rows(queryset.values_list("pk", flat=True)[start:end])
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=pks)}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _href(params, values):
    """`?…`: the query string `params` without its page and cursor, plus `values`."""
    query = params.copy()
    for name in CURSOR_PARAMS:
        query.pop(name, None)
    for name, value in values.items():
        query[name] = str(value)
    return "?" + query.urlencode(safe="~")


class FromTheEndPaginator(Paginator):
    """Django's Paginator (page numbers, offsets) that reads a page past the middle of an ordered queryset from
    its end, in reverse: the last page costs what the first costs (the API's lists). The count of a watched
    model's rows is read from the cache while the data is unchanged (`pti.stamps`): counting 49,000 reports was
    what grew with the data."""

    @cached_property
    def count(self):
        rows = self.object_list
        return stamps.count(rows) if isinstance(rows, QuerySet) else super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        ordered = getattr(rows, "ordered", False) and hasattr(rows, "reverse")
        if ordered and bottom > self.count - top:
            return self._get_page(list(rows.reverse()[self.count - top : self.count - bottom])[::-1], number, self)
        return self._get_page(rows[bottom:top], number, self)
