"""What the application accepts from a request, in one place, so that bad input answers 400 or 404 with a French
message and never reaches the database as something it refuses (HTTP 500).

- Numbers: every whole number read from a request (page numbers, years, identifiers, versions, `If-Match`) goes
  through `bounded_int`, or through the bounded filters and fields built on the same bounds (`id_filter`,
  `year_filter`, `VERSION_MAX`).
- Text: `InputGuardMiddleware` refuses NUL bytes (PostgreSQL cannot store them) and over-long values in the path,
  the query string, the form fields, the cookies and the headers, before any view, session or database sees them.
- JSON: the API's parser (`JSONParser`) refuses documents nested deeper than any of ours (`check_json_depth`);
  `api_exception_handler` answers Django's BadRequest in the API as a 400 with its message.
"""

import codecs
import re

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.drainage import set_override
from rest_framework import parsers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.utils import json

# Bounds of the numbers a request may carry.
ID_MAX = 2**63 - 1  # a bigint primary key
VERSION_MAX = 2**31 - 1  # a PositiveIntegerField (PostgreSQL integer)
YEAR_MIN, YEAR_MAX = 2000, 2100
PAGE_MAX = 100_000
# Longest values: a path, one query-string value, one form field (the longest text a form accepts is 10,000
# characters: twice that leaves room for line ends), one cookie or header.
PATH_MAX = 2_000
PATH_SEGMENT_MAX = 255  # a file name on the disk (media files served in development)
QUERY_VALUE_MAX = 2_000
FORM_VALUE_MAX = 20_000
HEADER_MAX = 8_000
JSON_DEPTH_MAX = 32

INTEGER = re.compile(r"[+-]?\d{1,30}")


class InvalidInput(BadRequest):
    """A request refused before it reached a view: the message (French) says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def bounded_int(value, minimum, maximum, label=None):
    """`value` (an int or its text) as an int within [minimum, maximum]; InvalidInput otherwise."""
    label = label or _("Valeur")
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if INTEGER.fullmatch(text) else None
    if not isinstance(value, int):
        raise InvalidInput(_("%(label)s : un nombre entier est attendu.") % {"label": label})
    if not minimum <= value <= maximum:
        raise InvalidInput(
            _("%(label)s : un nombre entier entre %(min)s et %(max)s est attendu.")
            % {"label": label, "min": minimum, "max": maximum}
        )
    return value


def page_number(request, name="page"):
    """The page asked for in the query string: 1 when absent or not a number; 404 beyond any list's last page."""
    value = request.GET.get(name, "")
    if not INTEGER.fullmatch(value.strip()):
        return 1
    try:
        return bounded_int(value, 1, PAGE_MAX)
    except InvalidInput:
        if int(value) < 1:
            return 1
        raise Http404(_("Cette page n'existe pas.")) from None


def version_number(value):
    """A version read by a client (a form's hidden field, the API's `version`, an `If-Match`)."""
    return bounded_int(value, 0, VERSION_MAX, label=_("Version"))


# --- filters (django-filter) and fields -----------------------------------------------------------------------


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an identifier, a year), bounded: the database is never asked for year 0 or 10**30, and
    `annee=2024.5` is refused (400), not ignored. The API's schema says so (an integer with its bounds)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {"type": "integer"}
        if self.extra.get("min_value") is not None:
            schema["minimum"] = self.extra["min_value"]
        if self.extra.get("max_value") is not None:
            schema["maximum"] = self.extra["max_value"]
        set_override(self, "field", schema)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0), or nothing; anything else is refused, not read as "no filter"."""

    widget = forms.TextInput
    default_error_messages = {"invalid": gettext_lazy("Saisissez true ou false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter of the API: `true` or `false`; `en_retard=256` is refused (400), not ignored."""

    field_class = StrictBooleanField


