"""The permission matrix, built from the URL configuration and the API router (not from a hand-kept list of
URLs): every route is requested by anonymous, an agent waiting for his role (pending: his first SSO sign-in
created his account), a referent, a thematic referent, another referent, a COPIL member, staff and an
administrator, and the answer must be what the one access rule (pti/access.py) says for
the route's class. A route that nobody classified below makes the test fail.

Classes:
- PUBLIC: anyone, logged in or not;
- SIGNED_IN: any signed-in user, pending included (signing out, the holding page);
- READ: any signed-in user with a role (the whole pacte is transparent to its referents and the COPIL); a
  pending agent is sent to the holding page (the API: 403), like for every class below;
- EDIT_ACTION: staff, administrators, the action's referents and the thematic referents of its axe;
- STAFF: département staff and administrators (COPILs, decisions, bilans, campaigns, imports, journal);
- DECISION_OWNER: staff, administrators and the owner of the decision (its follow-up and status);
- ADMIN: administrators only (the Django admin);
- OWN: the one user the object is addressed to (a notification: the referent); anyone else gets 404 (or 403).
- PARTNER: partner accounts only (their space and their organisation's contributions);
- READ_AND_PARTNER: every signed-in user, partner accounts included (for them scoped to their organisation's
  actions: the API's actions and contributions, logging out, changing one's password).
A partner account (of a partner of the action the routes are about) is refused everything else: READ routes are
the pacte's inside, closed to partners.
Each route is requested with GET, or with POST when it only answers POST (an empty form: the permission is
checked before the input).
"""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    ContributionFactory,
    FollowUpNoteFactory,
    IndicatorFactory,
    MilestoneFactory,
    PartnerFactory,
    PartnerMemberFactory,
    ProgressReportFactory,
)
from actions.models import ReportDocument
from axes.factories import (
    AxeFactory,
    MeetingFactory,
    ObjectifFactory,
    PacteFactory,
    ProposalFactory,
    WorkingGroupFactory,
)
from bilans.enums import BilanStatus
from bilans.factories import BilanFactory
from bilans.models import ReportingCampaign
from pilotage.factories import CopilFactory, DecisionFactory
from pti.enums import NotificationKind, Role
from pti.factories import UserFactory
from pti.notifications import notify

PUBLIC, READ, EDIT_ACTION, STAFF, ADMIN = "public", "read", "edit_action", "staff", "admin"
DECISION_OWNER, SIGNED_IN = "decision_owner", "signed_in"
PARTNER, READ_AND_PARTNER = "partner", "read_and_partner"
ROLES = ["anonymous", "pending", "referent", "thematic", "other_referent", "copil", "staff", "administrator", "partner"]
OWN = "own"
ALLOWED = {
    PUBLIC: set(ROLES),
    SIGNED_IN: set(ROLES) - {"anonymous"},
    READ: set(ROLES) - {"anonymous", "pending", "partner"},
    READ_AND_PARTNER: set(ROLES) - {"anonymous", "pending"},
    PARTNER: {"partner"},
    EDIT_ACTION: {"referent", "thematic", "staff", "administrator"},
    STAFF: {"staff", "administrator"},
    ADMIN: {"administrator"},
    DECISION_OWNER: {"referent", "staff", "administrator"},
    OWN: {"referent"},
}

