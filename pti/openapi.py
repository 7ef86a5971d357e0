"""The API's OpenAPI schema says what the API does (drf-spectacular post-processing hook, `SPECTACULAR_SETTINGS`).

drf-spectacular describes the successful answers from the serializers; this hook adds what every operation may
also answer, and the bounds `pti.inputs` enforces on what a request may carry:

- 400 (a refused request: a validation error per field, or a `detail`), 401 (no or bad credentials), 404 (no such
  row, or a page past the last one); 403 and 415 on writes (not allowed; a body that is not JSON); 429 when the
  API is throttled; 409 and 412 are declared by the writes themselves (`pti.api.CONFLICT_RESPONSES`);
- parameters: identifiers and page numbers are whole numbers from 1, `page_size` at most the pagination's
  maximum, a slug is a slug, text parameters carry no NUL byte and no more than the middleware accepts, and
  `If-Match` is a version.
"""

from django.conf import settings

from pti import inputs
from pti.api import Pagination

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "Le motif, en français."}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": 'Les messages d\'erreur (en français) par champ ou paramètre : `{"champ": ["message"]}`, '
    'ou un motif général : `{"detail": "message"}`.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}
ERRORS = {
    "400": ("ValidationError", "Demande invalide : les messages disent quoi corriger ; rien n'a été modifié."),
    "401": ("Error", "Authentification requise : session ou jeton (`Authorization: Token …`) absent ou invalide."),
    "403": ("Error", "Vous n'avez pas le droit de faire cette modification."),
    "404": ("Error", "Aucune fiche ne correspond, ou la page demandée est au-delà de la dernière."),
    "415": ("Error", "Le corps de la demande doit être du JSON (`Content-Type: application/json`)."),
    "429": ("Error", "Trop de demandes : réessayez plus tard."),
}
WRITES = {"post", "put", "patch", "delete"}
NO_NUL = "^[^\\u0000]*$"
SLUG = "^[-a-zA-Z0-9_]+$"
IF_MATCH = '^(W/)?"?[0-9]{1,9}"?$'


def _error_response(name, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _bound_parameter(parameter):
    schema = parameter.setdefault("schema", {})
    name, location = parameter["name"], parameter["in"]
    kind = schema.get("type")
    if location == "header" and name.lower() == "if-match":
        schema.setdefault("pattern", IF_MATCH)
    elif kind == "integer":
        if location == "path" or name in ("page", "page_size"):
            schema.setdefault("minimum", 1)
        if location == "path":
            schema.setdefault("maximum", inputs.ID_MAX)
        if name == "page":
            schema.setdefault("maximum", inputs.PAGE_MAX)
        if name == "page_size":
            schema.setdefault("maximum", Pagination.max_page_size)
    elif kind == "string" and "enum" not in schema and "format" not in schema:
        if location == "path" and name == "slug":
            schema.setdefault("pattern", SLUG)
            schema.setdefault("maxLength", 50)
        else:
            schema.setdefault("pattern", NO_NUL)
            schema.setdefault("maxLength", inputs.QUERY_VALUE_MAX)


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation's error answers and bounded parameters."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    throttled = bool(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES"))
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "404"]
            if method in WRITES:
                codes += ["403", "415"]
            if throttled:
                codes.append("429")
            responses = operation["responses"]
            for code in codes:
                responses.setdefault(code, _error_response(*ERRORS[code]))
            for parameter in operation.get("parameters", []):
                _bound_parameter(parameter)
    return result
