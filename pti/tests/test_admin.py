import datetime

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from actions.enums import ActionStatus, Priority
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    ContributionFactory,
    FollowUpNoteFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    PartnerFactory,
    PartnerMemberFactory,
    ProgressReportFactory,
)
from actions.models import (
    Action,
    ActionBudget,
    ActionPartner,
    Contribution,
    FollowUpNote,
    Indicator,
    IndicatorValue,
    Milestone,
    Partner,
    PartnerMember,
    ProgressReport,
    ReportDocument,
)
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Axe, ClosedYear, Objectif, Pacte
from bilans.enums import BilanStatus, ReminderKind
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition, Reminder, ReportingCampaign
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.models import Copil, CopilAttendee, Decision, HighlightedAction
from pti import notifications
from pti.enums import NotificationKind, Role
from pti.factories import UserFactory
from pti.models import Notification, NotificationPreferences, User

PDF = b"%PDF-1.4\n% bilan de test\n%%EOF\n"


def make_report_document():
    report = ProgressReportFactory()
    return ReportDocument.objects.create(
        report=report,
        file=ContentFile(PDF, name="justificatif.pdf"),
        title="Compte rendu de réunion",
        content_type="application/pdf",
        size=len(PDF),
    )


def make_bilan_transition():
    bilan = BilanFactory()
    return BilanTransition.objects.create(bilan=bilan, source=BilanStatus.DRAFT, target=BilanStatus.GENERATING)


def make_approved_bilan():
    bilan = BilanFactory(
        status=BilanStatus.APPROVED,
        pdf=ContentFile(PDF, name="bilan.pdf"),
        pdf_sha256="0" * 64,
        snapshot={"actions": []},
        deliberation_reference="CD-2024-012",
        approval_date=datetime.date(2024, 3, 15),
    )
    BilanTransition.objects.create(bilan=bilan, source=BilanStatus.SUBMITTED, target=BilanStatus.APPROVED)
    return bilan


