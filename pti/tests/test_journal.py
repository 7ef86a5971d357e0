import csv
import io

import pytest
from django.urls import reverse

from actions.factories import ActionFactory, ProgressReportFactory
from bilans.factories import BilanFactory
from bilans.models import BilanTransition
from pilotage.factories import DecisionFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(staff, referent):
    action = ActionFactory(number="1.1", progress=10)
    action.progress = 35
    action._history_user = referent
    action.save()
    report = ProgressReportFactory(action=action, year=2024, advances="Avant")
    report.advances = "Après"
    report._history_user = staff
    report.save()
    decision = DecisionFactory(text="Présenter les résultats au COPIL 2025")
    bilan = BilanFactory(pacte=action.pacte, year=2024)
    BilanTransition.objects.create(bilan=bilan, source="draft", target="generating", user=staff)
    return {"action": action, "decision": decision}


def test_staff_sees_who_changed_what_and_when(client, staff, changes, referent):
    client.force_login(staff)
    response = client.get(reverse("journal"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Action 1.1" in content and "Avancement (%) : 10 → 35" in content
    assert str(referent) in content
    assert "Compte rendu 2024" in content and "Avant → Après" in content
    assert "Présenter les résultats au COPIL 2025" in content
    assert "Statut : Brouillon → Génération en cours".lower() in content.lower()


def test_journal_filters_by_kind_user_and_date(client, staff, referent, changes):
    client.force_login(staff)
    only_actions = client.get(reverse("journal") + "?kind=action").content.decode()
    assert "Action 1.1" in only_actions and "Avant → Après" not in only_actions
    by_referent = client.get(reverse("journal") + f"?user={referent.pk}").content.decode()
    assert "10 → 35" in by_referent and "Avant → Après" not in by_referent
    future = client.get(reverse("journal") + "?since=2099-01-01").content.decode()
    assert "Aucune modification ne correspond" in future


def test_journal_rejects_bad_filters_with_a_french_message(client, staff):
    client.force_login(staff)
    response = client.get(reverse("journal") + "?kind=nimporte&since=demain&until=2020-01-01")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Sélectionnez un choix valide" in content and "Saisissez une date valide" in content


def test_journal_exports_csv(client, staff, changes):
    client.force_login(staff)
    response = client.get(reverse("journal") + "?format=csv&kind=action")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Par", "Objet", "Modification", "Champ", "Avant", "Après"]
    assert any(row[2] == "Action 1.1" and row[4] == "Avancement (%)" and row[5:] == ["10", "35"] for row in rows)


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_journal_is_for_staff_only(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("journal")).status_code == 403
    assert client.get(reverse("journal") + "?format=csv").status_code == 403


def test_journal_runs_the_same_number_of_queries_whatever_the_history(client, staff, changes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("journal")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    axe = changes["action"].axe
    for i in range(15):  # in the same axe: the page still shows the same kinds of objects
        action = ActionFactory(axe=axe, number=f"9.{i + 1}")
        action.progress = 90
        action.save()
    assert count() == before
    # The session, the user, the page's keys, the bilans' steps; one query per kind of object shown (7: bilans,
    # decisions, COPIL, reports, actions, axes, accounts), one per kind whose earlier records are compared (reports,
    # actions), one per kind keeping its referents (actions, axes); the filter's users.
    assert before == 4 + 7 + 2 + 2 + 1


def test_the_journal_shows_values_as_people_read_them(client, staff, referent):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from actions.factories import IndicatorFactory, IndicatorValueFactory
    from actions.models import IndicatorValue, ProgressReport

    action = ActionFactory(number="2.6", progress=10)
    report = ProgressReportFactory(action=action, year=2024, author=None)
    report = ProgressReport.objects.get(pk=report.pk)
    report.author = referent
    report.submitted_at = timezone.make_aware(datetime.datetime(2025, 1, 20, 9, 41, 7, 123456))
    report.save()
    indicator = IndicatorFactory(action=action, label="Personnes reçues", higher_is_better=True)
    indicator.higher_is_better = False
    indicator.save()
    value = IndicatorValueFactory(indicator=indicator, year=2024, value=Decimal("97"))
    value = IndicatorValue.objects.get(pk=value.pk)
    value.value = Decimal("1250.5")
    value.save()

    client.force_login(staff)
    content = client.get(reverse("journal")).content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "Compte rendu 2024 de l&#x27;action 2.6" in content and "n°" not in content
    assert f"Auteur : — → {referent}" in content
    assert "20 janvier 2025 à 09:41" in content and "123456" not in content
    assert "Plus c&#x27;est haut, mieux c&#x27;est : oui → non" in content
    assert "Valeur 2024 de l&#x27;indicateur « Personnes reçues – 2.6 »" in content
    assert "97 → 1 250,5" in content


def test_the_by_list_offers_the_authors_shown_not_every_account(client, staff, referent, changes):

    idle = UserFactory(first_name="Personne", last_name="Sansmodif")
    client.force_login(staff)
    page = client.get(reverse("journal")).content.decode()
    select = page[page.index('name="user"') : page.index("</select>", page.index('name="user"'))]
    assert str(referent) in select and str(staff) in select
    assert "Sansmodif" not in select
    # The person chosen stays offered (and selected) even when the rows shown are all theirs or none.
    page = client.get(reverse("journal"), {"user": idle.pk}).content.decode()
    select = page[page.index('name="user"') : page.index("</select>", page.index('name="user"'))]
    assert f'value="{idle.pk}" selected' in select
    assert "Aucune modification ne correspond" in page


def test_journal_finds_an_author_by_part_of_the_name(client, staff, referent, changes):
    client.force_login(staff)
    by_name = client.get(reverse("journal"), {"who": referent.username[1:5].upper()}).content.decode()
    assert "10 → 35" in by_name and "Avant → Après" not in by_name
    nobody = client.get(reverse("journal"), {"who": "zzz-personne"}).content.decode()
    assert "Aucune modification ne correspond" in nobody


def test_journal_queries_do_not_grow_with_the_number_of_accounts(client, staff, changes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("journal"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count("<option")

    queries, options = measure()
    UserFactory.create_batch(30)
    assert measure() == (queries, options)


def test_each_row_compares_with_the_change_just_before_it_across_objects(client, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = ActionFactory(number="3.1", progress=0), ActionFactory(number="3.2", progress=50)
    for step in range(1, 6):
        for action, start in ((first, 0), (second, 50)):
            action.progress = start + step * 5
            action.save()
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("journal"), {"kind": "action"}).content.decode()
    for step in range(1, 6):
        assert f"Avancement (%) : {(step - 1) * 5} → {step * 5}" in page
        assert f"Avancement (%) : {50 + (step - 1) * 5} → {50 + step * 5}" in page
    # Newest first: the last change of 3.2 comes before the last of 3.1, which comes before the one before it.
    assert page.index("70 → 75") < page.index("20 → 25") < page.index("65 → 70") < page.index("15 → 20")
    # The session, the user, the page's keys, its records (each with its previous one's id), those previous ones,
    # and the referents all of them kept (one query for the whole page).
    assert len(ctx.captured_queries) == 6


def test_the_journal_pages_through_every_source_in_one_order(client, staff):
    """50 rows a page, newest first across actions and a bilan's steps, without overlap or gap from page to page;
    a page number that does not parse is the first page, one far beyond the last one reachable shows nothing."""
    import datetime

    from django.utils import timezone

    action = ActionFactory(number="4.1", progress=0)
    bilan = BilanFactory(pacte=action.pacte, year=2024)
    start = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 0))
    # 60 progress changes and, after each, a bilan step, after the action's and the bilan's creation: 122 rows.
    for step in range(1, 61):
        action.progress = step
        action.save()
        type(action).history.filter(progress=step).update(history_date=start + datetime.timedelta(minutes=2 * step))
        BilanTransition.objects.create(
            bilan=bilan, source="draft", target="generating", user=staff, note=f"étape {step}"
        )
        BilanTransition.objects.filter(note=f"étape {step}").update(at=start + datetime.timedelta(minutes=2 * step + 1))
    type(action).history.filter(history_type="+").update(history_date=start)
    bilan.history.update(history_date=start)
    # The accounts' and the axe's creations, made now, are not this test's rows.
    type(staff).history.all().delete()
    type(action.axe).history.all().delete()
    client.force_login(staff)

    def rows(page):
        content = client.get(reverse("journal"), {"page": page}).content.decode()
        body = content[content.index("<tbody>") : content.index("</tbody>")]
        return content, body.count("<tr>")

    first, count = rows(1)
    assert count == 50
    # The newest: the 60th step, then the change to 60 %, the 59th step…
    assert first.index("(étape 60)") < first.index("59 → 60") < first.index("(étape 59)")
    assert "Page 1" in first and "sur" not in first[first.index("Pages du journal") :]
    assert 'rel="next" ' not in first and "page=2" in first and "Précédente" not in first
    second, count = rows(2)
    assert count == 50 and "(étape 35)" in second and "(étape 36)" not in second
    import re

    print(re.findall(r"<li>[^<]*</li>|étape \d+", second)[:12])
    assert "34 → 35" in second and "35 → 36" in first
    third, count = rows(3)
    assert count == 22 and "Suivante" not in third and "page=2" in third
    # The creations, oldest of all, end the last page.
    last_rows = third[third.index("<tbody>") : third.index("</tbody>")].split("<tr>")[-3:]
    assert "0 → 1" in last_rows[0] and "(étape 1)" in third
    assert "Action 4.1" in last_rows[1] and "→" not in last_rows[1]
    assert "Bilan 2024" in last_rows[2] and "→" not in last_rows[2]
    assert rows("deux")[1] == 50 and "(étape 60)" in rows("deux")[0]
    beyond, count = rows(10**9)
    assert count == 1 and "au-delà de la dernière" in beyond and 'rel="prev"' in beyond


def test_a_page_of_the_journal_without_filters_shows_an_unmarked_form(client, staff, changes):
    """`page` is not a filter: page 2 of the whole journal does not show its empty filters as "valid" fields,
    and its CSV link exports the same filters without the page."""
    client.force_login(staff)
    page = client.get(reverse("journal"), {"page": 2}).content.decode()
    assert "is-valid" not in page
    assert 'href="?format=csv"' in page
    filtered = client.get(reverse("journal"), {"kind": "action", "page": 2}).content.decode()
    assert 'href="?kind=action&amp;format=csv"' in filtered
