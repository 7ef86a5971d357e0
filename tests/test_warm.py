"""The night's warming (pti.warm, `manage.py warm_caches`, Celery beat's `pti.tasks.warm_caches`): once it ran,
the main pages run none of the figures' statements; and a pacte's figures, kept piece by piece, outlive the ten
minutes after which the other cached results expire."""

import io
import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bilans.tests import test_campaign
from bilans.tests.test_campaign import campaign_url
from pti import stamps, tasks, warm
from pti.enums import Role
from pti.factories import UserFactory

# Committed rows: inside a transaction that wrote, nothing is read from the cache (pti.stamps).
pytestmark = pytest.mark.django_db(transaction=True)

# The campaign page's fixtures: a pacte 2022-2025 of three axes, five reports owed in 2025 (one submitted, one
# draft), its campaign.
people, pacte, campaign = test_campaign.people, test_campaign.pacte, test_campaign.campaign


def figures_statements(client, url):
    """(the page's text, how many figures' statements it ran: those start with WITH)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    ran = sum(1 for query in queries.captured_queries if query["sql"].lstrip().startswith("WITH "))
    return response.content.decode(), ran


@pytest.fixture
def pages(client, campaign, staff):
    """{name: url} of the pages the warming prepares, for a staff member (who may read them all)."""
    client.force_login(staff)
    slug = campaign.pacte.slug
    return {
        "tableau de bord": reverse("pilotage:dashboard", args=[slug]),
        "tableau de bord d'une année passée": reverse("pilotage:dashboard", args=[slug]) + "?annee=2023",
        "pacte": reverse("actions:pacte_detail", args=[slug]),
        "axe déplié": reverse("actions:pacte_axe", args=[slug, 1]),
        "axe d'un référent thématique": reverse("actions:my_axe_actions", args=[campaign.pacte.axes.get(number=2).pk]),
        "liste des actions": reverse("actions:list"),
        "page d'un bilan": reverse("bilans:detail", args=[slug, 2024]),
        "campagne": campaign_url(campaign.pacte),
        "relances": campaign_url(campaign.pacte) + "relances/",
    }


def test_after_the_warming_the_main_pages_compute_no_figure(client, pages):
    cache.clear()
    for name, url in pages.items():
        assert figures_statements(client, url)[1] >= 1, name  # nothing warmed: the page computes its figures
    cache.clear()
    out = io.StringIO()
    call_command("warm_caches", stdout=out)
    lines = [line.split(" : ")[0] for line in out.getvalue().splitlines()]
    # The past years' dashboards, read less, after the others.
    assert lines == [
        "pactes et axes",
        "axes dépliés et axes des référents thématiques",
        "liste des actions",
        "tableaux de bord",
        "campagnes de comptes rendus",
        "tableaux de bord des années passées",
        "pages des bilans",
    ]
    assert "campagnes de comptes rendus : 1 calculé(s)" in out.getvalue()
    for name, url in pages.items():
        text, ran = figures_statements(client, url)
        assert ran == 0, name
    # The campaign shows its referents as it did computed on the spot.
    text, _ran = figures_statements(client, pages["campagne"])
    assert "Camille Durand" in text and "Nadia Benali" in text


def test_a_page_read_again_after_the_results_expired_sums_the_kept_pieces(client, pages, monkeypatch):
    """Ten minutes later (one second here) the dashboard and the campaign are computed again from the pieces kept
    under their counters: no statement over the actions; once the pieces expire too, the statement runs again."""
    monkeypatch.setattr(stamps, "RESULT_SECONDS", 1)
    cache.clear()
    first = {name: figures_statements(client, pages[name])[0] for name in ("tableau de bord", "campagne")}
    time.sleep(1.2)
    for name in first:
        text, ran = figures_statements(client, pages[name])
        assert ran == 0, name
        assert name != "campagne" or ("Camille Durand" in text and "Nadia Benali" in text)
    monkeypatch.setattr(stamps, "PIECE_SECONDS", 1)
    cache.clear()
    for name in first:
        figures_statements(client, pages[name])
    time.sleep(1.2)
    for name in first:
        assert figures_statements(client, pages[name])[1] >= 1, name


def test_the_beat_warms_every_ten_minutes_from_just_after_midnight_and_a_failing_part_leaves_the_others(
    campaign, monkeypatch
):
    entry = settings.CELERY_BEAT_SCHEDULE["warm-caches"]
    assert entry["task"] == "pti.tasks.warm_caches"
    assert entry["schedule"].hour == set(range(24))
    assert entry["schedule"].minute == {1, 11, 21, 31, 41, 51}

    def broken():
        raise RuntimeError("base indisponible")

    monkeypatch.setitem(warm._warmers, "tableaux de bord", (broken, False))
    assert tasks.warm_caches() == [
        ("pactes et axes", 4),
        ("axes dépliés et axes des référents thématiques", 3),
        ("liste des actions", 1),
        ("tableaux de bord", None),
        ("campagnes de comptes rendus", 1),
        ("tableaux de bord des années passées", 3),  # 2024, 2023 and 2022 of the pacte 2022-2025
        ("pages des bilans", 4),  # 2025 to 2022
    ]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("warm_caches", stdout=out, stderr=err)
    assert exit_code.value.code == 1
    assert "tableaux de bord : échec (voir le journal de l'application)" in err.getvalue()
    assert "campagnes de comptes rendus : 1 calculé(s)" in out.getvalue()


def test_the_warming_renders_the_dashboard_a_copil_member_reads(client, campaign):
    """The part of page the warming renders is the one a reader's request reads (same language, same day)."""
    cache.clear()
    call_command("warm_caches", stdout=io.StringIO())
    client.force_login(UserFactory(role=Role.COPIL))
    text, ran = figures_statements(client, reverse("pilotage:dashboard", args=[campaign.pacte.slug]))
    assert ran == 0
    assert "PTI 2022-2025" in text