class GivenChoiceField(django_filters.fields.ChoiceField):
    """One of the choices, or the parameter left out; given empty (`?etat=`) it is refused, as the schema's enum
    says, rather than read as "no filter"."""

    def clean(self, value):
        if value == "":
            choices = ", ".join(str(key) for key, _label in self.choices if key != "")
            raise forms.ValidationError(
                gettext_lazy("Valeur vide : choisissez parmi %(choices)s, ou retirez le paramètre."),
                code="empty",
                params={"choices": choices},
            )
        return super().clean(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    """A choice filter of the API (`choice_filter`): an empty value is a 400, not the whole list."""

    field_class = GivenChoiceField


def choice_filter(field_name, choices, label, **kwargs):
    return ChoiceFilter(field_name=field_name, choices=choices, label=label, **kwargs)


def id_filter(field_name, label, **kwargs):
    return IntegerFilter(field_name=field_name, label=label, min_value=1, max_value=ID_MAX, **kwargs)


def year_filter(field_name, label, **kwargs):
    return IntegerFilter(field_name=field_name, label=label, min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


# --- JSON ---------------------------------------------------------------------------------------------------------


def check_json_depth(data, maximum=JSON_DEPTH_MAX):
    """Raise InvalidInput if `data` (parsed JSON) nests lists and objects deeper than `maximum`."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > maximum:
            raise InvalidInput(json_too_deep_message())
        stack.extend((child, depth + 1) for child in children)
    return data


def json_too_deep_message():
    return _("Le corps JSON est trop imbriqué (%(max)s niveaux au plus).") % {"max": JSON_DEPTH_MAX}


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with French messages, that refuses a document nested deeper than any of ours (a body of
    100,000 `[` would otherwise exhaust Python's recursion: an HTTP 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream))
        except RecursionError:
            raise ParseError(json_too_deep_message()) from None
        except ValueError as error:
            raise ParseError(
                _("Le corps de la demande n'est pas du JSON valide : %(error)s.") % {"error": error}
            ) from None
        try:
            return check_json_depth(data)
        except InvalidInput as error:
            raise ParseError(error.message) from None


def api_exception_handler(exc, context):
    """The API's exception handler: Django's BadRequest (refused input, a missing version) answered as a 400 with
    its message, Django's untranslated "No … matches the given query." said in French, then throttling's handler
    (pti.throttle: a 429 in French), which ends with DRF's."""
    from pti.throttle import api_exception_handler as throttle_exception_handler

    if isinstance(exc, BadRequest):
        exc = ParseError(getattr(exc, "message", None) or str(exc))
    elif isinstance(exc, Http404) and str(exc).endswith("matches the given query."):
        exc = NotFound(_("Aucune fiche ne correspond à cet identifiant."))
    return throttle_exception_handler(exc, context)


# --- the middleware -------------------------------------------------------------------------------------------


def refused_response(request, message):
    """The 400 answer to refused input: JSON for the API, the French error page otherwise."""
    message = message or _("La demande est invalide : son adresse ou son contenu ne peut pas être traité.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))


def _problem(request):
    """Why the request is refused, or None."""
    nul = _("L'adresse ou le formulaire contient un caractère nul : la demande est refusée.")
    if "\x00" in request.path:
        return nul
    if len(request.path) > PATH_MAX:
        return _("L'adresse est trop longue (%(max)s caractères au plus).") % {"max": PATH_MAX}
    if any(len(segment) > PATH_SEGMENT_MAX for segment in request.path.split("/")):
        return _("Un élément de l'adresse est trop long (%(max)s caractères au plus entre deux « / »).") % {
            "max": PATH_SEGMENT_MAX
        }
    for key, values in request.GET.lists():
        for value in [key, *values]:
            if "\x00" in value:
                return nul
            if len(value) > QUERY_VALUE_MAX:
                return _("Un paramètre de l'adresse est trop long (%(max)s caractères au plus).") % {
                    "max": QUERY_VALUE_MAX
                }
    for name, value in request.META.items():
        if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and isinstance(value, str):
            if "\x00" in value or len(value) > HEADER_MAX:
                return _("Un en-tête de la demande est invalide (caractère nul ou valeur trop longue).")
    for value in request.COOKIES.values():
        if "\x00" in value:
            return _("Un cookie de la demande contient un caractère nul : la demande est refusée.")
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, values in request.POST.lists():
            for value in [key, *values]:
                if "\x00" in value:
                    return nul
                if len(value) > FORM_VALUE_MAX:
                    return _("Un champ du formulaire est trop long (%(max)s caractères au plus).") % {
                        "max": FORM_VALUE_MAX
                    }
    return None


class InputGuardMiddleware:
    """Refuse, with a 400 and a French message, a request carrying a NUL byte or an over-long value anywhere a
    view could read it (path, query string, form fields, cookies, headers). First in the chain: nothing (session,
    authentication, view) has read the request yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _problem(request)
        if problem is not None:
            return refused_response(request, problem)
        return self.get_response(request)
