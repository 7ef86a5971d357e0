import pytest
from django.contrib.auth.models import AnonymousUser

from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import Action
from axes.factories import AxeFactory
from axes.models import ClosedYear
from pti import access
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

MANAGE = [access.MANAGE_PILOTAGE, access.MANAGE_BILANS, access.MANAGE_PACTES]


@pytest.fixture
def own_action(referent):
    return ActionFactory(referents=[referent])


@pytest.fixture
def thematic_axe(referent):
    return AxeFactory(thematic_referents=[referent])


@pytest.fixture
def other_action():
    return ActionFactory(referents=[UserFactory()])


# Referent


def test_referent_edits_the_action_he_is_referent_of(referent, own_action):
    assert access.can_edit_action(referent, own_action)
    assert access.can(referent, access.EDIT_ACTION, own_action)
    assert access.can_edit_report(referent, own_action, 2023)


def test_referent_edits_every_action_of_his_thematic_axe(referent, thematic_axe):
    actions = ActionFactory.create_batch(3, axe=thematic_axe, referents=[UserFactory()])
    assert all(access.can_edit_action(referent, action) for action in actions)
    assert all(access.can_edit_report(referent, action, 2023) for action in actions)


def test_referent_cannot_edit_other_actions(referent, own_action, other_action):
    assert not access.can_edit_action(referent, other_action)
    assert not access.can_edit_report(referent, other_action, 2023)


def test_referent_cannot_edit_another_axe_of_the_same_pacte(referent, thematic_axe):
    other = ActionFactory(axe=AxeFactory(pacte=thematic_axe.pacte))
    assert not access.can_edit_action(referent, other)


def test_referent_views_everything(referent, other_action):
    assert access.can_view(referent, other_action)
    assert access.can(referent, access.VIEW, other_action)


@pytest.mark.parametrize("permission", [*MANAGE, access.ADMINISTER])
def test_referent_cannot_manage_pilotage_bilans_pactes_or_administer(referent, permission):
    assert not access.can(referent, permission)


def test_referent_named_on_an_action_loses_it_when_his_role_changes(referent, own_action, thematic_axe):
    referent.role = "copil"
    referent.save()
    assert not access.can_edit_action(referent, own_action)
    assert not access.can_edit_action(referent, ActionFactory(axe=thematic_axe))
    assert not access.editable_actions(referent).exists()


# COPIL member


def test_copil_member_views_everything(copil_member, other_action):
    assert access.can_view(copil_member, other_action)


@pytest.mark.parametrize("permission", [access.EDIT_ACTION, *MANAGE, access.ADMINISTER])
def test_copil_member_edits_nothing(copil_member, other_action, permission):
    assert not access.can(copil_member, permission, other_action)


def test_copil_member_cannot_write_a_report(copil_member, other_action):
    assert not access.can_edit_report(copil_member, other_action, 2023)
    assert not access.can(copil_member, access.EDIT_REPORT, ProgressReportFactory(action=other_action))


# Département staff and administrators


@pytest.mark.parametrize("user_fixture", ["staff", "administrator"])
def test_staff_and_administrator_edit_every_action_and_report(request, user_fixture, other_action):
    user = request.getfixturevalue(user_fixture)
    assert access.can_edit_action(user, other_action)
    assert access.can_edit_report(user, other_action, 2023)


@pytest.mark.parametrize("user_fixture", ["staff", "administrator"])
@pytest.mark.parametrize("permission", MANAGE)
def test_staff_and_administrator_manage_pilotage_bilans_and_pactes(request, user_fixture, permission):
    assert access.can(request.getfixturevalue(user_fixture), permission)


def test_only_the_administrator_administers(staff, administrator):
    assert access.can(administrator, access.ADMINISTER)
    assert not access.can(staff, access.ADMINISTER)


def test_a_superuser_is_an_administrator_whatever_his_role():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert access.is_administrator(superuser)
    assert access.can(superuser, access.MANAGE_BILANS)


# Reports and closed years


def test_nobody_writes_a_report_once_the_year_is_closed(referent, own_action, staff, administrator):
    ClosedYear.objects.create(pacte=own_action.pacte, year=2023)

    for user in (referent, staff, administrator):
        assert not access.can_edit_report(user, own_action, 2023)
        assert access.can_edit_report(user, own_action, 2024)
    assert not access.can(referent, access.EDIT_REPORT, ProgressReportFactory.build(action=own_action, year=2023))


