"""The demo's partner account: « partenaire » speaks for France Travail and has written its contributions to a
few actions of PTI 2022-2025 (issue 16). Reruns change nothing."""

from django.utils import timezone

from actions.models import Action, Contribution, PartnerMember

PARTNER_USERNAME = "partenaire"
PARTNER_NAME = "France Travail"
CONTRIBUTED_ACTIONS = 3

TEXTS = (
    {
        "achievements": (
            "Nos conseillers ont orienté vers l'action les allocataires du RSA inscrits dans l'agence de Limoges "
            "Nord, et animé avec le Département deux informations collectives par trimestre."
        ),
        "figures": "38 personnes orientées, 24 entrées dans l'action, 9 reprises d'emploi de plus de six mois.",
        "difficulties": "La mobilité en zone rurale reste le premier frein : plusieurs rendez-vous manqués faute de transport.",
    },
    {
        "achievements": "Mise à disposition d'une salle et d'un conseiller référent une demi-journée par semaine.",
        "figures": "17 diagnostics partagés avec les travailleurs sociaux du Département.",
        "difficulties": "",
    },
    {
        "achievements": "Participation aux comités de suivi et relais des offres d'emploi des entreprises partenaires.",
        "figures": "",
        "difficulties": "Les délais d'accès à la formation ont retardé plusieurs parcours.",
    },
)


def ensure_partner_account(users, partners, pacte, stats):
    """Attach « partenaire » to France Travail and write its contributions to the first actions it takes part in."""
    user, partner = users[PARTNER_USERNAME], partners[PARTNER_NAME]
    membership = PartnerMember.objects.filter(user=user).first()
    if membership is None:
        PartnerMember.objects.create(user=user, partner=partner)
        stats.created(PartnerMember)
    elif membership.partner_id != partner.pk:
        membership.partner = partner
        membership.save(update_fields=["partner"])
        stats.updated(PartnerMember)
    actions = Action.objects.filter(pacte=pacte, partner_roles__partner=partner).distinct().order_by("sort_key")
    year = min(max(timezone.localdate().year - 1, pacte.first_year), pacte.last_year)
    for action, texts in zip(actions[:CONTRIBUTED_ACTIONS], TEXTS, strict=False):
        row = Contribution.objects.filter(action=action, partner=partner, year=year).first()
        if row is None:
            Contribution.objects.create(action=action, partner=partner, year=year, author=user, **texts)
            stats.created(Contribution)
            continue
        changed = [name for name, value in texts.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, texts[name])
            row.version += 1
            row.save(update_fields=[*changed, "version", "updated_at"])
            stats.updated(Contribution)
