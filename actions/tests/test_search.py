"""The action list's search (full text on PostgreSQL, the plain search on SQLite), its pages read from the last
row shown (keyset), and the exports streamed with the formula guard kept."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from actions import exports, search
from actions.factories import ActionFactory
from actions.models import Action
from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL (CI runs it on PostgreSQL)"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the plain search is SQLite's fallback")


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    yield
    ActionFactory.reset_sequence()


@pytest.fixture
def plan(db):
    axe = AxeFactory(pacte=PacteFactory(slug="pti-test"), number=2)
    return {
        "equipe": ActionFactory(axe=axe, number="2.1", title="Équipes pluridisciplinaires", description=""),
        "numerique": ActionFactory(
            axe=axe, number="2.2", title="Inclusion numérique", description="Ateliers pour une équipe de quartier"
        ),
        "mobilite": ActionFactory(axe=axe, number="2.30", title="Garage solidaire", description="Mobilité"),
        "other": ActionFactory(axe=axe, number="2.4", title="Clauses sociales", description="Marchés publics"),
    }


def titles(client, query):
    response = client.get(reverse("actions:list") + query)
    assert response.status_code == 200
    return [action.title for action in response.context["page"]]


@postgres_only
def test_search_ignores_accents_and_finds_words_as_they_are_typed(client, copil_member, plan):
    client.force_login(copil_member)
    # Ranked: the title's match (weight A) before the description's (B).
    assert titles(client, "?q=equipe") == ["Équipes pluridisciplinaires", "Inclusion numérique"]
    assert titles(client, "?q=ÉQUIPES") == ["Équipes pluridisciplinaires", "Inclusion numérique"]
    assert titles(client, "?q=numériq") == ["Inclusion numérique"]  # a word being typed
    assert titles(client, "?q=numeriq quartier") == ["Inclusion numérique"]  # every word required
    assert titles(client, "?q=numeriq solidaire") == []
    assert titles(client, "?q=mobilites") == ["Garage solidaire"]  # stemmed
    assert titles(client, "?q=2.3") == ["Garage solidaire"]  # the beginning of a number


@postgres_only
def test_the_api_shares_the_search_and_its_ranking(copil_member, plan):
    api = APIClient()
    api.force_authenticate(copil_member)
    response = api.get("/api/v1/actions/", {"q": "equipe"})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == [
        "Équipes pluridisciplinaires",
        "Inclusion numérique",
    ]
    ordered = api.get("/api/v1/actions/", {"q": "equipe", "ordering": "-number"}).json()["results"]
    assert [row["title"] for row in ordered] == ["Inclusion numérique", "Équipes pluridisciplinaires"]


@postgres_only
def test_the_export_of_a_searched_list_holds_its_actions_and_their_indicators(client, copil_member, plan):
    client.force_login(copil_member)
    response = client.get(reverse("actions_io:actions_xlsx"), {"q": "equipe"})
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert sorted(row[2] for row in book["Actions"].iter_rows(min_row=2, values_only=True)) == [
        "Inclusion numérique",
        "Équipes pluridisciplinaires",
    ]


@sqlite_only
def test_sqlite_falls_back_to_the_plain_search(client, copil_member, plan):
    client.force_login(copil_member)
    assert titles(client, "?q=Équipes") == ["Équipes pluridisciplinaires"]
    assert titles(client, "?q=quartier") == ["Inclusion numérique"]
    assert titles(client, "?q=2.3") == ["Garage solidaire"]
    assert titles(client, "?q=equipe") == []  # no accent folding without PostgreSQL


@pytest.mark.parametrize(
    "text", ["&|!:*()", "'", '"a" & !b', "a:* | b", "<script>", "é", "___", "-", " " * 5, "2.", "a" * 300, "x " * 40]
)
def test_odd_searches_answer_200(client, copil_member, plan, text):
    client.force_login(copil_member)
    response = client.get(reverse("actions:list"), {"q": text})
    assert response.status_code == 200
    api = APIClient()
    api.force_authenticate(copil_member)
    assert api.get("/api/v1/actions/", {"q": text}).status_code == 200


def test_the_search_query_keeps_only_words():
    assert search.words("l'équipe & co:* | !x") == ["l", "équipe", "co", "x"]
    assert search.ts_query("&|!:*()") is None
    assert len(search.words("mot " * 50)) == search.MAX_WORDS


# --- pages read from the last row shown -------------------------------------------------------------------------


@pytest.fixture
def long_list(db):
    pactes = [PacteFactory(slug="a"), PacteFactory(slug="b")]
    actions = []
    for pacte in pactes:
        axe = AxeFactory(pacte=pacte, number=1)
        actions += [ActionFactory(axe=axe, number=f"1.{i}", title=f"{pacte.slug} {i}") for i in range(1, 32)]
    # The list's order: pacte, then number as a number (1.2 before 1.10).
    return sorted(actions, key=lambda a: (a.pacte_id, a.sort_key, a.pk))


def test_following_next_and_previous_links_walks_the_whole_list_in_order(client, copil_member, long_list):
    client.force_login(copil_member)
    url, seen, pages = reverse("actions:list") + "?statut=", [], []
    while url:
        response = client.get(url)
        page = response.context["page"]
        pages.append((page.number, page.num_pages, page.count, url))
        seen += [action.pk for action in page]
        url = reverse("actions:list") + page.next_href if page.has_next else None
    assert seen == [action.pk for action in long_list]
    assert [(number, total, count) for number, total, count, _url in pages] == [(1, 3, 62), (2, 3, 62), (3, 3, 62)]
    assert "apres=" in pages[2][3] and "statut=" in pages[2][3]  # the filters are kept
    last = client.get(pages[2][3])
    assert "Page 3 sur 3" in last.content.decode()
    back = client.get(reverse("actions:list") + last.context["page"].previous_href).context["page"]
    assert back.number == 2 and [a.pk for a in back] == [a.pk for a in long_list[25:50]]


def test_page_numbers_alone_still_work_and_bad_cursors_fall_back_to_them(client, copil_member, long_list):
    client.force_login(copil_member)
    url = reverse("actions:list")
    third = [a.pk for a in long_list[50:]]
    assert [a.pk for a in client.get(url + "?page=3").context["page"]] == third
    assert [a.pk for a in client.get(url + "?page=99").context["page"]] == third  # beyond the end: the last
    assert [a.pk for a in client.get(url + "?page=zzz").context["page"]] == [a.pk for a in long_list[:25]]
    for cursor in ["zzz", "1~2", "x~0001~3", "9" * 300, "999999~9999~999999", "%00"]:
        response = client.get(url, {"page": "3", "apres": cursor})
        assert response.status_code == 200, cursor
        assert [a.pk for a in response.context["page"]] == third, cursor


def test_a_deep_page_costs_the_same_queries_as_the_first_and_reads_no_offset(client, copil_member, long_list):
    client.force_login(copil_member)
    url = reverse("actions:list")
    first = client.get(url).context["page"]
    with CaptureQueriesContext(connection) as deep:
        client.get(url + first.next_href)
    with CaptureQueriesContext(connection) as start:
        client.get(url)
    assert len(deep.captured_queries) == len(start.captured_queries)
    listing = [q["sql"] for q in deep.captured_queries if 'FROM "actions_action"' in q["sql"] and "LIMIT" in q["sql"]]
    assert listing and all("OFFSET" not in sql for sql in listing)
    assert all("DISTINCT" not in q["sql"] for q in deep.captured_queries if "COUNT(" in q["sql"])


def test_referent_and_partner_filters_do_not_duplicate_rows(client, copil_member, long_list):
    from actions.factories import ActionPartnerFactory, PartnerFactory

    partner = PartnerFactory()
    action = long_list[0]
    ActionPartnerFactory(action=action, partner=partner)
    ActionPartnerFactory(action=action, partner=partner, funder=True)  # the same partner twice
    action.referents.add(copil_member)
    client.force_login(copil_member)
    assert titles(client, f"?partenaire={partner.pk}") == [action.title]
    assert titles(client, f"?referent={copil_member.pk}&partenaire={partner.pk}") == [action.title]


# --- streamed exports ---------------------------------------------------------------------------------------------


def test_the_csv_export_streams_its_headers_first_and_keeps_the_formula_guard(client, copil_member, long_list):
    Action.objects.filter(pk=long_list[0].pk).update(title='=HYPERLINK("https://x.invalid";"Clic")')
    client.force_login(copil_member)
    response = client.get(reverse("actions_io:actions_csv"))
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.decode("utf-8").startswith("\ufeffPacte;N° action;Intitulé")
    assert first.count(b"\r\n") == 1  # the header line alone, sent before any row is read
    text = (first + b"".join(chunks)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + len(long_list)
    assert rows[1][2] == '\'=HYPERLINK("https://x.invalid";"Clic")'
    assert [row[1] for row in rows[1:4]] == ["1.1", "1.2", "1.3"]


def test_the_xlsx_export_is_written_in_write_only_mode_and_streamed(client, copil_member, long_list, monkeypatch):
    Action.objects.filter(pk=long_list[0].pk).update(title="@SUM(1+1)")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)
    written = []
    from pti import spreadsheet

    book_class = spreadsheet.Workbook

    def workbook(*args, **kwargs):
        written.append(kwargs)
        return book_class(*args, **kwargs)

    monkeypatch.setattr(spreadsheet, "Workbook", workbook)
    client.force_login(copil_member)
    response = client.get(reverse("actions_io:actions_xlsx"))
    assert response.streaming and written == []  # written as the response is read
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert written == [{"write_only": True}]
    sheet = book["Actions"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:P{1 + len(long_list)}"
    cell = sheet.cell(row=2, column=3)
    assert cell.value == "'@SUM(1+1)" and cell.data_type == "s"
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [a.number for a in long_list]


def test_the_export_reads_its_rows_a_chunk_at_a_time(client, copil_member, long_list, monkeypatch):
    from actions import queries

    chunks = []
    attach = queries.attach_year_facts

    def spy(actions, year=None, **kwargs):
        chunks.append(len(actions))
        return attach(actions, year, **kwargs)

    monkeypatch.setattr(queries, "attach_year_facts", spy)
    monkeypatch.setattr(queries.iter_year_facts, "__defaults__", (None, 25, ()))
    client.force_login(copil_member)
    lines = client.get(reverse("actions_io:actions_csv")).getvalue().decode("utf-8-sig").splitlines()
    assert len(lines) == 63 and chunks == [25, 25, 12]


def test_the_apis_last_page_is_read_from_the_end_and_holds_the_right_rows(copil_member, long_list):
    api = APIClient()
    api.force_authenticate(copil_member)
    with CaptureQueriesContext(connection) as queries:
        last = api.get("/api/v1/actions/", {"page_size": 25, "page": 3}).json()
    assert [row["id"] for row in last["results"]] == [a.pk for a in long_list[50:]]
    assert last["count"] == 62 and last["next"] is None and "page=2" in last["previous"]
    listing = [
        q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"] and '"actions_action"."title"' in q["sql"]
    ]
    assert listing and all("OFFSET 50" not in sql for sql in listing)
    middle = api.get("/api/v1/actions/", {"page_size": 25, "page": 2}).json()
    assert [row["id"] for row in middle["results"]] == [a.pk for a in long_list[25:50]]