def test_closing_a_year_of_another_pacte_changes_nothing(referent, own_action):
    ClosedYear.objects.create(pacte=ActionFactory().pacte, year=2023)
    assert access.can_edit_report(referent, own_action, 2023)


@pytest.mark.parametrize("year", [2021, 2026])
def test_nobody_writes_a_report_for_a_year_outside_the_pacte(referent, own_action, staff, year):
    assert (own_action.pacte.first_year, own_action.pacte.last_year) == (2022, 2025)
    assert not access.can_edit_report(referent, own_action, year)
    assert not access.can_edit_report(staff, own_action, year)


def test_edit_report_permission_reads_the_report_action_and_year(referent, own_action, other_action):
    assert access.can(referent, access.EDIT_REPORT, ProgressReportFactory(action=own_action))
    assert not access.can(referent, access.EDIT_REPORT, ProgressReportFactory(action=other_action))


# Inactive and anonymous users


@pytest.fixture(params=["referent", "copil", "staff", "admin"])
def inactive_user(request, own_action):
    user = UserFactory(role=request.param, is_active=False)
    own_action.referents.add(user)
    return user


def test_inactive_user_can_do_nothing(inactive_user, own_action):
    assert not access.can_view(inactive_user, own_action)
    assert not access.can_edit_action(inactive_user, own_action)
    assert not access.can_edit_report(inactive_user, own_action, 2023)
    for permission in (access.VIEW, access.EDIT_ACTION, *MANAGE, access.ADMINISTER):
        assert not access.can(inactive_user, permission, own_action)
    assert not access.editable_actions(inactive_user).exists()


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_anonymous_user_can_do_nothing(user, own_action):
    assert not access.can_view(user, own_action)
    assert not access.can_edit_action(user, own_action)
    assert not access.can_edit_report(user, own_action, 2023)
    for permission in (access.VIEW, access.EDIT_ACTION, *MANAGE, access.ADMINISTER):
        assert not access.can(user, permission, own_action)
    assert not access.editable_actions(user).exists()


# Unknown permissions


@pytest.mark.parametrize("user_fixture", ["referent", "copil_member", "staff", "administrator"])
def test_an_unknown_permission_is_refused_to_everyone(request, user_fixture, own_action):
    user = request.getfixturevalue(user_fixture)
    assert access.can(user, "unknown") is False
    assert access.can(user, "unknown", own_action) is False


# What each user may edit, as a queryset


def test_referent_editable_actions_are_his_and_his_axes(referent, own_action, thematic_axe, other_action):
    on_axe = ActionFactory(axe=thematic_axe)

    assert set(access.editable_actions(referent)) == {own_action, on_axe}


def test_referent_editable_actions_have_no_duplicates(referent, thematic_axe):
    both = ActionFactory(axe=thematic_axe, referents=[referent, UserFactory()])
    ActionFactory(axe=thematic_axe)

    editable = list(access.editable_actions(referent))

    assert len(editable) == 2
    assert editable.count(both) == 1
    assert access.editable_actions(referent).count() == 2


def test_editable_actions_filter_the_given_queryset(referent, own_action, thematic_axe):
    ActionFactory(axe=thematic_axe)
    queryset = Action.objects.filter(pk=own_action.pk)
    assert list(access.editable_actions(referent, queryset)) == [own_action]


def test_copil_member_has_no_editable_actions(copil_member, other_action):
    other_action.referents.add(copil_member)
    assert not access.editable_actions(copil_member).exists()


@pytest.mark.parametrize("user_fixture", ["staff", "administrator"])
def test_staff_and_administrator_may_edit_every_action(request, user_fixture, own_action, other_action):
    assert set(access.editable_actions(request.getfixturevalue(user_fixture))) == {own_action, other_action}


def test_editable_actions_agree_with_can_edit_action(referent, own_action, thematic_axe, other_action):
    ActionFactory(axe=thematic_axe)
    editable = set(access.editable_actions(referent))
    for action in Action.objects.all():
        assert access.can_edit_action(referent, action) is (action in editable)
