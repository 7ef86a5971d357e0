import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from actions.enums import ActionStatus, ReportState
from actions.models import Action, ActionBudget, Indicator, IndicatorValue, ProgressReport, number_sort_key
from axes import assises
from axes.closing import reopened
from axes.enums import PacteStatus, ProposalFate
from axes.models import Axe, Objectif, Pacte, Proposal
from pilotage.demo.accounts import DEMO_PASSWORD
from pilotage.enums import DecisionStatus
from pilotage.models import Copil, Decision
from pti.access import can_edit_action
from pti.enums import Role
from pti.models import User

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at the end; each test runs in a savepoint."""
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                output = run_seed()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    # Tests still need the `db` fixture: the database is blocked again outside this fixture.
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def pti_2022(db):
    return Pacte.objects.get(slug="pti-2022-2025")


@pytest.fixture
def pti_2017(db):
    return Pacte.objects.get(slug="pti-2017-2021")


def assises_text():
    path = SEEDS / "pti-2022-2025-assises.txt"
    if not path.exists():
        pytest.skip(f"Texte source absent : {path} (le dépôt partagé des textes n'est pas à côté du projet).")
    return path.read_text(encoding="utf-8")


def seed_thematics():
    """[(heading, [objectives])] read from the Assises text: a heading is the line before a paragraph of bullets."""
    lines = [line.strip() for line in assises_text().splitlines() if line.strip()]
    thematics = []
    for index, line in enumerate(lines):
        if line.startswith("•") and not lines[index - 1].startswith("•"):
            heading = lines[index - 2]
            if heading.startswith("Aussi") or lines[index - 1].startswith("Aussi"):
                break
            thematics.append((heading, []))
        if line.startswith("•") and thematics:
            thematics[-1][1].append(re.sub(r"[ \u00a0]?[;.]$", "", line[1:].strip()))
    return thematics


def snapshot():
    """Every row of every table, including the historical and many-to-many ones."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
    }


def test_seed_creates_the_two_pactes_with_their_years_and_status(pti_2022, pti_2017):
    assert Pacte.objects.count() == 2
    assert (pti_2022.first_year, pti_2022.last_year, pti_2022.status) == (2022, 2025, PacteStatus.ACTIVE)
    assert pti_2022.territory == "Haute-Vienne"
    assert pti_2022.signature_date.year == 2022
    assert (pti_2017.first_year, pti_2017.last_year, pti_2017.status) == (2017, 2021, PacteStatus.CLOSED)
    assert str(pti_2017.signature_date) == "2017-01-11"


def test_pti_2022_has_its_assises_about_20_meetings_and_70_actors_over_7_months(pti_2022, pti_2017):
    data = assises.summary(pti_2022)
    assert [group["axe_number"] for group in data["groups"]] == [1, 2, 3, 4, 5]
    assert (data["meetings"], data["members_total"], data["months"]) == (20, 70, 7)
    assert (data["first_date"][:7], data["last_date"][:7]) == ("2021-03", "2021-09")
    # Every category took part, people on RSA and social workers included.
    assert all(category["members"] > 0 and category["participants"] > 0 for category in data["categories"])
    assert {fate["value"]: fate["count"] for fate in data["fates"]} == {
        "retained": 19,
        "merged": 6,
        "not_retained": 5,
    }
    assert not assises.summary(pti_2017)["groups"]


def test_the_retained_proposals_are_the_objectives_carried_by_their_actions(pti_2022):
    retained = Proposal.objects.filter(group__axe__pacte=pti_2022, fate=ProposalFate.RETAINED)
    objectives = {(o.axe.number, o.number): o.text for o in Objectif.objects.filter(axe__pacte=pti_2022)}
    for proposal in retained.select_related("group__axe").prefetch_related("actions__objectif__axe"):
        key = (proposal.group.axe.number, proposal.number)
        assert proposal.text.lower() == objectives[key].lower()
        actions = list(proposal.actions.all())
        assert actions and all((a.objectif.axe.number, a.objectif.number) == key for a in actions)
    others = Proposal.objects.filter(group__axe__pacte=pti_2022).exclude(fate=ProposalFate.RETAINED)
    assert not Action.objects.filter(assises_proposals__in=others).exists()
    assert all(p.reason for p in others.filter(fate=ProposalFate.NOT_RETAINED))
    assert all(p.merged_into.fate == ProposalFate.RETAINED for p in others.filter(fate=ProposalFate.MERGED))


