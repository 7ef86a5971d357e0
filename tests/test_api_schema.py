"""Property test of the API against its own OpenAPI schema: schemathesis generates requests (valid and invalid)
for every operation, sent authenticated through the WSGI application; no answer may be a server error.

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
    }
    return {
        "referent": referent,
        "staff": UserFactory(username="agent-api", staff=True),
        "ids": ids,
        "slug": pacte.slug,
    }


def load_schema(app, headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app, headers=headers)
    return [result.ok() for result in schema.get_all_operations()]


def resource_of(path):
    return next((name for prefix, name in RESOURCES.items() if path.startswith(prefix)), None)


WRITABLE = {"actions": (Action, ActionUpdateSerializer), "reports": (ProgressReport, ReportWriteSerializer)}


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
        response = case.call(app=app, headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r} → {response.status_code}\n"
            f"{response.text[:2000]}"
        )

    try:
        check()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameter with a constraint to break).
        assert mode == GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("who", ["staff", "referent"])
def test_no_operation_of_the_schema_answers_a_server_error(wsgi_app, data, who):
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