# route name -> (class, object the route is about, method)
ROUTES = {
    "home": (READ_AND_PARTNER, None, "GET"),  # a partner account is sent to its space
    "healthz": (PUBLIC, None, "GET"),
    "journal": (STAFF, None, "GET"),
    "figures_help": (READ, None, "GET"),
    "login": (PUBLIC, None, "GET"),
    "logout": (SIGNED_IN, None, "POST"),  # logging out needs a session; anonymous is sent to the login page
    "pending": (SIGNED_IN, None, "GET"),  # the holding page (others are sent home)
    "sso_login": (PUBLIC, None, "GET"),  # 404 while the SSO is off
    "pending_list": (STAFF, None, "GET"),
    "grant_role": (STAFF, "pending_user", "POST"),
    "sso_callback": (PUBLIC, None, "GET"),
    "sso_backchannel_logout": (PUBLIC, None, "POST"),  # the provider, server to server; 404 while the SSO is off
    "password_change": (READ_AND_PARTNER, None, "GET"),
    "password_change_done": (READ_AND_PARTNER, None, "GET"),
    "profile": (READ, None, "GET"),
    "notification_list": (READ, None, "GET"),
    "notification_read_all": (READ, None, "POST"),
    "notification_read": (OWN, "notification", "POST"),
    "password_reset": (PUBLIC, None, "GET"),
    "password_reset_done": (PUBLIC, None, "GET"),
    "password_reset_confirm": (PUBLIC, "reset", "GET"),
    "password_reset_complete": (PUBLIC, None, "GET"),
    "actions:my_actions": (READ, None, "GET"),
    "actions:my_axe_actions": (READ, "axe", "GET"),
    "actions:pacte_detail": (READ, "pacte", "GET"),
    "actions:pacte_timeline": (READ, "pacte", "GET"),
    "actions:pacte_axe": (READ, "pacte_axe", "GET"),
    "actions:list": (READ, None, "GET"),
    "actions:detail": (READ, "action", "GET"),
    "actions:history": (READ, "action", "GET"),
    "actions:report_transmit": (EDIT_ACTION, "report", "GET"),
    "actions:report_preview": (EDIT_ACTION, "report", "GET"),
    "actions:report_return": (STAFF, "report", "GET"),
    "actions:edit": (EDIT_ACTION, "action", "GET"),
    "actions:create": (STAFF, "pacte_axe", "GET"),
    "actions:edit_referents": (STAFF, "action", "GET"),
    "actions:edit_partners": (STAFF, "action", "GET"),
    "actions:edit_budget": (STAFF, "action", "GET"),
    "actions:edit_indicators": (EDIT_ACTION, "action", "GET"),
    "actions:indicator_create": (EDIT_ACTION, "action", "GET"),
    "actions:indicator_edit": (EDIT_ACTION, "action_indicator", "GET"),
    "actions:indicator_delete": (EDIT_ACTION, "action_indicator", "POST"),
    "actions:report_edit": (EDIT_ACTION, "report", "GET"),
    "actions:report_autosave": (EDIT_ACTION, "report", "POST"),
    "actions:edit_milestones": (EDIT_ACTION, "action", "GET"),
    "actions:milestone_create": (EDIT_ACTION, "action", "GET"),
    "actions:milestone_edit": (EDIT_ACTION, "action_milestone", "GET"),
    "actions:milestone_done": (EDIT_ACTION, "action_milestone", "GET"),
    "actions:milestone_delete": (EDIT_ACTION, "action_milestone", "GET"),
    "actions:note_create": (EDIT_ACTION, "action", "GET"),
    "actions:note_document": (READ, "note", "GET"),
    "actions:document": (READ, "document", "GET"),
    "partners:list": (READ, None, "GET"),
    "partners:detail": (READ, "partner", "GET"),
    "partners:export_xlsx": (READ, None, "GET"),
    "partners:export_csv": (READ, None, "GET"),
    "partners:create": (STAFF, None, "GET"),
    "partners:edit": (STAFF, "partner", "GET"),
    "partners:merge": (STAFF, None, "GET"),
    "partners:members": (STAFF, "partner", "GET"),
    "partners:member_remove": (STAFF, "partner_member", "POST"),
    "partner_space:home": (PARTNER, None, "GET"),
    "partner_space:action": (PARTNER, "action", "GET"),
    "partner_space:contribution": (PARTNER, "report", "GET"),
    "actions_io:actions_xlsx": (READ, None, "GET"),
    "actions_io:actions_csv": (READ, None, "GET"),
    "actions_io:export_links": (READ, None, "GET"),
    "actions_io:indicators_xlsx": (READ, None, "GET"),
    "actions_io:indicators_csv": (READ, None, "GET"),
    "actions_io:pacte_xlsx": (STAFF, "pacte", "GET"),
    "actions_io:import_pacte": (STAFF, None, "GET"),
    "actions_io:import_template": (STAFF, None, "GET"),
    "actions_io:import_confirm": (STAFF, None, "POST"),
    "assises:list": (READ, "pacte", "GET"),
    "assises:group_create": (STAFF, "pacte", "GET"),
    "assises:group_edit": (STAFF, "working_group", "GET"),
    "assises:meeting_create": (STAFF, "working_group", "GET"),
    "assises:meeting_edit": (STAFF, "meeting", "GET"),
    "assises:meeting_delete": (STAFF, "meeting", "GET"),
    "assises:proposal_create": (STAFF, "working_group", "GET"),
    "assises:proposal_edit": (STAFF, "proposal", "GET"),
    "assises:proposal_delete": (STAFF, "proposal", "GET"),
    "axes:pacte_create": (STAFF, None, "GET"),
    "axes:pacte_edit": (STAFF, "pacte", "GET"),
    "axes:plan": (STAFF, "pacte", "GET"),
    "axes:axe_create": (STAFF, "pacte", "GET"),
    "axes:axe_edit": (STAFF, "axe", "GET"),
    "axes:axe_delete": (STAFF, "axe", "GET"),
    "axes:objectif_create": (STAFF, "axe", "GET"),
    "axes:objectif_edit": (STAFF, "objectif", "GET"),
    "axes:objectif_delete": (STAFF, "objectif", "GET"),
    "pilotage_io:decisions_xlsx": (READ, None, "GET"),
    "pilotage_io:decisions_csv": (READ, None, "GET"),
    "pilotage:index": (READ, None, "GET"),
    "pilotage:dashboard": (READ, "pacte", "GET"),
    "pilotage:attention": (READ, "pacte", "GET"),
    "pilotage:indicators": (READ, "pacte", "GET"),
    "pilotage:copil_list": (READ, "pacte", "GET"),
    "pilotage:copil_create": (STAFF, "pacte", "GET"),
    "pilotage:copil_detail": (READ, "copil", "GET"),
    "pilotage:copil_edit": (STAFF, "copil", "GET"),
    "pilotage:decision_create": (STAFF, "copil", "GET"),
    "pilotage:dossier_pdf": (READ, "copil", "GET"),
    "pilotage:dossier_print": (READ, "copil", "GET"),
    "pilotage:dossier_job": (READ, "copil", "GET"),  # POST (retry a failed job): the same rule
    "pilotage:dossier_progress": (READ, "copil", "GET"),
    "pilotage:decision_list": (READ, None, "GET"),
    "pilotage:decision_edit": (STAFF, "decision", "GET"),
    "pilotage:decision_follow_up": (DECISION_OWNER, "owned_decision", "GET"),
    "bilans:list": (READ, None, "GET"),
    "bilans:detail": (READ, "bilan", "GET"),
    "bilans:progress": (READ, "bilan", "GET"),
    "bilans:texts": (STAFF, "bilan", "POST"),
    "bilans:generate": (STAFF, "bilan", "POST"),
    "bilans:submit": (STAFF, "bilan", "POST"),
    "bilans:approve": (STAFF, "bilan", "POST"),
    "bilans:reject": (STAFF, "bilan", "POST"),
    "bilans:pdf": (READ, "bilan", "GET"),
    "bilans:campaign": (READ, "bilan", "GET"),
    "bilans:campaign_reminders": (STAFF, "bilan", "GET"),
    # The API: same rule; anonymous callers get 401.
    "v1:api-root": (READ_AND_PARTNER, None, "GET"),
    "v1:schema": (READ_AND_PARTNER, None, "GET"),
    "v1:docs": (READ_AND_PARTNER, None, "GET"),
    "v1:pacte-list": (READ, None, "GET"),
    "v1:pacte-detail": (READ, "api_pacte", "GET"),
    "v1:axe-list": (READ, None, "GET"),
    "v1:axe-detail": (READ, "axe", "GET"),
    "v1:objectif-list": (READ, None, "GET"),
    "v1:objectif-detail": (READ, "objectif", "GET"),
    "v1:action-list": (READ_AND_PARTNER, None, "GET"),
    "v1:action-detail": (READ_AND_PARTNER, "action", "GET"),
    "v1:contribution-list": (READ_AND_PARTNER, None, "GET"),
    "v1:contribution-detail": (READ_AND_PARTNER, "contribution", "GET"),
    "v1:partner-list": (READ, None, "GET"),
    "v1:partner-detail": (READ, "partner", "GET"),
    "v1:indicator-list": (READ, None, "GET"),
    "v1:indicator-detail": (READ, "indicator", "GET"),
    "v1:report-list": (READ, None, "GET"),
    "v1:milestone-list": (READ, None, "GET"),
    "v1:milestone-detail": (READ, "milestone", "GET"),
    "v1:note-list": (READ, None, "GET"),
    "v1:note-detail": (READ, "note", "GET"),
    "v1:report-detail": (READ, "report_pk", "GET"),
    "v1:workinggroup-list": (READ, None, "GET"),
    "v1:workinggroup-detail": (READ, "working_group", "GET"),
    "v1:proposal-list": (READ, None, "GET"),
    "v1:proposal-detail": (READ, "proposal", "GET"),
    "v1:copil-list": (READ, None, "GET"),
    "v1:copil-detail": (READ, "copil", "GET"),
    "v1:decision-list": (READ, None, "GET"),
    "v1:decision-detail": (READ, "decision", "GET"),
    "v1:bilan-list": (READ, None, "GET"),
    "v1:bilan-detail": (READ, "bilan_pk", "GET"),
    "v1:bilan-pdf": (READ, "bilan_pk", "GET"),
    "v1:bilan-approve": (STAFF, "bilan_pk", "POST"),
    "v1:bilan-reject": (STAFF, "bilan_pk", "POST"),
    "v1:notification-list": (READ, None, "GET"),
    "v1:notification-detail": (OWN, "notification", "GET"),
    "v1:notification-read": (OWN, "notification", "POST"),
    "v1:notification-read-all": (READ, None, "POST"),
    "v1:notification-preferences": (READ, None, "GET"),
    # The public pages of a published pacte and its open data (bilans/views_public.py): no account needed.
    "public:index": (PUBLIC, None, "GET"),
    "public:pacte": (PUBLIC, "pacte", "GET"),
    "public:bilan_pdf": (PUBLIC, "approved_bilan", "GET"),
    "public:open_data": (PUBLIC, "open_data", "GET"),
}
# Writes through the API, checked with the same rule (PATCH with an empty body: permission comes first).
API_WRITES = {
    "v1:action-detail": (EDIT_ACTION, "action", "PATCH"),
    "v1:report-detail": (EDIT_ACTION, "report_pk", "PATCH"),
    "v1:copil-list": (STAFF, None, "POST"),
    "v1:copil-detail": (STAFF, "copil", "PATCH"),
    "v1:decision-list": (STAFF, None, "POST"),
    "v1:decision-detail": (STAFF, "decision", "PATCH"),  # and its owner (pilotage/tests/test_api_writes.py)
    "v1:milestone-detail": (EDIT_ACTION, "milestone", "PATCH"),
    "v1:notification-preferences": (READ, None, "PATCH"),  # each user his own
    "v1:contribution-list": (PARTNER, None, "POST"),  # an empty body: 400 for the partner, refused for the others
    "v1:contribution-detail": (PARTNER, "contribution", "PATCH"),
}
# Whole namespaces classified at once.
NAMESPACES = {"admin": ADMIN}