def test_pti_2022_axes_are_the_five_thematics_of_the_assises_word_for_word(pti_2022):
    thematics = seed_thematics()
    assert len(thematics) == 5
    assert [axe.title for axe in pti_2022.axes.order_by("number")] == [heading for heading, _ in thematics]
    first = pti_2022.axes.get(number=1)
    assert first.title == "Mieux orienter les personnes en s’appuyant sur une meilleure connaissance des publics"
    assert first.description.startswith("L'ensemble des études réalisées ces dernières années")
    assert first.description in assises_text()


def test_pti_2022_has_the_nineteen_objectives_of_the_assises_word_for_word(pti_2022):
    thematics = seed_thematics()
    assert [len(objectives) for _, objectives in thematics] == [3, 4, 5, 4, 3]
    for number, (_, objectives) in enumerate(thematics, 1):
        seeded = list(Objectif.objects.filter(axe__pacte=pti_2022, axe__number=number).order_by("number"))
        assert [objectif.text for objectif in seeded] == objectives
    assert Objectif.objects.filter(axe__pacte=pti_2022).count() == 19
    assert Objectif.objects.filter(text="mieux connaître les BRSA").exists()
    assert Objectif.objects.filter(
        text="coordonner et renforcer les initiatives sur le «\u00a0recruter autrement\u00a0»"
    ).exists()


def test_each_2022_objective_has_two_to_four_actions_numbered_within_its_axe(pti_2022):
    for objectif in Objectif.objects.filter(axe__pacte=pti_2022):
        assert 2 <= objectif.actions.count() <= 4, objectif
    for axe in pti_2022.axes.all():
        numbers = list(axe.actions.order_by("sort_key").values_list("number", flat=True))
        assert numbers == [f"{axe.number}.{n}" for n in range(1, len(numbers) + 1)]
        assert not axe.actions.exclude(objectif__axe=axe).exists()


def test_pti_2017_has_thirteen_axes_and_eighty_two_actions_without_objectives(pti_2017):
    assert pti_2017.axes.count() == 13
    assert pti_2017.actions.count() == 82
    assert not pti_2017.actions.filter(objectif__isnull=False).exists()
    assert all(5 <= axe.actions.count() <= 8 for axe in pti_2017.axes.all())


def test_2022_actions_have_varied_statuses_and_dates_inside_the_pacte(pti_2022):
    actions = pti_2022.actions.all()
    statuses = set(actions.values_list("status", flat=True))
    assert {ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.POSTPONED, ActionStatus.ABANDONED} <= statuses
    assert 1 <= actions.filter(status=ActionStatus.ABANDONED).count() <= 3
    assert actions.late().count() >= 3
    assert actions.filter(status=ActionStatus.DONE).count() > actions.count() / 2
    assert not actions.filter(start_date__year__lt=2022).exists()
    assert not actions.filter(end_date__year__gt=2025).exists()
    assert not actions.filter(referents__isnull=True).exists()
    assert not actions.filter(partner_roles__isnull=True).exists()


def test_2022_actions_have_reports_for_2022_to_2024_a_few_of_them_drafts(pti_2022):
    reports = ProgressReport.objects.filter(action__pacte=pti_2022)
    assert set(reports.values_list("year", flat=True)) == {2022, 2023, 2024}
    drafts = reports.filter(state=ReportState.DRAFT)
    assert set(drafts.values_list("year", flat=True)) == {2024}
    assert 0 < drafts.count() < reports.filter(year=2024).count() / 2
    assert not reports.filter(state=ReportState.SUBMITTED, submitted_at__isnull=True).exists()
    assert not reports.filter(advances="").exists()
    for report in reports.select_related("author"):
        assert report.action.referents.filter(pk=report.author.pk).exists()


def test_2022_indicators_have_targets_and_values_measured_until_2024(pti_2022):
    for action in pti_2022.actions.prefetch_related("indicators"):
        assert 1 <= len(action.indicators.all()) <= 2, action
    values = IndicatorValue.objects.filter(indicator__action__pacte=pti_2022)
    assert set(values.values_list("year", flat=True)) == {2022, 2023, 2024, 2025}
    assert not values.filter(year=2025, value__isnull=False).exists()
    assert values.filter(year=2024, value__isnull=False).exists()
    assert not values.filter(target__isnull=True).exists()


