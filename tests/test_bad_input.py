"""Bad input never answers HTTP 500: NUL bytes, huge numbers, over-long values, JSON nested 100,000 deep, an
If-Match of 5,000 digits. Each answers 400 or 404 with a French message, and changes nothing.

In production shape (DEBUG off, exceptions turned into responses as a server does). The DataError of a NUL byte or
of a number beyond bigint only shows on PostgreSQL: run this module with DATABASE_URL=postgres://… too.
"""

import re

import pytest
from django.urls import get_resolver
from django.urls.resolvers import URLResolver
from rest_framework.authtoken.models import Token

from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import Action, ProgressReport
from axes.factories import AxeFactory, PacteFactory
from bilans.factories import BilanFactory
from pilotage.factories import CopilFactory, DecisionFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
NUL_MESSAGE = "caractère nul"


@pytest.fixture
def plan(staff):
    pacte = PacteFactory(slug="pti-fuzz")
    axe = AxeFactory(pacte=pacte, number=1)
    action = ActionFactory(axe=axe, number="1.1", title="Intitulé d'origine", referents=[staff])
    IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2024, target=10)
    report = ProgressReportFactory(action=action, year=2024)
    copil = CopilFactory(pacte=pacte)
    decision = DecisionFactory(copil=copil, action=action)
    BilanFactory(pacte=pacte, year=2024)
    return {"pacte": pacte, "action": action, "report": report, "copil": copil, "decision": decision}


@pytest.fixture
def server(client, staff, settings):
    """The test client as a production server answers: DEBUG off, exceptions become the error pages."""
    settings.DEBUG = False
    settings.PTI_API_THROTTLE_RATE = None  # hundreds of requests by design; throttling has its own tests
    client.raise_request_exception = False
    client.force_login(staff)
    return client


@pytest.fixture
def api(server, staff):
    token = Token.objects.create(user=staff)
    server.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return server


def text(response):
    return response.content.decode()


# --- the shapes seen in production ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/pactes/a%00b/", 400, NUL_MESSAGE),
        ("/pactes/a%00b/", 400, NUL_MESSAGE),
        ("/api/v1/actions/?q=a%00b", 400, NUL_MESSAGE),
        ("/actions/?q=a%00b", 400, NUL_MESSAGE),
        ("/journal/?since=2024-01-01%00", 400, NUL_MESSAGE),
        (f"/pactes/pti-fuzz/tableau-de-bord/a-surveiller/?annee=2025&page={HUGE}", 404, "Page introuvable"),
        (f"/pactes/pti-fuzz/tableau-de-bord/indicateurs/?annee=2025&page={HUGE}", 404, "Page introuvable"),
        (f"/pactes/pti-fuzz/tableau-de-bord/?annee={HUGE}", 400, "pas une année de ce pacte"),
        ("/api/v1/actions/?annee=2024.5", 400, "Saisissez un nombre entier"),
        ("/api/v1/actions/?annee=2024.5&compte_rendu=manquant", 400, "Saisissez un nombre entier"),
        (f"/api/v1/actions/?annee={HUGE}", 400, "inférieure ou égale à 2100"),
        (f"/api/v1/comptes-rendus/?annee={HUGE}", 400, "inférieure ou égale à 2100"),
        (f"/api/v1/decisions/?copil={HUGE}", 400, "inférieure ou égale à"),
        (f"/api/v1/actions/{HUGE}/", 404, "Aucune fiche ne correspond"),
        (f"/api/v1/actions/?page={HUGE}", 404, "Page non valide"),
        (f"/actions/{HUGE}/", 404, "Page introuvable"),
        (f"/copils/{HUGE}/", 404, "Page introuvable"),
        (f"/bilans/pti-fuzz/{HUGE}/", 404, "Page introuvable"),
        (f"/pactes/pti-fuzz/axes/{HUGE}/", 404, "Page introuvable"),
        ("/actions/?q=" + "x" * 3000, 400, "trop long"),
        ("/pactes/" + "x" * 3000 + "/", 400, "trop longue"),
        ("/media/" + "9" * 600, 400, "est trop long (255 caractères au plus"),
        ("/public/" + "x" * 256 + "/", 400, "est trop long (255 caractères au plus"),
    ],
)
def test_bad_addresses_answer_400_or_404_in_french(server, plan, url, status, message):
    response = server.get(url)
    assert response.status_code == status, text(response)[:500]
    assert message in text(response)


def test_the_api_refuses_json_nested_too_deep(api, plan):
    action, before = plan["action"], Action.objects.get(pk=plan["action"].pk).version
    for method, url in [("patch", f"/api/v1/actions/{action.pk}/"), ("post", "/api/v1/comptes-rendus/")]:
        for body in ["[" * 100_000, "[" * 40 + "]" * 40, '{"title": ' + '{"a": ' * 50 + "1" + "}" * 51]:
            response = getattr(api, method)(url, body, content_type="application/json")
            assert response.status_code == 400, (method, body[:20], text(response)[:300])
            assert "trop imbriqué" in response.json()["detail"]
    assert Action.objects.get(pk=action.pk).version == before
    assert ProgressReport.objects.count() == 1