def iter_routes(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from iter_routes(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def all_routes():
    return sorted({name for name in iter_routes() if name.split(":")[0] not in NAMESPACES})


def test_every_route_is_classified():
    unclassified = [name for name in all_routes() if name not in ROUTES]
    assert not unclassified, f"Routes sans règle d'accès dans la matrice : {unclassified}"
    stale = [name for name in ROUTES if name not in all_routes()]
    assert not stale, f"Routes classées qui n'existent plus : {stale}"


@pytest.fixture
def world(db):
    users = {
        "pending": UserFactory(username="m-en-attente", role=Role.PENDING),
        "referent": UserFactory(username="m-referent"),
        "thematic": UserFactory(username="m-thematique"),
        "other_referent": UserFactory(username="m-autre"),
        "copil": UserFactory(username="m-copil", copil=True),
        "staff": UserFactory(username="m-agent", staff=True),
        "administrator": UserFactory(username="m-admin", admin=True),
    }
    pacte = PacteFactory(slug="pti-matrice", first_year=2022, last_year=2025, published=True)
    axe = AxeFactory(pacte=pacte, number=1, thematic_referents=[users["thematic"]])
    objectif = ObjectifFactory(axe=axe, number=1)
    action = ActionFactory(axe=axe, objectif=objectif, number="1.1", referents=[users["referent"]])
    ActionFactory(axe=AxeFactory(pacte=pacte, number=2), number="2.1", referents=[users["other_referent"]])
    report = ProgressReportFactory(action=action, year=2024)
    document = ReportDocument.objects.create(
        report=report, file=ContentFile(b"%PDF-1.7\n", name="piece.pdf"), title="Pièce", size=9
    )
    indicator = IndicatorFactory(action=action)
    milestone = MilestoneFactory(action=action)
    note = FollowUpNoteFactory(action=action, document=ContentFile(b"%PDF-1.7\n", name="note.pdf"))
    partner = PartnerFactory(name="France Travail")
    # The partner account is France Travail's, a partner of the action: what it is refused, it is refused by role.
    ActionPartnerFactory(action=action, partner=partner)
    users["partner"] = PartnerMemberFactory(user__username="m-partenaire", partner=partner).user
    contribution = ContributionFactory(action=action, partner=partner, year=2024)
    other_member = PartnerMemberFactory(user__username="m-partenaire-2", partner=partner)
    copil = CopilFactory(pacte=pacte)
    decision = DecisionFactory(copil=copil)
    owned_decision = DecisionFactory(copil=copil, owner=users["referent"])
    bilan = BilanFactory(pacte=pacte, year=2024)
    BilanFactory(
        pacte=pacte,
        year=2023,
        status=BilanStatus.APPROVED,
        pdf=ContentFile(b"%PDF-1.7\n", name="bilan.pdf"),
        pdf_sha256=hashlib.sha256(b"%PDF-1.7\n").hexdigest(),
        deliberation_reference="CD-2024-1",
    )
    working_group = WorkingGroupFactory(axe=axe)
    meeting = MeetingFactory(group=working_group)
    proposal = ProposalFactory(group=working_group, number=1)
    ReportingCampaign.objects.create(pacte=pacte, year=2024, deadline=datetime.date(2025, 1, 31))
    (notification,) = notify(
        [users["referent"]], NotificationKind.MILESTONE_DUE, milestone, "Étape", "/mes-actions/", email=False
    )
    objects = {
        "pacte": {"slug": pacte.slug},
        "api_pacte": {"slug": pacte.slug},
        "pacte_axe": {"slug": pacte.slug, "number": axe.number},
        "axe": {"pk": axe.pk},
        "objectif": {"pk": objectif.pk},
        "action": {"pk": action.pk},
        "report": {"pk": action.pk, "year": 2024},
        "report_pk": {"pk": report.pk},
        "document": {"pk": document.pk},
        "indicator": {"pk": indicator.pk},
        "action_indicator": {"pk": action.pk, "indicator": indicator.pk},
        "action_milestone": {"pk": action.pk, "milestone": milestone.pk},
        "milestone": {"pk": milestone.pk},
        "note": {"pk": note.pk},
        "partner": {"pk": partner.pk},
        "partner_member": {"pk": partner.pk, "member": other_member.pk},
        "contribution": {"pk": contribution.pk},
        "copil": {"pk": copil.pk},
        "decision": {"pk": decision.pk},
        "owned_decision": {"pk": owned_decision.pk},
        "bilan": {"slug": pacte.slug, "year": 2024},
        "bilan_pk": {"pk": bilan.pk},
        "approved_bilan": {"slug": pacte.slug, "year": 2023},
        "open_data": {"slug": pacte.slug, "kind": "json"},
        "reset": {"uidb64": "MQ", "token": "jeton-invalide"},
        "notification": {"pk": notification.pk},
        "pending_user": {"pk": users["pending"].pk},
        "working_group": {"pk": working_group.pk},
        "meeting": {"pk": meeting.pk},
        "proposal": {"pk": proposal.pk},
    }
    return users, objects


def request_as(client, role, users, method, url):
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])
    call = getattr(client, method.lower())
    kwargs = {"content_type": "application/json"} if method == "PATCH" else {}
    # Every request in a rolled-back savepoint: a POST allowed for staff changes nothing for the next role.
    with transaction.atomic():
        response = call(url, **({"data": "{}"} if method == "PATCH" else {}), **kwargs)
        transaction.set_rollback(True)
    # File downloads hold their file open until the response is closed. Closing sends request_finished, whose
    # close_old_connections would close the database connection of a test running in a transaction: keep it
    # away while closing, as Django's test client does during the request.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def refused(response, role, url, rule=None):
    if rule == OWN and role != "anonymous" and response.status_code == 404:
        return True  # someone else's notification does not exist for him
    if role == "anonymous" and url.startswith("/api/"):
        return response.status_code in (401, 403)
    if role == "anonymous":
        return response.status_code == 302 and response["Location"].startswith("/comptes/login/?next=")
    if role == "pending" and response.status_code == 302:
        return response["Location"] == "/comptes/en-attente/"
    return response.status_code == 403


