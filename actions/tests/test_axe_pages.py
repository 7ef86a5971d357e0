"""An unfolded axe (/pactes/<slug>/axes/<n>/) and a thematic referent's axe (/mes-actions/axes/<pk>/) show their
actions a page at a time ("Afficher la suite", htmx or a plain link), with figures summed over the whole axe."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import queries
from actions.factories import ActionFactory, ProgressReportFactory
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def three_a_page(monkeypatch):
    monkeypatch.setattr(queries, "AXE_PAGE_SIZE", 3)


@pytest.fixture
def pacte():
    return PacteFactory(slug="pti-pages", first_year=2022, last_year=2026)


def make_axe(pacte, referent, layout, number=1):
    """An axe whose objectives hold `layout` actions each (the last count: actions without an objective), titled
    "A<objective>-<k>" in the plan's order."""
    axe = AxeFactory(pacte=pacte, number=number, thematic_referents=[referent])
    *per_objectif, loose = layout
    n = 0
    for index, count in enumerate(per_objectif, start=1):
        objectif = ObjectifFactory(axe=axe, number=index, text=f"objectif {index}")
        for k in range(count):
            n += 1
            ActionFactory(axe=axe, objectif=objectif, number=f"{number}.{n}", title=f"A{index}-{k + 1}", progress=10)
    for k in range(loose):
        n += 1
        ActionFactory(axe=axe, objectif=None, number=f"{number}.{n}", title=f"S-{k + 1}", progress=30)
    return axe


def axe_url(axe, page=None):
    url = reverse("actions:pacte_axe", args=[axe.pacte.slug, axe.number])
    return f"{url}?page={page}" if page is not None else url


def titles(content):
    return re.findall(r">(A\d-\d|S-\d)</a>", content)


def headings(content):
    found = re.findall(r"<h3[^>]*>(.*?)</h3>", content, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def test_an_axe_of_exactly_one_page_has_no_following_page(client, referent, pacte):
    axe = make_axe(pacte, referent, [2, 1, 0])
    client.force_login(referent)

    content = client.get(axe_url(axe), headers=HTMX).content.decode()

    assert titles(content) == ["A1-1", "A1-2", "A2-1"]
    assert "Afficher la suite" not in content


def test_an_empty_axe_says_so_and_keeps_its_objectives(client, referent, pacte):
    axe = make_axe(pacte, referent, [0, 0])
    client.force_login(referent)

    content = client.get(axe_url(axe), headers=HTMX).content.decode()

    assert titles(content) == []
    assert [h.split(" (")[0] for h in headings(content)] == ["Objectif 1.1 – Objectif 1"]
    assert "aucune action" in content and "Afficher la suite" not in content
    bare = make_axe(pacte, referent, [0], number=2)
    assert "Aucune action dans cet axe." in client.get(axe_url(bare), headers=HTMX).content.decode()


def test_the_following_pages_carry_on_objective_by_objective(client, referent, pacte):
    # 4 + 0 + 2 actions in objectives, 1 without: pages of 3.
    axe = make_axe(pacte, referent, [4, 0, 2, 1])
    client.force_login(referent)

    first = client.get(axe_url(axe), headers=HTMX).content.decode()
    assert titles(first) == ["A1-1", "A1-2", "A1-3"]
    assert headings(first) == ["Objectif 1.1 – Objectif 1 (4 actions, 10 % en moyenne)"]
    link = f'href="{axe_url(axe, 2)}" data-hx-get="{axe_url(axe, 2)}"'
    assert link in first and "3 actions affichées sur 7" in first

    second = client.get(axe_url(axe, 2), headers=HTMX).content.decode()
    assert titles(second) == ["A1-4", "A3-1", "A3-2"]
    assert headings(second) == [
        "Objectif 1.1 – Objectif 1 (suite) (4 actions, 10 % en moyenne)",
        "Objectif 1.2 – Objectif 2 (aucune action)",
        "Objectif 1.3 – Objectif 3 (2 actions, 10 % en moyenne)",
    ]
    assert "6 actions affichées sur 7" in second

    third = client.get(axe_url(axe, 3), headers=HTMX).content.decode()
    assert titles(third) == ["S-1"]
    assert headings(third) == ["Actions sans objectif"]
    assert "Afficher la suite" not in third


def test_a_page_boundary_between_two_objectives_repeats_neither(client, referent, pacte):
    axe = make_axe(pacte, referent, [3, 1, 0])
    client.force_login(referent)

    second = client.get(axe_url(axe, 2), headers=HTMX).content.decode()

    assert titles(second) == ["A2-1"]
    assert headings(second) == ["Objectif 1.2 – Objectif 2 (1 action, 10 % en moyenne)"]


def test_without_javascript_a_following_page_is_a_whole_page(client, referent, pacte):
    axe = make_axe(pacte, referent, [4, 0])
    client.force_login(referent)

    response = client.get(axe_url(axe, 2))

    content = response.content.decode()
    assert response.status_code == 200 and "<html" in content
    assert titles(content) == ["A1-4"]
    assert f'<a href="{axe_url(axe)}">Actions précédentes</a> · actions 4 à 4 sur 4' in content


@pytest.mark.parametrize("page", ["99", "0", "-3", "abc", ""])
def test_a_page_beyond_the_end_or_not_a_number_is_the_nearest_page(client, referent, pacte, page):
    axe = make_axe(pacte, referent, [4, 0])
    client.force_login(referent)

    response = client.get(axe_url(axe, page), headers=HTMX)

    assert response.status_code == 200
    expected = ["A1-4"] if page == "99" else ["A1-1", "A1-2", "A1-3"]
    assert titles(response.content.decode()) == expected


def test_a_page_number_too_large_to_be_a_page_is_not_found(client, referent, pacte):
    axe = make_axe(pacte, referent, [1, 0])
    client.force_login(referent)

    assert client.get(axe_url(axe, "9" * 30)).status_code == 404


def test_the_figures_cover_the_whole_axe_on_every_page(client, referent, pacte):
    axe = make_axe(pacte, referent, [4, 0])
    client.force_login(referent)

    for page in (1, 2):
        branch = client.get(axe_url(axe, page), headers=HTMX).context["branches"][0]
        assert (branch["figures"]["actions"], branch["figures"]["mean_progress"]) == (4, 10)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=HTMX)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_every_page_runs_the_same_queries_whatever_the_axe_size(client, referent, pacte):
    small = make_axe(pacte, referent, [1, 0])
    big = make_axe(pacte, referent, [5, 4, 2], number=2)
    client.force_login(referent)
    counts = {
        count_queries(client, url)
        for url in (axe_url(small), axe_url(big), axe_url(big, 2), axe_url(big, 4), axe_url(big, 9))
    }
    my = reverse("actions:my_axe_actions", args=[small.pk]), reverse("actions:my_axe_actions", args=[big.pk])
    my_counts = {count_queries(client, url) for url in (*my, my[1] + "?page=2", my[1] + "?page=4")}

    assert len(counts) == 1 and len(my_counts) == 1


