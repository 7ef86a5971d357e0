"""No user text is ever rendered unescaped: `<script>`, `<img onerror>` and `{{ }}` typed into every text field
are read back from every page (HTML), the XLSX/CSV exports, the dossier COPIL PDF and the e-mails."""

import io

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    FollowUpNoteFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from axes.factories import (
    AxeFactory,
    MeetingFactory,
    ObjectifFactory,
    PacteFactory,
    ProposalFactory,
    WorkingGroupFactory,
)
from bilans.factories import BilanFactory
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pti.factories import UserFactory
from tests.test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
CURLY = "{{ settings.SECRET_KEY }}{% debug %}"
PAYLOAD = f"{SCRIPT}{IMG}{CURLY}"
# Raw tags only: once `<` is escaped, `onerror="…"` is plain text (charts even split it into words).
RAW = [SCRIPT, "<img src=x"]


@pytest.fixture
def hostile(staff):
    user = UserFactory(username="hostile", first_name=IMG, last_name=SCRIPT, organisation=PAYLOAD)
    pacte = PacteFactory(
        slug="pti-hostile",
        title=f"Pacte {PAYLOAD}",
        territory=PAYLOAD,
        description=PAYLOAD,
        published=True,  # the public page shows the same text to anyone
        show_referent_names=True,
    )
    axe = AxeFactory(pacte=pacte, number=1, title=f"Axe {PAYLOAD}", description=PAYLOAD, thematic_referents=[user])
    objectif = ObjectifFactory(axe=axe, number=1, text=PAYLOAD)
    action = ActionFactory(
        axe=axe,
        objectif=objectif,
        number="1.1",
        title=f"Action {PAYLOAD}",
        description=PAYLOAD,
        target_public=PAYLOAD,
        referents=[user],
    )
    partner = PartnerFactory(name=f"Partenaire {PAYLOAD}", contact_name=PAYLOAD)
    ActionPartnerFactory(action=action, partner=partner)
    indicator = IndicatorFactory(action=action, label=f"Indicateur {PAYLOAD}", unit=IMG)
    IndicatorValueFactory(indicator=indicator, year=2024, target=10, value=3)
    report = ProgressReportFactory(
        action=action,
        year=2024,
        submitted=True,
        advances=PAYLOAD,
        difficulties=PAYLOAD,
        next_steps=PAYLOAD,
        adjustments=PAYLOAD,
        means=PAYLOAD,
    )
    report.documents.create(
        file=ContentFile(b"%PDF-1.7", name="p.pdf"),
        title=PAYLOAD,
        size=8,
    )
    milestone = MilestoneFactory(action=action, title=f"Étape {PAYLOAD}", note=PAYLOAD)
    note = FollowUpNoteFactory(action=action, text=PAYLOAD, author=user)
    copil = CopilFactory(pacte=pacte, place=PAYLOAD, agenda=PAYLOAD, minutes=PAYLOAD)
    copil.attendees.add(user)
    HighlightedActionFactory(copil=copil, action=action, comment=PAYLOAD)
    decision = DecisionFactory(copil=copil, text=f"Décision {PAYLOAD}", follow_up=PAYLOAD, owner=user, action=action)
    bilan = BilanFactory(pacte=pacte, year=2024, introduction=PAYLOAD, conclusion=PAYLOAD)
    working_group = WorkingGroupFactory(axe=axe, title=f"Groupe {PAYLOAD}", description=PAYLOAD)
    meeting = MeetingFactory(group=working_group, place=PAYLOAD, topic=PAYLOAD)
    kept = ProposalFactory(group=working_group, number=1, text=f"Proposition {PAYLOAD}")
    action.assises_proposals.add(kept)
    ProposalFactory(group=working_group, number=2, merged=True, merged_into=kept, text=PAYLOAD)
    ProposalFactory(group=working_group, number=3, not_retained=True, reason=PAYLOAD, text=PAYLOAD)
    return {
        "working_group": working_group,
        "meeting": meeting,
        "proposal": kept,
        "user": user,
        "pacte": pacte,
        "axe": axe,
        "objectif": objectif,
        "action": action,
        "partner": partner,
        "indicator": indicator,
        "report": report,
        "copil": copil,
        "decision": decision,
        "bilan": bilan,
        "milestone": milestone,
        "note": note,
    }