# One way to create an object of each model registered in the admin. A model registered without an entry here
# makes test_every_registered_model_has_a_maker fail: add one.
MAKERS = {
    User: lambda: UserFactory(organisation="France Travail"),
    Group: lambda: Group.objects.create(name="Agents du pôle insertion"),
    Pacte: PacteFactory,
    ClosedYear: lambda: ClosedYear.objects.create(pacte=PacteFactory(), year=2022),
    Axe: lambda: AxeFactory(thematic_referents=[UserFactory()]),
    Objectif: ObjectifFactory,
    Partner: PartnerFactory,
    Action: lambda: ActionFactory(objectif=None, referents=[UserFactory()]),
    ActionPartner: lambda: ActionPartnerFactory(funder=True),
    ActionBudget: lambda: ActionBudget.objects.create(action=ActionFactory(), year=2023, planned=1000),
    Indicator: IndicatorFactory,
    IndicatorValue: IndicatorValueFactory,
    ProgressReport: ProgressReportFactory,
    ReportDocument: make_report_document,
    Milestone: MilestoneFactory,
    FollowUpNote: FollowUpNoteFactory,
    PartnerMember: PartnerMemberFactory,
    Contribution: ContributionFactory,
    Copil: CopilFactory,
    HighlightedAction: HighlightedActionFactory,
    Decision: DecisionFactory,
    Bilan: BilanFactory,
    BilanTransition: make_bilan_transition,
    ReportingCampaign: lambda: ReportingCampaign.objects.create(
        pacte=PacteFactory(), year=2023, deadline=datetime.date(2024, 1, 31)
    ),
    Reminder: lambda: Reminder.objects.create(
        campaign=ReportingCampaign.objects.create(pacte=PacteFactory(), year=2023, deadline=datetime.date(2024, 1, 31)),
        recipient=UserFactory(),
        kind=ReminderKind.BEFORE,
        email="referent@example.org",
        actions=["2.1"],
    ),
    TokenProxy: lambda: TokenProxy.objects.create(user=UserFactory()),
    Notification: lambda: notifications.notify(
        [UserFactory()],
        NotificationKind.MILESTONE_DUE,
        PacteFactory(),
        "Une étape arrive",
        "/mes-actions/",
        email=False,
    )[0],
    NotificationPreferences: lambda: NotificationPreferences.objects.create(user=UserFactory()),
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def admin_form_data(response):
    """The POST data of the admin form on `response`, as its fields are filled; inlines left untouched."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(field.widget, forms.MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                if part is not None:
                    data[f"{name}_{index}"] = str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    for inline in response.context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_every_registered_model_has_a_maker():
    missing = [model._meta.label for model in REGISTERED if model not in MAKERS]
    assert not missing


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_administrator_opens_changelist_add_and_change_pages(admin_client, model, rf, administrator):
    obj = MAKERS[model]()
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = administrator

    assert admin_client.get(url(model, "changelist")).status_code == 200
    add = admin_client.get(url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    change = admin_client.get(url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_administrator_searches_every_changelist(admin_client, model):
    MAKERS[model]()
    response = admin_client.get(url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


def test_referent_is_sent_to_the_admin_login(client, referent):
    client.force_login(referent)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(url(Action, "changelist")).status_code == 302


def test_copil_member_is_sent_to_the_admin_login(client, copil_member):
    client.force_login(copil_member)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_department_staff_without_admin_role_cannot_open_the_admin(client, staff):
    client.force_login(staff)
    assert client.get(url(Action, "changelist")).status_code == 302


# Action changelist


def test_action_changelist_shows_number_axe_status_and_late_column(admin_client):
    late = ActionFactory(late=True, number="1.1", title="Chantier d'insertion en retard")
    ActionFactory(axe=late.axe, number="1.2", title="Action à l'heure", end_date=None)

    response = admin_client.get(url(Action, "changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Chantier d&#x27;insertion en retard" in content
    assert escape(str(late.axe)) in content  # the factory's title may hold an apostrophe
    assert "en retard" in content.lower()
    results = list(response.context["cl"].result_list)
    assert [action.number for action in results] == ["1.1", "1.2"]
    assert [action.is_late for action in results] == [True, False]


def test_action_changelist_searches_number_title_and_description(admin_client):
    ActionFactory(number="3.4", title="Mobilité solidaire", description="Garage solidaire à Saint-Junien")
    ActionFactory(number="8.1", title="Autre chose", description="Rien à voir")

    for query in ("3.4", "Mobilité", "Saint-Junien"):
        response = admin_client.get(url(Action, "changelist"), {"q": query})
        assert response.status_code == 200
        assert [action.title for action in response.context["cl"].result_list] == ["Mobilité solidaire"]


def test_action_changelist_filters_by_pacte_axe_status_priority_and_lateness(admin_client):
    wanted = ActionFactory(late=True, priority=Priority.HIGH)
    other = ActionFactory(status=ActionStatus.DONE, priority=Priority.LOW)

    for params in (
        {"pacte__id__exact": wanted.pacte_id},
        {"axe__id__exact": wanted.axe_id},
        {"status__exact": ActionStatus.IN_PROGRESS},
        {"priority__exact": Priority.HIGH},
        {"late": "yes"},
    ):
        response = admin_client.get(url(Action, "changelist"), params)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [wanted], params

    response = admin_client.get(url(Action, "changelist"), {"late": "no"})
    assert list(response.context["cl"].result_list) == [other]


def test_action_changelist_query_count_does_not_grow_with_the_actions(admin_client, django_assert_max_num_queries):
    ActionFactory.create_batch(3, referents=[UserFactory()])
    admin_client.get(url(Action, "changelist"))  # warm the caches (content types, session)
    with django_assert_max_num_queries(20) as captured:
        admin_client.get(url(Action, "changelist"))
    few = len(captured)
    ActionFactory.create_batch(20, referents=[UserFactory()])
    with django_assert_max_num_queries(few):
        admin_client.get(url(Action, "changelist"))


# Action change form: the model's rules show as form errors


def action_form_data(admin_client, action, **changes):
    data = admin_form_data(admin_client.get(url(Action, "change", action.pk)))
    data.update({key: str(value) for key, value in changes.items()})
    return data


def test_action_pacte_is_read_only_and_copied_from_the_axe(admin_client):
    axe = AxeFactory()
    response = admin_client.get(url(Action, "add"))
    assert "pacte" not in response.context["adminform"].form.fields

    data = admin_form_data(response)
    data.update(
        {"axe": axe.pk, "number": "7.1", "title": "Nouvelle action", "priority": "normal", "status": "to_launch"}
    )
    data["progress"] = "0"
    response = admin_client.post(url(Action, "add"), data)

    assert response.status_code == 302
    action = Action.objects.get(number="7.1")
    assert action.pacte == axe.pacte


def test_duplicate_action_number_is_a_form_error_not_a_server_error(admin_client):
    first = ActionFactory(number="2.1")
    second = ActionFactory(axe=first.axe, number="2.2")

    response = admin_client.post(url(Action, "change", second.pk), action_form_data(admin_client, second, number="2.1"))

    assert response.status_code == 200
    assert "number" in response.context["adminform"].form.errors
    second.refresh_from_db()
    assert second.number == "2.2"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"number": "deux"}, "number"),
        ({"progress": "150"}, "progress"),
        ({"start_date": "2019-01-01"}, "start_date"),
        ({"start_date": "2024-01-01", "end_date": "2023-01-01"}, "end_date"),
    ],
)
def test_action_rules_are_form_errors_in_the_admin(admin_client, changes, field):
    action = ActionFactory()

    response = admin_client.post(url(Action, "change", action.pk), action_form_data(admin_client, action, **changes))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_objectif_of_another_axe_is_a_form_error(admin_client):
    action = ActionFactory(objectif=None)
    foreign = ObjectifFactory()

    response = admin_client.post(
        url(Action, "change", action.pk), action_form_data(admin_client, action, objectif=foreign.pk)
    )

    assert response.status_code == 200
    assert "objectif" in response.context["adminform"].form.errors


def test_admin_save_bumps_the_action_version(admin_client):
    action = ActionFactory()
    assert action.version == 1

    response = admin_client.post(url(Action, "change", action.pk), action_form_data(admin_client, action, title="Neuf"))

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.version) == ("Neuf", 2)


def test_reverting_from_history_moves_the_version_forward(admin_client):
    action = ActionFactory(title="Premier intitulé")
    first_record = action.history.earliest()
    first = admin_client.post(
        url(Action, "change", action.pk), action_form_data(admin_client, action, title="Deuxième")
    )
    assert first.status_code == 302, first.context["adminform"].form.errors if first.context else first

    revert_url = reverse("admin:actions_action_simple_history", args=[action.pk, first_record.history_id])
    response = admin_client.post(revert_url, admin_form_data(admin_client.get(revert_url)))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    action.refresh_from_db()
    assert (action.title, action.version) == ("Premier intitulé", 3)


# Users


def user_form_data(admin_client, user, **changes):
    data = admin_form_data(admin_client.get(url(User, "change", user.pk)))
    data.update(changes)
    return data


def test_administrator_sets_role_and_organisation_of_a_user(admin_client):
    user = UserFactory()

    response = admin_client.post(
        url(User, "change", user.pk), user_form_data(admin_client, user, role=Role.COPIL, organisation="CAF")
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.organisation) == (Role.COPIL, "CAF")


def test_superuser_who_is_not_an_administrator_is_refused(admin_client):
    user = UserFactory(is_superuser=True, is_staff=True)

    response = admin_client.post(url(User, "change", user.pk), user_form_data(admin_client, user, role=Role.STAFF))

    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors


def test_email_used_by_another_user_is_a_form_error(admin_client):
    UserFactory(email="marie.dupont@haute-vienne.example")
    user = UserFactory()

    response = admin_client.post(
        url(User, "change", user.pk), user_form_data(admin_client, user, email="Marie.Dupont@haute-vienne.example")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_administrator_adds_a_user_with_a_role(admin_client):
    data = {
        "username": "nouvel.agent",
        "usable_password": "true",
        "password1": "un-mot-de-passe-solide-42",
        "password2": "un-mot-de-passe-solide-42",
        "first_name": "Nadia",
        "last_name": "Martin",
        "email": "nadia.martin@haute-vienne.example",
        "organisation": "Mission locale",
        "role": Role.REFERENT,
    }

    response = admin_client.post(url(User, "add"), data)

    assert response.status_code == 302
    user = User.objects.get(username="nouvel.agent")
    assert (user.role, user.organisation, user.is_staff) == (Role.REFERENT, "Mission locale", False)


# Bilans: only the workflow moves them


def test_bilan_workflow_fields_are_read_only(admin_client):
    bilan = BilanFactory()
    response = admin_client.get(url(Bilan, "change", bilan.pk))
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"introduction", "conclusion"}

    data = admin_form_data(response)
    data.update({"introduction": "Une année de consolidation.", "status": BilanStatus.APPROVED, "pdf_sha256": "f"})
    response = admin_client.post(url(Bilan, "change", bilan.pk), data)

    assert response.status_code == 302
    bilan.refresh_from_db()
    assert (bilan.introduction, bilan.status, bilan.pdf_sha256) == ("Une année de consolidation.", "draft", "")


def test_approved_bilan_is_shown_read_only(admin_client):
    bilan = make_approved_bilan()

    response = admin_client.get(url(Bilan, "change", bilan.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    assert "CD-2024-012" in response.content.decode()


def test_approved_bilan_cannot_be_changed_or_deleted(admin_client):
    bilan = make_approved_bilan()

    response = admin_client.post(url(Bilan, "change", bilan.pk), {"introduction": "Réécrite", "conclusion": ""})
    assert response.status_code == 403
    assert admin_client.post(url(Bilan, "delete", bilan.pk), {"post": "yes"}).status_code == 403
    response = admin_client.post(
        url(Bilan, "changelist"), {"action": "delete_selected", "_selected_action": [bilan.pk], "post": "yes"}
    )
    assert response.status_code == 403

    bilan.refresh_from_db()
    assert bilan.introduction == ""
    assert Bilan.objects.filter(pk=bilan.pk).exists()


def test_draft_bilan_is_deleted_with_its_transitions(admin_client):
    transition = make_bilan_transition()

    response = admin_client.post(url(Bilan, "delete", transition.bilan_id), {"post": "yes"})

    assert response.status_code == 302
    assert not Bilan.objects.exists()
    assert not BilanTransition.objects.exists()


def test_bilan_transitions_cannot_be_added_changed_or_deleted(admin_client):
    transition = make_bilan_transition()

    assert admin_client.get(url(BilanTransition, "add")).status_code == 403
    assert admin_client.post(url(BilanTransition, "change", transition.pk), {"note": "x"}).status_code == 403
    assert admin_client.post(url(BilanTransition, "delete", transition.pk), {"post": "yes"}).status_code == 403
    assert BilanTransition.objects.get().note == ""


def test_closed_year_cannot_be_reopened_from_the_admin(admin_client):
    closed = ClosedYear.objects.create(pacte=PacteFactory(), year=2023)

    assert admin_client.post(url(ClosedYear, "delete", closed.pk), {"post": "yes"}).status_code == 403
    assert ClosedYear.objects.filter(pk=closed.pk).exists()


# Inlines


@pytest.mark.parametrize(
    "model, inlines",
    [
        (Pacte, {Axe}),
        (Axe, {Objectif}),
        (Action, {ActionPartner, Indicator, ActionBudget, ProgressReport}),
        (Indicator, {IndicatorValue}),
        (ProgressReport, {ReportDocument}),
        (Copil, {CopilAttendee, HighlightedAction, Decision}),
        (Bilan, {BilanTransition}),
    ],
)
def test_change_page_shows_its_inlines(admin_client, model, inlines):
    obj = MAKERS[model]()

    response = admin_client.get(url(model, "change", obj.pk))

    assert {inline.formset.model for inline in response.context["inline_admin_formsets"]} == inlines


def test_copil_inline_refuses_an_action_of_another_pacte(admin_client):
    copil = CopilFactory()
    foreign_action = ActionFactory()
    data = admin_form_data(admin_client.get(url(Copil, "change", copil.pk)))
    data.update(
        {
            "highlights-TOTAL_FORMS": "1",
            "highlights-0-action": str(foreign_action.pk),
            "highlights-0-comment": "Hors pacte",
            "highlights-0-copil": str(copil.pk),
        }
    )

    response = admin_client.post(url(Copil, "change", copil.pk), data)

    assert response.status_code == 200
    assert not HighlightedAction.objects.exists()


def test_changing_a_report_inline_bumps_its_version(admin_client):
    report = ProgressReportFactory(progress=50)
    action = report.action
    data = action_form_data(admin_client, action)
    data.update(
        {
            "reports-TOTAL_FORMS": "1",
            "reports-INITIAL_FORMS": "1",
            "reports-0-id": str(report.pk),
            "reports-0-action": str(action.pk),
            "reports-0-year": str(report.year),
            "reports-0-state": report.state,
            "reports-0-status": report.status,
            "reports-0-progress": "60",
            "reports-0-weather": report.weather,
        }
    )

    response = admin_client.post(url(Action, "change", action.pk), data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.progress, report.version) == (60, 2)


def test_bilan_added_for_a_year_outside_the_pacte_is_a_form_error(admin_client):
    pacte = PacteFactory(first_year=2022, last_year=2025)
    data = admin_form_data(admin_client.get(url(Bilan, "add")))
    data.update({"pacte": str(pacte.pk), "year": "2030"})

    response = admin_client.post(url(Bilan, "add"), data)

    assert response.status_code == 200
    assert "year" in response.context["adminform"].form.errors
    assert not Bilan.objects.exists()


def test_second_bilan_for_the_same_year_is_a_form_error(admin_client):
    bilan = BilanFactory(year=2023)
    data = admin_form_data(admin_client.get(url(Bilan, "add")))
    data.update({"pacte": str(bilan.pacte_id), "year": "2023"})

    response = admin_client.post(url(Bilan, "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Bilan.objects.count() == 1