# --- /mes-actions/axes/<pk>/ ---------------------------------------------------------------------------------


def my_axe_url(axe, page=None):
    url = reverse("actions:my_axe_actions", args=[axe.pk])
    return f"{url}?page={page}" if page is not None else url


def test_a_thematic_referents_axe_loads_the_following_rows_on_demand(client, referent, pacte):
    axe = make_axe(pacte, referent, [4, 3])
    ProgressReportFactory(action=axe.actions.get(title="A1-1"), year=2026, submitted=True)
    client.force_login(referent)

    first = client.get(my_axe_url(axe), headers=HTMX).content.decode()
    assert titles(first) == ["A1-1", "A1-2", "A1-3"]
    assert "<table" in first and "3 actions affichées sur 7" in first
    assert f'data-hx-get="{my_axe_url(axe, 2)}" data-hx-target="closest .axe-suite"' in first

    second = client.get(my_axe_url(axe, 2), headers=HTMX).content.decode()
    assert "<table" not in second and second.lstrip().startswith("<tr")
    assert titles(second) == ["A1-4", "S-1", "S-2"] and "6 actions affichées sur 7" in second

    last = client.get(my_axe_url(axe, 3), headers=HTMX).content.decode()
    assert titles(last) == ["S-3"] and "Afficher la suite" not in last
    assert titles(client.get(my_axe_url(axe, 99), headers=HTMX).content.decode()) == ["S-3"]


def test_a_thematic_referents_axe_of_one_page_or_none(client, referent, pacte):
    full = make_axe(pacte, referent, [3])
    empty = make_axe(pacte, referent, [0], number=2)
    client.force_login(referent)

    content = client.get(my_axe_url(full)).content.decode()
    assert titles(content) == ["S-1", "S-2", "S-3"] and "Afficher la suite" not in content
    assert "Aucune action dans cet axe." in client.get(my_axe_url(empty)).content.decode()
    later = client.get(my_axe_url(full, 2)).content.decode()
    assert titles(later) == ["S-1", "S-2", "S-3"] and "Actions précédentes" not in later