def check(client, world, name, rule, obj, method):
    users, objects = world
    url = reverse(name, kwargs=objects[obj] if obj else None)
    wrong = []
    for role in ROLES:
        response = request_as(client, role, users, method, url)
        assert response.status_code < 500, f"{method} {url} en {role} : HTTP {response.status_code}"
        if (role in ALLOWED[rule]) == refused(response, role, url, rule):
            wrong.append(f"{role} → {response.status_code}")
    assert not wrong, f"{method} {url} ({name}, règle {rule}) : {', '.join(wrong)}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_route_answers_each_role_as_the_access_rule_says(client, world, name, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rule, obj, method = ROUTES[name]
    check(client, world, name, rule, obj, method)


@pytest.mark.parametrize("name", sorted(API_WRITES))
def test_api_writes_follow_the_access_rule(client, world, name):
    rule, obj, method = API_WRITES[name]
    check(client, world, name, rule, obj, method)


def test_the_django_admin_is_for_administrators_only(client, world):
    users, _objects = world
    for url in [
        reverse("admin:index"),
        reverse("admin:actions_action_changelist"),
        reverse("admin:pti_user_changelist"),
        reverse("admin:bilans_reportingcampaign_changelist"),
        reverse("admin:bilans_reminder_changelist"),
    ]:
        for role in ROLES:
            response = request_as(client, role, users, "GET", url)
            allowed = role in ALLOWED[ADMIN]
            assert (response.status_code == 200) == allowed, f"{url} en {role} : HTTP {response.status_code}"