def test_the_api_refuses_json_that_is_not_json_in_french(api, plan):
    response = api.patch(f"/api/v1/actions/{plan['action'].pk}/", "{title", content_type="application/json")
    assert response.status_code == 400
    assert "n'est pas du JSON valide" in response.json()["detail"]


@pytest.mark.parametrize("if_match", ['"' + "9" * 5000 + '"', "9" * 5000, f'"{2**31}"', '"-1"', '"1.5"', '"abc"'])
def test_an_if_match_that_is_no_version_is_a_400(api, plan, if_match):
    action = plan["action"]
    response = api.patch(
        f"/api/v1/actions/{action.pk}/", {"title": "Nouveau"}, content_type="application/json", HTTP_IF_MATCH=if_match
    )
    assert response.status_code == 400
    assert "If-Match doit contenir la version lue" in text(response)
    assert Action.objects.get(pk=action.pk).title == "Intitulé d'origine"


@pytest.mark.parametrize("version", [10**30, 2**31, -1, "9" * 5000, 1.5])
def test_a_version_out_of_bounds_is_a_400(api, plan, version):
    action = plan["action"]
    response = api.patch(
        f"/api/v1/actions/{action.pk}/", {"title": "Nouveau", "version": version}, content_type="application/json"
    )
    assert response.status_code == 400, text(response)[:300]
    assert "version" in response.json()
    assert Action.objects.get(pk=action.pk).title == "Intitulé d'origine"


def test_a_form_field_with_a_nul_byte_is_refused_and_changes_nothing(server, plan):
    action = plan["action"]
    data = {"version": action.version, "title": "a\x00b", "status": action.status, "progress": 10, "priority": "normal"}
    response = server.post(f"/actions/{action.pk}/modifier/", data)
    assert response.status_code == 400
    assert NUL_MESSAGE in text(response) and "Rien n'a été modifié" in text(response)
    assert Action.objects.get(pk=action.pk).title == "Intitulé d'origine"


def test_an_over_long_form_field_is_refused(server, plan):
    copil = plan["copil"]
    response = server.post(f"/copils/{copil.pk}/modifier/", {"version": copil.version, "minutes": "x" * 30_000})
    assert response.status_code == 400
    assert "Un champ du formulaire est trop long" in text(response)


def test_a_cookie_with_a_nul_byte_is_refused(server, plan):
    server.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = server.get("/mes-actions/")
    assert response.status_code == 400
    assert "cookie" in text(response)


def test_a_header_with_a_nul_byte_is_refused(server, plan):
    response = server.get("/api/v1/actions/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 400
    assert "en-tête" in response.json()["detail"]


# --- every route, with hostile values in its path and its query string ---------------------------------------


def routes():
    """(route, name) of every URL of the application but the Django admin (Django's own)."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns, "")))


PATH_VALUES = ["0", HUGE, "9" * 400, str(2**63), "-1", "1.5", "a%00b", "%ff%fe", "x" * 300]
QUERY_VALUES = [HUGE, "9" * 5000, "-1", "2024.5", "1e400", "NaN", "%00", "x" * 1500]
QUERY_NAMES = ["page", "annee", "page_size", "id", "version", "pacte", "axe", "action", "copil", "q", "format"]


def concrete(route, value, named=None):
    """`route` (a Django route or a DRF router regex) with `value` in each parameter (or `named[parameter]`)."""
    named = named or {}

    def fill(match):
        return str(named.get(match["name"], value))

    path = re.sub(r"\(\?P<format>[^)]*\)", "json", route)
    path = re.sub(r"<drf_format_suffix:format>", ".json", path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, path)
    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


def test_no_route_answers_a_server_error_whatever_its_path_or_query(api, plan):
    failures = []
    for number, route in enumerate(routes()):
        # Each route gets five of the hostile path values in GET and two in POST, in turn.
        for turn in range(7):
            index = (number + turn) % len(PATH_VALUES)
            name = QUERY_NAMES[(number + turn) % len(QUERY_NAMES)]
            query = f"{name}={QUERY_VALUES[(number + turn) % len(QUERY_VALUES)]}&annee=2024"
            url = concrete(route, PATH_VALUES[index]) + "?" + query
            method = "get" if turn < 5 else "post"
            response = getattr(api, method)(url)
            if response.status_code >= 500:
                failures.append((method, url[:200], response.status_code))
    assert not failures, failures


def test_no_page_of_a_real_row_answers_a_server_error_whatever_its_query(api, plan):
    named = {"pk": plan["action"].pk, "number": 1, "year": 2024, "slug": plan["pacte"].slug}
    failures = []
    for index, route in enumerate(routes()):
        path = concrete(route, "", named)
        # Two of the hostile values per route, in turn, in every parameter a view may read.
        for value in (QUERY_VALUES[index % len(QUERY_VALUES)], QUERY_VALUES[(index + 3) % len(QUERY_VALUES)]):
            url = path + "?" + "&".join(f"{name}={value}" for name in QUERY_NAMES)
            response = api.get(url)
            if response.status_code >= 500:
                failures.append((url[:200], response.status_code))
    assert not failures, failures
