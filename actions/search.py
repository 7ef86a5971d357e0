"""The search over actions (`?q=` of the action list and of the API's `/api/v1/actions/`), in one place.

On PostgreSQL it is a full-text search. Migration 0010 creates two text search configurations, `pti_french`
(French stemming: "équipes" finds "équipe") and `pti_simple` (no stemming, so that a word being typed,
"numériq", still finds "numérique"), both through `unaccent` ("equipe" finds "équipe"), and a stored generated
column `actions_action.search_document` holding the number and title (weight A) and the description (weight B)
in both configurations, with a GIN index. The column is maintained by PostgreSQL alone: it is not a field of
the model (Django never writes it, and the other queries never read it); `document()` names it in a query.

Each word of the search (letters and digits, up to `MAX_WORDS`) becomes a prefix (`word:*`, see `ts_query`);
all words must match. An action whose number starts with the text is found too ("2.3").
Results are ranked (`SearchRank`, title before description), then in the list's usual order.

On SQLite (the embedded default) the search is the plain one: number starting with, title or description
containing the text.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Expression, Q

FRENCH, SIMPLE = "pti_french", "pti_simple"
COLUMN = "search_document"
# Letters and digits; everything else (punctuation, tsquery operators, quotes, NUL...) only separates words.
WORD_RE = re.compile(r"[^\W_]+")
# A text that may be the beginning of an action number ("2", "2.3", "2.3."): actions numbered so are found too.
NUMBER_RE = re.compile(r"\d{1,3}(\.\d{0,3}){0,3}")
MAX_WORDS = 10
SHORT = 3
MAX_WORD_LENGTH = 60
RANK = "search_rank"


class SearchDocument(Expression):
    """`actions_action.search_document` of the query's own action table (renamed with it in a subquery)."""

    output_field = SearchVectorField()

    def __init__(self, alias=None):
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(COLUMN)}", []

    def get_group_by_cols(self):
        return [self]

    def __eq__(self, other):
        return isinstance(other, SearchDocument) and other.alias == self.alias

    def __hash__(self):
        return hash((SearchDocument, self.alias))


def document():
    return SearchDocument()


def words(text):
    return [word[:MAX_WORD_LENGTH] for word in WORD_RE.findall(text)][:MAX_WORDS]


def ts_query(text):
    """The tsquery of `text`: every word as a prefix, all words required; None without a word.

    A word is stemmed (`pti_french`): its stem is a prefix of the word, so that `stem:*` matches the French
    lexemes of the word's forms and the unstemmed (`pti_simple`) lexemes of the words it begins ("numériq" finds
    "numérique", whose French lexeme is "numer"). One prefix per word keeps PostgreSQL's estimate of the rows
    close, so that it reads a rare word through the GIN index. A short word (SHORT letters at most) may be a stop
    word, which the French configuration drops: it is looked up unstemmed as well ("de" finds "de", "dépôt")."""
    query = None
    for word in words(text):
        term = SearchQuery(f"{word}:*", search_type="raw", config=FRENCH)
        if len(word) <= SHORT:
            term |= SearchQuery(f"{word}:*", search_type="raw", config=SIMPLE)
        query = term if query is None else query & term
    return query


def full_text(queryset):
    return connections[queryset.db].vendor == "postgresql"


def search(queryset, text):
    """The actions of `queryset` matching `text`, annotated with `search_rank` on PostgreSQL (see `ordered`)."""
    text = text.strip()
    if not text:
        return queryset
    if not full_text(queryset):
        return queryset.filter(Q(number__istartswith=text) | Q(title__icontains=text) | Q(description__icontains=text))
    query = ts_query(text)
    if query is None:
        return queryset.none()
    if NUMBER_RE.fullmatch(text) and "." in text:
        # "2.3": the actions numbered 2.3, 2.30…, not every text holding a 2 and a 3.
        return queryset.filter(number__startswith=text)
    condition = Q(search_doc=query)
    if NUMBER_RE.fullmatch(text):
        condition |= Q(number__startswith=text)
    return queryset.alias(search_doc=document()).annotate(**{RANK: SearchRank(document(), query)}).filter(condition)


def ordered(queryset, *order):
    """`queryset` in `order`, best matches first when it was searched with full text."""
    if RANK in queryset.query.annotations:
        return queryset.order_by(f"-{RANK}", *order)
    return queryset.order_by(*order)
