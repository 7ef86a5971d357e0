"""Numbers behave like places in a list (axes.services): a free number is taken, a taken one is taken over and
the others make room, a row that leaves leaves no hole. Written out case by case."""

import pytest
from django.db import transaction

from actions.factories import ActionFactory
from axes import services
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import Axe, Objectif


def test_a_new_row_takes_a_free_number_and_nothing_moves():
    assert services.numbers_after_move({"a": 1, "b": 2}, None, 3) == {None: 3}


def test_a_new_row_at_a_taken_number_pushes_that_row_and_the_following_ones():
    assert services.numbers_after_move({"a": 1, "b": 2, "c": 3}, None, 2) == {None: 2, "b": 3, "c": 4}


def test_a_row_moved_up_shifts_those_between_its_new_and_old_place_down():
    assert services.numbers_after_move({"a": 1, "b": 2, "c": 3, "d": 4}, "d", 2) == {"d": 2, "b": 3, "c": 4}


def test_a_row_moved_down_shifts_those_between_its_old_and_new_place_up():
    assert services.numbers_after_move({"a": 1, "b": 2, "c": 3, "d": 4}, "a", 3) == {"a": 3, "b": 1, "c": 2}


def test_a_row_moved_to_a_free_number_moves_alone():
    assert services.numbers_after_move({"a": 1, "b": 2, "c": 3}, "a", 7) == {"a": 7}


def test_a_row_kept_at_its_number_moves_nothing():
    assert services.numbers_after_move({"a": 1, "b": 2}, "b", 2) == {}


def test_a_row_that_leaves_lets_the_following_ones_move_up():
    assert services.numbers_after_removal({"a": 1, "b": 2, "c": 3, "d": 5}, "b") == {"c": 2, "d": 4}


@pytest.fixture
def staff_user(db):
    from pti.factories import UserFactory

    return UserFactory(username="agent-plan", staff=True)


def numbers(pacte):
    return list(Axe.objects.filter(pacte=pacte).order_by("number").values_list("title", "number"))


@pytest.mark.django_db
def test_inserting_axe_2_shifts_the_axes_from_2_and_records_why(staff_user):
    pacte = PacteFactory(slug="pti-num")
    for number, title in [(1, "Emploi"), (2, "Logement"), (3, "Mobilité")]:
        AxeFactory(pacte=pacte, number=number, title=title)

    services.create_axe(pacte, {"number": 2, "title": "Santé", "description": ""}, staff_user)

    assert numbers(pacte) == [("Emploi", 1), ("Santé", 2), ("Logement", 3), ("Mobilité", 4)]
    logement = Axe.objects.get(pacte=pacte, title="Logement")
    assert logement.version == 2
    record = logement.history.latest()
    assert record.history_user == staff_user
    assert record.history_change_reason == "Renuméroté : un nouvel axe 2 a été inséré."
    assert Axe.objects.get(pacte=pacte, title="Emploi").version == 1


@pytest.mark.django_db
def test_moving_axe_3_to_1_shifts_axes_1_and_2(staff_user):
    pacte = PacteFactory(slug="pti-num")
    axes = [AxeFactory(pacte=pacte, number=n, title=t) for n, t in [(1, "A"), (2, "B"), (3, "C")]]

    services.update_axe(axes[2], {"number": 1, "title": "C"}, staff_user, expected_version=1)

    assert numbers(pacte) == [("C", 1), ("A", 2), ("B", 3)]
    assert [a.version for a in Axe.objects.filter(pacte=pacte).order_by("number")] == [2, 2, 2]


@pytest.mark.django_db
def test_deleting_an_empty_axe_moves_the_following_ones_up(staff_user):
    pacte = PacteFactory(slug="pti-num")
    axes = [AxeFactory(pacte=pacte, number=n, title=t) for n, t in [(1, "A"), (2, "B"), (3, "C"), (4, "D")]]
    ObjectifFactory(axe=axes[1], number=1)

    services.delete_axe(axes[1], staff_user, expected_version=1)

    assert numbers(pacte) == [("A", 1), ("C", 2), ("D", 3)]
    assert not Objectif.objects.filter(axe__pacte=pacte).exists()


@pytest.mark.django_db
def test_an_axe_with_actions_is_not_deleted(staff_user):
    pacte = PacteFactory(slug="pti-num")
    axe = AxeFactory(pacte=pacte, number=1)
    ActionFactory(axe=axe, number="1.1")

    with pytest.raises(services.NotEmpty) as refused:
        services.delete_axe(axe, staff_user, expected_version=1)

    assert refused.value.messages == [
        "L'axe compte 1 action : il ne peut pas être supprimé. Rattachez-la d'abord à un autre axe."
    ]
    assert Axe.objects.filter(pk=axe.pk).exists()


@pytest.mark.django_db
def test_an_objective_moved_to_another_axe_leaves_no_hole_and_makes_room(staff_user):
    pacte = PacteFactory(slug="pti-num")
    one, two = AxeFactory(pacte=pacte, number=1), AxeFactory(pacte=pacte, number=2)
    a, b, c = (ObjectifFactory(axe=one, number=n, text=t) for n, t in [(1, "a"), (2, "b"), (3, "c")])
    x, y = (ObjectifFactory(axe=two, number=n, text=t) for n, t in [(1, "x"), (2, "y")])

    services.update_objectif(b, {"axe": two, "number": 1, "text": "b"}, staff_user, expected_version=1)

    def codes():
        return sorted((o.text, o.code) for o in Objectif.objects.filter(axe__pacte=pacte).select_related("axe"))

    assert codes() == [("a", "1.1"), ("b", "2.1"), ("c", "1.2"), ("x", "2.2"), ("y", "2.3")]


@pytest.mark.django_db
def test_a_shift_past_999_is_refused_and_nothing_moves(staff_user):
    pacte = PacteFactory(slug="pti-num")
    AxeFactory(pacte=pacte, number=998, title="A")
    AxeFactory(pacte=pacte, number=999, title="B")

    with pytest.raises(Exception) as refused, transaction.atomic():
        services.create_axe(pacte, {"number": 998, "title": "C", "description": ""}, staff_user)

    assert refused.value.message_dict == {"number": ["Ce décalage porterait l'axe « B » au-delà du numéro 999."]}
    assert numbers(pacte) == [("A", 998), ("B", 999)]


@pytest.mark.django_db
def test_an_axe_whose_objective_holds_an_action_of_another_axe_is_not_deleted(staff_user):
    pacte = PacteFactory(slug="pti-num")
    one, two = AxeFactory(pacte=pacte, number=1), AxeFactory(pacte=pacte, number=2)
    objectif = ObjectifFactory(axe=two, number=1)
    action = ActionFactory(axe=one, number="1.1")
    type(action).objects.filter(pk=action.pk).update(objectif=objectif)  # inconsistent data, as an old import left it

    with pytest.raises(services.NotEmpty):
        services.delete_axe(two, staff_user, expected_version=1)

    assert Axe.objects.filter(pacte=pacte).count() == 2 and Objectif.objects.filter(pk=objectif.pk).exists()