def test_budgets_are_planned_every_year_and_spent_until_2024(pti_2022):
    budgets = ActionBudget.objects.filter(action__pacte=pti_2022)
    assert budgets.filter(year=2022).exists()
    assert not budgets.filter(year=2025, actual__isnull=False).exists()
    assert not budgets.filter(year__lte=2024, actual__isnull=True).exists()


def test_one_copil_per_year_of_the_2022_pacte_with_highlights_and_decisions(pti_2022):
    copils = list(pti_2022.copils.order_by("date"))
    assert [copil.date.year for copil in copils] == [2022, 2023, 2024, 2025]
    for copil in copils:
        assert copil.place == "Hôtel du Département, Limoges"
        assert copil.agenda and copil.minutes
        assert copil.attendees.exists() and copil.partners.exists()
        assert 2 <= copil.highlights.count() <= 3
        assert 2 <= copil.decisions.count() <= 3
        assert not copil.decisions.filter(owner__isnull=True).exists()
        assert sorted(copil.guests.values_list("name", "presence")) == [
            ("Julien Garnier", "present"),
            ("Nathalie Bernard", "present"),
            ("Olivier Lefèvre", "present"),
            ("Sandrine Moreau", "excused"),
        ]
    statuses = set(Decision.objects.filter(copil__pacte=pti_2022).values_list("status", flat=True))
    assert statuses == {DecisionStatus.OPEN, DecisionStatus.DONE, DecisionStatus.DROPPED}


@pytest.mark.parametrize(
    "keyword",
    [
        "Français langue étrangère",
        "Accompagnement global",
        "inscrits à Pôle emploi",
        "GEIQ) Papier carton emballage",
        "Emmaüs Connect",
        "initiation au numérique",
        "inclusion numérique",
        "DORSAL",
        "Gestion électronique des dossiers RSA",
    ],
)
def test_the_2017_actions_named_by_the_seed_text_are_present_with_2017_or_2018_reports(pti_2017, keyword):
    action = pti_2017.actions.get(title__contains=keyword)
    assert action.reports.filter(year=2018, state=ReportState.SUBMITTED).exists()
    if action.start_date.year == 2017:
        assert action.reports.filter(year=2017).exists()


def test_accompagnement_global_2017_gives_1098_people_of_whom_61_percent_brsa(pti_2017):
    action = pti_2017.actions.get(title__startswith="Accompagnement global")
    assert "1 098 personnes (dont 61 % de BRSA)" in action.description
    assert action.partners.filter(name="Pôle emploi").exists()
    people = Indicator.objects.get(action=action, label="Personnes accompagnées")
    share = Indicator.objects.get(action=action, label="Part de BRSA parmi les personnes accompagnées")
    assert share.unit == "%"
    assert people.values.get(year=2017).value == 1098
    assert share.values.get(year=2017).value == 61


def test_the_copil_of_13_november_2018_highlights_the_actions_of_the_seed(pti_2017):
    copil = Copil.objects.get(pacte=pti_2017, date="2018-11-13")
    titles = " | ".join(copil.highlights.values_list("action__title", flat=True))
    for keyword in ("Français langue étrangère", "Accompagnement global", "Pôle emploi", "Papier carton", "numérique"):
        assert keyword in titles
    comments = " ".join(copil.highlights.values_list("comment", flat=True))
    assert "5 entreprises représentant plus de 700 salariés" in comments
    decision = copil.decisions.get(text__contains="comité de pilotage 2019")
    assert decision.action.title.startswith("Coordination départementale des acteurs de l'inclusion numérique")


def test_seeding_again_changes_no_row_of_any_table(db, seeded):
    before = snapshot()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        output = run_seed()
    assert snapshot() == before
    assert "Lignes créées : 0 ; lignes modifiées : 0." in output
    assert apps.get_model("actions", "HistoricalAction").objects.exists()


@pytest.mark.parametrize(
    "username, role",
    [("referent", Role.REFERENT), ("referent2", Role.REFERENT), ("copil", Role.COPIL), ("agent", Role.STAFF)]
    + [("admin", Role.ADMIN)],
)
def test_demo_accounts_log_in_with_the_demo_password_and_have_their_role(db, client, settings, username, role):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    user = User.objects.get(username=username)
    assert user.role == role
    assert user.email == f"{username}@haute-vienne.example"
    assert client.login(username=username, password=DEMO_PASSWORD)


def test_demo_admin_gets_django_admin(db):
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


