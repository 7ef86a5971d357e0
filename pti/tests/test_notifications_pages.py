"""The "Nouveautés" panel of /mes-actions/, the list of notifications, marking read (htmx and without
JavaScript), the profile's e-mail preferences, and the same through the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actions.factories import ActionFactory
from pti.enums import NotificationKind
from pti.factories import UserFactory
from pti.models import Notification, NotificationPreferences

pytestmark = pytest.mark.django_db

MY_ACTIONS = "/mes-actions/"


@pytest.fixture
def camille():
    return UserFactory(username="camille", email="camille@example.fr")


@pytest.fixture
def action(camille):
    return ActionFactory(number="2.3", referents=[camille])


def tell(user, target, title="Étape « Comité » de l'action 2.3 prévue le 25 mars 2025", key="", **extra):
    from pti import notifications

    (notification,) = notifications.notify(
        [user],
        extra.pop("kind", NotificationKind.MILESTONE_DUE),
        target,
        title=title,
        url=f"/actions/{target.pk}/#etapes",
        key=key,
        email=False,
        **extra,
    )
    return notification


def page(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def test_the_panel_lists_the_users_unread_notifications_with_their_links(client, camille, action):
    tell(camille, action, body="Dans 15 jours.")
    other = UserFactory(username="julien")
    tell(other, action, title="Pour Julien seulement")
    client.force_login(camille)
    content = page(client.get(MY_ACTIONS))
    assert "Nouveautés" in content
    assert f'<a href="/actions/{action.pk}/#etapes" class="fw-semibold">Étape « Comité » de l\'action 2.3' in content
    assert "Dans 15 jours." in content and "Étape à franchir dans les 15 jours" in content
    assert "Pour Julien seulement" not in content
    assert "Tout marquer comme lu" in content and "1 nouveauté non lue" in content


def test_an_empty_panel_says_so(client, camille):
    client.force_login(camille)
    content = page(client.get(MY_ACTIONS))
    assert "Rien de nouveau pour vous." in content and "Tout marquer comme lu" not in content


def test_marking_one_read_without_javascript_redirects_back(client, camille, action):
    notification = tell(camille, action)
    client.force_login(camille)
    response = client.post(reverse("notification_read", args=[notification.pk]), {"next": MY_ACTIONS})
    assert response.status_code == 302 and response["Location"] == MY_ACTIONS
    notification.refresh_from_db()
    assert notification.read_at is not None
    content = page(client.get(MY_ACTIONS))
    assert "Rien de nouveau pour vous." in content and "Notification marquée comme lue." in content
    # Still in the full list, as read.
    listing = page(client.get(reverse("notification_list")))
    assert "Étape « Comité »" in listing and "lue le" in listing


def test_marking_read_with_htmx_answers_the_panel_again(client, camille, action):
    first = tell(camille, action, key="a")
    tell(camille, action, title="Seconde", key="b")
    client.force_login(camille)
    response = client.post(
        reverse("notification_read", args=[first.pk]), {"next": MY_ACTIONS}, headers={"HX-Request": "true"}
    )
    content = page(response)
    assert response.status_code == 200 and content.lstrip().startswith('<section class="card mb-4 nouveautes"')
    assert "Seconde" in content and f"notification-{first.pk}" not in content
    response = client.post(reverse("notification_read_all"), {"next": MY_ACTIONS}, headers={"HX-Request": "true"})
    assert "Rien de nouveau pour vous." in page(response)
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_mark_all_read_without_javascript(client, camille, action):
    tell(camille, action, key="a")
    tell(camille, action, key="b")
    other = tell(UserFactory(username="julien"), action)
    client.force_login(camille)
    response = client.post(reverse("notification_read_all"), {"next": "https://ailleurs.example/"})
    assert response.status_code == 302 and response["Location"] == MY_ACTIONS  # never off the site
    assert Notification.objects.filter(user=camille, read_at__isnull=True).count() == 0
    other.refresh_from_db()
    assert other.read_at is None


def test_nobody_marks_someone_elses_notification(client, camille, action):
    theirs = tell(UserFactory(username="julien"), action)
    client.force_login(camille)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[999999])).status_code == 404
    assert client.get(reverse("notification_read", args=[theirs.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bad_page_number_is_a_french_400(client, camille):
    client.force_login(camille)
    response = client.get(reverse("notification_list"), {"page": "abc"})
    assert response.status_code == 400 and "Page" in page(response)


def test_the_panel_costs_the_same_queries_with_one_or_many_notifications(
    client, camille, action, django_assert_max_num_queries
):
    tell(camille, action, key="0")
    client.force_login(camille)
    client.get(MY_ACTIONS)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(MY_ACTIONS)
    for index in range(1, 30):
        tell(camille, action, title=f"Nouveauté {index}", key=str(index))
    with django_assert_max_num_queries(len(one.captured_queries)):
        content = page(client.get(MY_ACTIONS))
    assert "Et 10 autres non lues." in content and "30 nouveautés non lues" in content


def test_the_list_page_costs_constant_queries(client, camille, action, django_assert_max_num_queries):
    tell(camille, action, key="0")
    client.force_login(camille)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notification_list"))
    for index in range(1, 40):
        tell(camille, action, key=str(index))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("notification_list")).status_code == 200


# --- the profile ---------------------------------------------------------------------------------------------


def test_the_profile_shows_the_defaults_all_but_milestones(client, camille):
    client.force_login(camille)
    response = client.get(reverse("profile"))
    content = page(response)
    assert response.status_code == 200 and "Notifications par courriel" in content
    form = response.context["form"]
    assert {name: form[name].value() for name in NotificationPreferences.FIELDS.values()} == {
        "email_report_returned": True,
        "email_decision_assigned": True,
        "email_milestone_due": False,
        "email_campaign_opened": True,
        "email_reminder": True,
    }
    assert form["version"].value() == 0


def test_saving_the_preferences_keeps_history_and_checks_the_version(client, camille):
    client.force_login(camille)
    choice = {"version": 0, "email_report_returned": "on", "email_milestone_due": "on"}
    response = client.post(reverse("profile"), choice)
    assert response.status_code == 302
    saved = NotificationPreferences.objects.get(user=camille)
    assert (saved.email_report_returned, saved.email_milestone_due, saved.email_reminder, saved.version) == (
        True,
        True,
        False,
        1,
    )
    assert saved.history.count() == 1 and saved.history.first().history_user == camille

    # A second tab still on version 0: refused, nothing changed, the other changes shown.
    response = client.post(reverse("profile"), {"version": 0, "email_reminder": "on"})
    assert response.status_code == 409 and "Modification concurrente" in page(response)
    assert NotificationPreferences.objects.get(user=camille).email_reminder is False

    response = client.post(reverse("profile"), {"email_reminder": "on"})
    assert response.status_code == 400 and "ne dit pas de quelle version" in page(response)
    response = client.post(reverse("profile"), {"version": 1, "email_reminder": "on"})
    assert response.status_code == 302
    assert NotificationPreferences.objects.get(user=camille).version == 2


def test_the_user_menu_links_the_profile(client, camille):
    client.force_login(camille)
    assert 'href="/comptes/profil/"' in page(client.get(MY_ACTIONS))


# --- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def api(camille):
    client = APIClient()
    client.force_authenticate(camille)
    return client


def test_api_lists_only_the_users_notifications_and_marks_them_read(api, camille, action):
    mine = tell(camille, action, key="a")
    tell(camille, action, title="Autre", key="b")
    theirs = tell(UserFactory(username="julien"), action)
    response = api.get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == sorted([mine.pk, mine.pk + 1], reverse=True)
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/lue/").status_code == 404

    response = api.post(f"/api/v1/notifications/{mine.pk}/lue/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert [row["id"] for row in api.get("/api/v1/notifications/?lue=false").json()["results"]] == [mine.pk + 1]
    assert api.post("/api/v1/notifications/tout-lu/").json() == {"marked_read": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_refuses_anonymous_readers():
    assert APIClient().get("/api/v1/notifications/").status_code == 401
    assert APIClient().get("/api/v1/preferences-notifications/").status_code == 401


def test_api_reads_and_writes_the_users_preferences_with_the_version(api, camille):
    response = api.get("/api/v1/preferences-notifications/")
    assert response.status_code == 200 and response["ETag"] == '"0"'
    assert response.json() == {
        "email_report_returned": True,
        "email_decision_assigned": True,
        "email_milestone_due": False,
        "email_campaign_opened": True,
        "email_reminder": True,
        "version": 0,
    }
    response = api.patch(
        "/api/v1/preferences-notifications/", {"email_milestone_due": True, "version": 0}, format="json"
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    assert NotificationPreferences.objects.get(user=camille).email_milestone_due is True

    stale = api.patch("/api/v1/preferences-notifications/", {"email_reminder": False, "version": 0}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    stale = api.patch(
        "/api/v1/preferences-notifications/", {"email_reminder": False}, format="json", headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    assert api.patch("/api/v1/preferences-notifications/", {"email_reminder": False}, format="json").status_code == 400
    unknown = api.patch("/api/v1/preferences-notifications/", {"user": 3, "version": 1}, format="json")
    assert unknown.status_code == 400 and "user" in unknown.json()
    assert NotificationPreferences.objects.get(user=camille).email_reminder is True


def test_admin_pages_of_notifications_and_preferences(client, administrator, camille, action):
    tell(camille, action)
    NotificationPreferences.objects.create(user=camille)
    client.force_login(administrator)
    for name in ("notification", "notificationpreferences"):
        assert client.get(reverse(f"admin:pti_{name}_changelist")).status_code == 200
    preferences = NotificationPreferences.objects.get()
    assert client.get(reverse("admin:pti_notificationpreferences_change", args=[preferences.pk])).status_code == 200
    assert client.get(reverse("admin:pti_notification_change", args=[Notification.objects.get().pk])).status_code == 200


def test_a_notification_tells_its_time_in_paris_and_the_first_of_the_month_as_1er(client, camille, action):
    import datetime

    notification = tell(camille, action)
    # 9:05 in UTC is 10:05 in Paris in winter.
    when = datetime.datetime(2026, 12, 1, 9, 5, tzinfo=datetime.UTC)
    Notification.objects.filter(pk=notification.pk).update(created_at=when)
    client.force_login(camille)

    assert "1er décembre 2026 à 10:05" in page(client.get(MY_ACTIONS))
    assert "1er décembre 2026 à 10:05" in page(client.get(reverse("notification_list")))
