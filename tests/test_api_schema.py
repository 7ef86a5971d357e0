"""Property test of the API against its own OpenAPI schema: schemathesis generates requests (valid and invalid)
for every operation, sent authenticated through the WSGI application, and runs every check on each answer: no
server error, every status and content type documented, bodies and headers as the schema says, invalid requests
refused, valid ones accepted, credentials not ignored.

Valid writes may still be refused with 400 (rules the schema cannot say: an end date before the start date, a
year closed by its bilan, an objective of another axe) or 412 (a stale If-Match): the configuration says so for
POST and PATCH; reads are held to schemathesis' defaults.

Bounded (a few examples per operation, derandomized) so that it takes seconds and gives the same run every time.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgressReportFactory,
)
from actions.models import Action, ProgressReport
from actions.serializers import ActionUpdateSerializer, ReportWriteSerializer
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from bilans.factories import BilanFactory
from pilotage.factories import CopilFactory, DecisionFactory
from pilotage.models import Copil, Decision
from pilotage.serializers import CopilWriteSerializer, DecisionWriteSerializer
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    """ActionFactory numbers actions from a per-process sequence that no number may pass 999 (2.999): this module
    creates many actions, so it hands the sequence back at zero (each test's rows are rolled back anyway)."""
    yield
    ActionFactory.reset_sequence()


EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
RESOURCES = {
    "/api/v1/actions/": "actions",
    "/api/v1/comptes-rendus/": "reports",
    "/api/v1/axes/": "axes",
    "/api/v1/objectifs/": "objectifs",
    "/api/v1/indicateurs/": "indicators",
    "/api/v1/partenaires/": "partners",
    "/api/v1/copils/": "copils",
    "/api/v1/decisions/": "decisions",
    "/api/v1/bilans/": "bilans",
}


@pytest.fixture
def wsgi_app(settings):
    """Django's WSGI application, as a server runs it, inside the test's transaction (as Django's test client
    does, the connection is not closed at the end of each request)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.PTI_API_THROTTLE_RATE = None  # hundreds of requests in seconds, by design (pti/tests/test_throttle.py)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def data(db):
    referent = UserFactory(username="ref-api")
    pacte = PacteFactory(slug="pti-api")
    axe = AxeFactory(pacte=pacte, number=1, thematic_referents=[referent])
    objectif = ObjectifFactory(axe=axe, number=1)
    actions = [ActionFactory(axe=axe, objectif=objectif, number=f"1.{n}", referents=[referent]) for n in (1, 2, 3)]
    for action in actions:
        ActionPartnerFactory(action=action)
        IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2023)
        ProgressReportFactory(action=action, year=2023)
    copil = CopilFactory(pacte=pacte)
    DecisionFactory(copil=copil, action=actions[0])
    BilanFactory(pacte=pacte)
    ids = {
        "actions": [a.pk for a in actions],
        "reports": list(pacte.actions.values_list("reports__pk", flat=True)),
        "axes": [axe.pk],
        "objectifs": [objectif.pk],
        "indicators": list(pacte.actions.values_list("indicators__pk", flat=True)),
        "partners": list(pacte.actions.values_list("partners__pk", flat=True)),
        "copils": [copil.pk],
        "decisions": list(copil.decisions.values_list("pk", flat=True)),
        "bilans": list(pacte.bilans.values_list("pk", flat=True)),
        "pacte_slug": pacte.slug,
    }
    return {
        "referent": referent,
        "staff": UserFactory(username="agent-api", staff=True),
        "ids": ids,
        "slug": pacte.slug,
    }


CONFIG = {
    "operations": [
        {
            "include-method": ["POST", "PATCH"],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
                }
            },
        }
    ]
}


def load_schema(app, headers):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", app, headers=headers, config=SchemathesisConfig.from_dict(CONFIG)
    )
    return [result.ok() for result in schema.get_all_operations()]


def resource_of(path):
    return next((name for prefix, name in RESOURCES.items() if path.startswith(prefix)), None)


WRITABLE = {
    "actions": (Action, ActionUpdateSerializer),
    "reports": (ProgressReport, ReportWriteSerializer),
    "copils": (Copil, CopilWriteSerializer),
    "decisions": (Decision, DecisionWriteSerializer),
}


def aim_at_real_rows(case, resource, pick, ids):
    """Make a generated write reach the service: known fields only, the version actually read, an existing
    action and a year of the pacte; the values themselves stay generated (valid or not)."""
    if resource not in WRITABLE:  # the bilans' decisions: the generated body as is, aimed at a real bilan
        return
    model, serializer = WRITABLE[resource]
    case.headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "if-match"}
    case.body = {name: value for name, value in case.body.items() if name in serializer().fields}
    if case.method == "PATCH":
        row = model.objects.filter(pk=pick).first()
        case.body["version"] = row.version if row else 1
    elif resource == "copils":
        case.body["pacte"] = ids["pacte_slug"]
    elif resource == "decisions":
        case.body["copil"] = ids["copils"][0]
    else:
        case.body["action"] = ids["actions"][pick % len(ids["actions"])]
        case.body["year"] = 2022 + pick % 4


def run_operation(operation, app, headers, ids, slug, mode):
    resource = resource_of(operation.path)
    known = ids.get(resource) or [1]

    @settings(
        max_examples=EXAMPLES[mode] * (1 if operation.method.upper() == "GET" else 3),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        pick=st.sampled_from([*known, 10**9]),
        real=st.sampled_from([True, True, False]),
    )
    def check(case, pick, real):
        # Half of the cases aim at rows that exist, so that reads and writes reach the code behind the 404.
        if real and case.path_parameters:
            if "id" in case.path_parameters:
                case.path_parameters["id"] = pick
            if "slug" in case.path_parameters:
                case.path_parameters["slug"] = slug
        if real and case.method in ("PATCH", "POST") and isinstance(case.body, dict):
            aim_at_real_rows(case, resource, pick, ids)
        # Every check schemathesis has (not only "no server error").
        case.call_and_validate(app=app, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameter with a constraint to break).
        assert mode == GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("who", ["staff", "referent"])
def test_every_operation_answers_as_its_schema_says(wsgi_app, data, who):
    token = Token.objects.create(user=data[who])
    headers = {"Authorization": f"Token {token.key}"}
    operations = load_schema(wsgi_app, headers)
    methods = {(operation.method.upper(), operation.path) for operation in operations}
    assert ("PATCH", "/api/v1/actions/{id}/") in methods and ("POST", "/api/v1/comptes-rendus/") in methods
    for operation in operations:
        for mode in EXAMPLES:
            run_operation(operation, wsgi_app, headers, data["ids"], data["slug"], mode)


def test_the_schema_needs_authentication(wsgi_app, db):
    with pytest.raises(Exception, match="401"):
        schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)


# --- what the schema says, read literally -------------------------------------------------------------------


@pytest.fixture
def api_client(client, db, settings):
    settings.PTI_API_THROTTLE_RATE = None  # throttling has its own tests (pti/tests/test_throttle.py)
    user = UserFactory(username="lecteur-api", staff=True)
    token = Token.objects.create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def openapi(api_client):
    return api_client.get("/api/v1/schema/?format=json").json()


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/api/v1/actions/", {"200", "400", "401", "404", "429"}),
        ("get", "/api/v1/actions/{id}/", {"200", "400", "401", "404", "429"}),
        ("patch", "/api/v1/actions/{id}/", {"200", "400", "401", "403", "404", "409", "412", "415", "429"}),
        ("post", "/api/v1/comptes-rendus/", {"201", "400", "401", "403", "404", "409", "415", "429"}),
        ("patch", "/api/v1/comptes-rendus/{id}/", {"200", "400", "401", "403", "404", "409", "412", "415", "429"}),
        ("get", "/api/v1/pactes/{slug}/", {"200", "400", "401", "404", "429"}),
        ("get", "/api/v1/bilans/{id}/pdf/", {"200", "400", "401", "404", "409", "410", "429"}),
        ("get", "/api/v1/decisions/", {"200", "400", "401", "404", "429"}),
    ],
)
def test_the_schema_documents_every_status_an_operation_answers(openapi, method, path, statuses):
    assert set(openapi["paths"][path][method]["responses"]) == statuses


STALE_RULE = (
    "Le champ `version` (ou l'en-tête If-Match) porte la version lue ; il est obligatoire. Si quelqu'un a enregistré "
    "{subject} depuis, rien n'est {done} et la réponse 409 (412 avec If-Match) donne la version actuelle et les "
    "changements de l'autre personne."
)


@pytest.mark.parametrize(
    ("method", "path", "subject", "done"),
    [
        ("patch", "/api/v1/actions/{id}/", "l'action", "modifié"),
        ("patch", "/api/v1/comptes-rendus/{id}/", "le compte rendu", "modifié"),
        ("patch", "/api/v1/copils/{id}/", "le COPIL", "modifié"),
        ("patch", "/api/v1/decisions/{id}/", "la décision", "modifié"),
        ("patch", "/api/v1/etapes/{id}/", "l'étape", "modifié"),
        ("delete", "/api/v1/etapes/{id}/", "l'étape", "supprimé"),
        ("patch", "/api/v1/contributions/{id}/", "la contribution", "modifié"),
        ("patch", "/api/v1/preferences-notifications/", "vos préférences", "modifié"),
    ],
)
def test_every_versioned_write_states_the_same_stale_version_rule(openapi, method, path, subject, done):
    """The rule is written once (pti.api.conflict_schema) and ends each versioned write's description, with the
    If-Match parameter and the 409 and 412 answers."""
    operation = openapi["paths"][path][method]
    assert operation["description"].endswith(STALE_RULE.format(subject=subject, done=done))
    assert "If-Match" in [parameter["name"] for parameter in operation["parameters"]]
    assert {"409", "412"} <= set(operation["responses"])


def test_error_answers_are_documented_as_json_with_a_detail(openapi):
    responses = openapi["paths"]["/api/v1/actions/{id}/"]["patch"]["responses"]
    assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert openapi["components"]["schemas"]["Error"]["required"] == ["detail"]
    assert responses["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Conflict"}


def parameter(openapi, path, name, method="get"):
    return next(p for p in openapi["paths"][path][method]["parameters"] if p["name"] == name)["schema"]


@pytest.mark.parametrize(
    "path", ["/api/v1/actions/", "/api/v1/comptes-rendus/", "/api/v1/copils/", "/api/v1/bilans/", "/api/v1/pactes/"]
)
def test_annee_is_a_bounded_integer_everywhere(openapi, api_client, path):
    assert parameter(openapi, path, "annee") == {"type": "integer", "minimum": 2000, "maximum": 2100}
    for refused in ("2024.5", "1999", "2101", "deux-mille", "99999999999999999999"):
        response = api_client.get(path, {"annee": refused})
        assert response.status_code == 400, (refused, response.content)
        assert "annee" in response.json()
    assert api_client.get(path, {"annee": "2024"}).status_code == 200


def test_parameters_carry_their_bounds(openapi):
    assert parameter(openapi, "/api/v1/actions/", "page") == {"type": "integer", "minimum": 1, "maximum": 100_000}
    assert parameter(openapi, "/api/v1/actions/", "page_size") == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameter(openapi, "/api/v1/actions/", "axe") == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert parameter(openapi, "/api/v1/actions/{id}/", "id")["minimum"] == 1
    assert parameter(openapi, "/api/v1/pactes/{slug}/", "slug")["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert parameter(openapi, "/api/v1/actions/", "q")["maxLength"] == 2000
    assert parameter(openapi, "/api/v1/actions/{id}/", "If-Match", "patch")["pattern"] == '^(W/)?"?[0-9]{1,9}"?$'


def test_required_fields_are_marked(openapi):
    schemas = openapi["components"]["schemas"]
    assert set(schemas["ReportCreateRequest"]["required"]) == {"action", "year"}
    assert {"id", "title", "version", "partners"} <= set(schemas["Action"]["required"])
    assert {"detail", "current_version", "changes"} <= set(schemas["Conflict"]["required"])


def test_a_partner_without_email_or_website_answers_null_as_documented(openapi, api_client):
    partner = ActionPartnerFactory(partner__email="", partner__website="").partner
    body = api_client.get(f"/api/v1/partenaires/{partner.pk}/").json()
    assert body["email"] is None and body["website"] is None
    properties = openapi["components"]["schemas"]["Partner"]["properties"]
    assert properties["email"]["nullable"] is True and properties["email"]["format"] == "email"
    assert properties["website"]["nullable"] is True and properties["website"]["format"] == "uri"


@pytest.mark.parametrize("page_size", ["0", "201", "abc", "-1", "1.5"])
def test_a_page_size_out_of_bounds_is_refused_not_ignored(api_client, page_size):
    response = api_client.get("/api/v1/actions/", {"page_size": page_size})
    assert response.status_code == 400
    assert "Nombre de résultats par page" in response.json()["page_size"][0]


def test_an_action_filter_naming_a_row_that_does_not_exist_gives_an_empty_list(api_client):
    ActionFactory()
    for name, value in [("pacte", "inconnu"), ("axe", "999999"), ("referent", "999999"), ("partenaire", "999999")]:
        response = api_client.get("/api/v1/actions/", {name: value})
        assert response.status_code == 200 and response.json()["count"] == 0, name
    assert api_client.get("/api/v1/actions/").json()["count"] == 1


def test_the_api_takes_json_only(api_client):
    action = ActionFactory()
    response = api_client.patch(
        f"/api/v1/actions/{action.pk}/", "version=1&title=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert Action.objects.get(pk=action.pk).title == action.title


def test_an_address_outside_the_routes_answers_json(api_client):
    for path in ("/api/v1/inconnu/", "/api/v1/actions/4.9e-298/"):
        response = api_client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["detail"]
    assert api_client.get("/api/v1/inconnu/").json()["detail"] == "Aucune ressource de l'API à cette adresse."


# --- the shapes seen in production, through the WSGI stack a server runs ----------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "message"),
    [
        ("GET", "/api/v1/pactes/a%00b/", None, {}, 400, "caractère nul"),
        ("GET", "/api/v1/actions/?q=%00", None, {}, 400, "caractère nul"),
        ("GET", "/api/v1/actions/?page=99999999999999999999", None, {}, 404, "Page non valide"),
        ("GET", "/api/v1/actions/?annee=2024.5", None, {}, 400, "nombre entier"),
        ("GET", "/api/v1/actions/99999999999999999999/", None, {}, 404, "Aucune fiche"),
        ("PATCH", "/api/v1/actions/{action}/", "[" * 100_000, {}, 400, "trop imbriqué"),
        ("POST", "/api/v1/comptes-rendus/", "[" * 100_000, {}, 400, "trop imbriqué"),
        ("PATCH", "/api/v1/actions/{action}/", '{"title": "x"}', {"If-Match": '"' + "9" * 5000 + '"'}, 400, "If-Match"),
        ("PATCH", "/api/v1/actions/{action}/", '{"title": "x"}', {}, 400, "version lue est obligatoire"),
    ],
)
def test_hostile_requests_through_wsgi_answer_400_or_404_in_french(
    wsgi_app, data, method, path, body, headers, status, message
):
    from werkzeug.test import Client

    token = Token.objects.create(user=data["staff"])
    response = Client(wsgi_app).open(
        path.format(action=data["ids"]["actions"][0]),
        method=method,
        data=body,
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json", **headers},
    )
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "application/json"
    assert message in response.get_data(as_text=True)
    assert Action.objects.filter(title="x").count() == 0


@pytest.mark.parametrize("path", ["/api/v1/actions/", "/api/v1/decisions/"])
def test_a_yes_no_filter_takes_true_or_false_only(api_client, path):
    for refused in ("256", "peut-être", "2"):
        response = api_client.get(path, {"en_retard": refused})
        assert response.status_code == 400, refused
        assert response.json()["en_retard"] == ["Saisissez true ou false."]
    for accepted in ("true", "false", "1", "0"):
        assert api_client.get(path, {"en_retard": accepted}).status_code == 200, accepted