def test_referent_is_thematic_referent_of_an_axe_and_referent_of_several_actions(pti_2022):
    referent = User.objects.get(username="referent")
    assert referent.thematic_axes.filter(pacte=pti_2022).count() == 1
    assert referent.referent_actions.filter(pacte=pti_2022).count() >= 3


def test_referent_may_not_edit_the_actions_of_referent2(pti_2022):
    referent = User.objects.get(username="referent")
    referent2 = User.objects.get(username="referent2")
    theirs = Action.objects.filter(pacte=pti_2022, referents=referent2)
    assert theirs.count() >= 3
    assert not theirs.filter(pk__in=Action.objects.for_referent(referent)).exists()
    assert not can_edit_action(referent, theirs.first())
    assert can_edit_action(referent, Action.objects.filter(referents=referent).first())


def test_scale_three_triples_the_actions_of_both_pactes_and_is_idempotent(pti_2022, pti_2017):
    base_2022 = pti_2022.actions.count()
    base_axe_1 = pti_2022.actions.filter(axe__number=1).count()
    indicators_2017 = Indicator.objects.filter(action__pacte=pti_2017).count()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        run_seed("--scale", "3")
        assert pti_2017.actions.count() == 82 * 3
        assert pti_2022.actions.count() == base_2022 * 3
        assert Indicator.objects.filter(action__pacte=pti_2017).count() == indicators_2017 * 3
        copy = pti_2022.actions.get(number=f"1.{1 + base_axe_1}")
        original = pti_2022.actions.get(number="1.1")
        assert copy.objectif == original.objectif and copy.axe == original.axe
        assert copy.title.startswith(original.title)
        assert copy.sort_key == number_sort_key(copy.number)
        assert copy.reports.count() == original.reports.count()
        assert copy.partner_roles.count() == original.partner_roles.count()
        # Copy k is followed by copy k of its referents, who cannot log in.
        assert {u.username for u in copy.referents.all()} == {f"{u.username}.1" for u in original.referents.all()}
        assert not any(u.has_usable_password() for u in copy.referents.all())
        before = snapshot()
        run_seed("--scale", "3")
    assert snapshot() == before


def test_command_prints_a_french_summary_with_the_accounts_and_their_password(seeded):
    assert "82 actions" in seeded
    assert f"mot de passe commun : {DEMO_PASSWORD}" in seeded
    for username in ("referent", "referent2", "copil", "agent", "admin"):
        assert re.search(rf"^  {re.escape(username)} ", seeded, re.MULTILINE)


@pytest.mark.parametrize("scale", ["0", "1000"])
def test_command_refuses_a_scale_that_would_break_action_numbers(db, scale):
    with pytest.raises(CommandError, match="--scale"):
        run_seed("--scale", scale)


def test_every_seeded_row_passes_the_field_validators_and_the_models_clean(db):
    # The database has already enforced the constraints; this checks what only the forms would check.
    for model, related in [
        (Pacte, []),
        (Axe, ["pacte"]),
        (Objectif, ["axe"]),
        (Action, ["axe__pacte", "objectif__axe"]),
        (ActionBudget, ["action__pacte"]),
        (IndicatorValue, ["indicator__action__pacte"]),
        (ProgressReport, ["action__pacte"]),
        (Decision, ["copil", "action"]),
    ]:
        for obj in model.objects.select_related(*related):
            obj.clean_fields()
            with reopened():  # the closed years' rows refuse any change, which is not what is checked here
                obj.clean()


def test_copies_past_999_in_an_axe_take_a_three_part_number_so_that_scale_100_is_valid(db):
    from actions.models import ACTION_NUMBER_RE
    from pilotage.demo.builder import PACTES, plan_actions

    for spec in PACTES:
        planned = plan_actions(spec, 100)
        numbers = [p.number for p in planned]
        assert len(set(numbers)) == len(numbers)
        assert all(re.match(ACTION_NUMBER_RE, number) for number in numbers)
        # The first copies keep their two-part numbers; the last ones have three (axe, original, copy).
        assert {p.number for p in planned if p.copy == 0} == {p.number for p in plan_actions(spec, 1)}
        last = [p for p in planned if p.copy == 99]
        largest = max(len(axe.numbered_actions()) for axe in spec.axes)
        assert any(p.number.count(".") == 2 for p in last) == (largest * 100 > 999)
        assert all(p.number.endswith(".99") for p in last if p.number.count(".") == 2)