def kwargs_for(obj, world):
    return {
        None: None,
        "pacte": {"slug": world["pacte"].slug},
        "api_pacte": {"slug": world["pacte"].slug},
        "pacte_axe": {"slug": world["pacte"].slug, "number": 1},
        "axe": {"pk": world["axe"].pk},
        "objectif": {"pk": world["objectif"].pk},
        "action": {"pk": world["action"].pk},
        "report": {"pk": world["action"].pk, "year": 2024},
        "report_pk": {"pk": world["report"].pk},
        "document": {"pk": world["report"].documents.get().pk},
        "indicator": {"pk": world["indicator"].pk},
        "action_indicator": {"pk": world["indicator"].action_id, "indicator": world["indicator"].pk},
        "action_milestone": {"pk": world["action"].pk, "milestone": world["milestone"].pk},
        "milestone": {"pk": world["milestone"].pk},
        "note": {"pk": world["note"].pk},
        "partner": {"pk": world["partner"].pk},
        "copil": {"pk": world["copil"].pk},
        "decision": {"pk": world["decision"].pk},
        "owned_decision": {"pk": world["decision"].pk},
        "bilan": {"slug": world["pacte"].slug, "year": 2024},
        "bilan_pk": {"pk": world["bilan"].pk},
        "reset": {"uidb64": "MQ", "token": "x"},
        "working_group": {"pk": world["working_group"].pk},
        "meeting": {"pk": world["meeting"].pk},
        "proposal": {"pk": world["proposal"].pk},
    }[obj]


HTML_PAGES = sorted(
    name
    for name, (_rule, _obj, method) in ROUTES.items()
    if method == "GET"
    and not name.startswith("v1:")
    and not name.endswith(("_xlsx", "_csv", "pdf", "document", "open_data"))
)


@pytest.mark.parametrize("name", HTML_PAGES)
def test_pages_show_user_text_escaped(client, staff, hostile, name):
    client.force_login(staff)
    _rule, obj, _method = ROUTES[name]
    url = reverse(name, kwargs=kwargs_for(obj, hostile))
    for query in ["", "?q=%3Cscript%3E"]:
        response = client.get(url + query)
        assert response.status_code < 500
        content = response.content.decode(errors="replace")
        for raw in RAW:
            assert raw not in content, f"{url}{query} rend « {raw} » sans l'échapper"
        assert "SECRET_KEY" not in content or "{{ settings.SECRET_KEY }}" in content
        assert "dev-only-insecure-key" not in content


def test_htmx_parts_show_user_text_escaped(client, staff, hostile):
    client.force_login(staff)
    for url in [
        reverse("actions:pacte_axe", args=[hostile["pacte"].slug, 1]),
        reverse("actions:my_axe_actions", args=[hostile["axe"].pk]),
        reverse("actions:history", args=[hostile["action"].pk]),
        reverse("actions:list") + "?q=Action",
    ]:
        content = client.get(url, headers={"HX-Request": "true"}).content.decode()
        for raw in RAW:
            assert raw not in content, url


def test_api_returns_user_text_as_json_strings(client, staff, hostile):
    client.force_login(staff)
    response = client.get(reverse("v1:action-detail", kwargs={"pk": hostile["action"].pk}))
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["description"] == PAYLOAD


def test_csv_and_xlsx_exports_keep_user_text_as_text(client, staff, hostile):
    from openpyxl import load_workbook

    client.force_login(staff)
    csv_text = client.get(reverse("actions_io:actions_csv")).getvalue().decode("utf-8-sig")
    assert f"Action {PAYLOAD}" in csv_text.replace('""', '"')
    workbook = load_workbook(io.BytesIO(client.get(reverse("actions_io:actions_xlsx")).getvalue()))
    values = [cell.value for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert f"Action {PAYLOAD}" in values


def test_dossier_pdf_prints_user_text_literally(client, staff, hostile):
    client.force_login(staff)
    pdf = client.get(reverse("pilotage:dossier_pdf", args=[hostile["copil"].pk])).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert('x')</script>" in text.replace("\n", "")


def test_emails_escape_user_text_in_html(settings, hostile, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    newcomer = UserFactory(username="nouveau", email="nouveau@haute-vienne.example")
    with django_capture_on_commit_callbacks(execute=True):
        hostile["action"].referents.add(newcomer)
    assert mail.outbox, "le nouveau référent doit être prévenu"
    message = mail.outbox[-1]
    assert f"Action {PAYLOAD}" in message.body  # plain text: shown as typed
    for content, _mime in getattr(message, "alternatives", []):
        for raw in RAW:
            assert raw not in content