def test_renew_forgets_what_the_cache_kept_then_warms(client, pages):
    """After a restored backup, `warm_caches --renew` renews every stamp: what was kept before is computed again
    (by the warming), and the pages then compute nothing."""
    assert figures_statements(client, pages["tableau de bord"])[1] >= 1
    assert figures_statements(client, pages["tableau de bord"])[1] == 0
    before = stamps.current()
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("warm_caches", "--renew", stdout=out)
    assert stamps.current() != before
    assert out.getvalue().startswith("Cache renouvelé : tout est recalculé.\n")
    assert sum(1 for query in queries.captured_queries if query["sql"].startswith("WITH ")) >= 3
    for name, url in pages.items():
        assert figures_statements(client, url)[1] == 0, name


def test_the_warmed_axes_and_action_list_are_those_their_readers_render(client, pages):
    """Rendered by the warming, without a request, the parts read the same as rendered for a reader's request:
    the unfolded axe, the thematic referent's axe (as a page and as the part /mes-actions/ loads) and the action
    list."""
    urls = {name: pages[name] for name in ("axe déplié", "axe d'un référent thématique", "liste des actions")}

    def unsigned(text):  # a page's own tokens (the sign-out form's CSRF token) differ from request to request
        return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', text)

    cache.clear()
    by_reader = {name: unsigned(client.get(url).content.decode()) for name, url in urls.items()}
    by_reader["htmx"] = client.get(urls["axe d'un référent thématique"], headers={"HX-Request": "true"}).content
    cache.clear()
    call_command("warm_caches", stdout=io.StringIO())
    read = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            text, ran = figures_statements(client, url)
        read[name] = len(queries.captured_queries)
        assert ran == 0, name
        assert unsigned(text) == by_reader[name], name
    for name, url in urls.items():  # read again: nothing more in the cache, the filters' options included
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries.captured_queries) == read[name], name
    with CaptureQueriesContext(connection) as queries:
        part = client.get(urls["axe d'un référent thématique"], headers={"HX-Request": "true"}).content
    assert not [query for query in queries.captured_queries if query["sql"].startswith("WITH ")]
    assert part == by_reader["htmx"] and b"<tr" in part
