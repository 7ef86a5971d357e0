"""The Assises de l'insertion that prepared the PTI 2022-2025 (/work/shared/seeds/pti-2022-2025-assises.txt):
conducted over 7 months, about 20 meetings, some 70 actors (institutional, economic and associative partners,
social workers and people on RSA), restituted in 5 thematics.

Each thematic's working group proposed what became its objectives (verbatim from the text: retained, carried by
the objective's actions); the merged and not retained proposals, the meetings' dates and places and the counts
are plausible inventions. People are counted by category, never named.
"""

import datetime
from dataclasses import dataclass

from axes.enums import ProposalFate
from pilotage.demo.pti_2022 import PTI_2022


@dataclass(frozen=True)
class ProposalSpec:
    text: str
    fate: str = ProposalFate.RETAINED
    # Retained: the objective (its number in the axe) whose actions carry the proposal.
    objectif: int | None = None
    # Merged: the number, within the same group, of the proposal that took it over.
    merged_into: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class GroupSpec:
    # Members by category (axes.enums.ParticipantCategory values).
    members: dict
    places: tuple
    extra: tuple = ()


def merged(text, into):
    return ProposalSpec(text, ProposalFate.MERGED, merged_into=into)


def refused(text, reason):
    return ProposalSpec(text, ProposalFate.NOT_RETAINED, reason=reason)


def _members(institutional, economic, associative, social_workers, rsa_beneficiaries):
    return {
        "institutional": institutional,
        "economic": economic,
        "associative": associative,
        "social_workers": social_workers,
        "rsa_beneficiaries": rsa_beneficiaries,
    }


# The four meetings of every group: launch in March 2021, restitution in September (7 months).
MEETING_MONTHS = (3, 5, 7, 9)
TOPICS = (
    "Lancement : état des lieux et attentes des participants",
    "Ateliers : difficultés rencontrées et pistes d'action",
    "Formulation des propositions",
    "Restitution et priorisation des propositions",
)

GROUPS = (
    GroupSpec(
        members=_members(5, 1, 3, 3, 2),
        places=("Hôtel du Département, Limoges", "Maison du Département de Saint-Junien"),
        extra=(
            merged("Créer un guichet unique d'orientation dans chaque Maison du Département", 1),
            refused(
                "Suspendre le RSA dès le premier rendez-vous d'orientation manqué",
                "Les sanctions relèvent de la loi (droits et devoirs du RSA) et d'une procédure contradictoire : "
                "le pacte n'en ajoute pas ; il agit sur les délais d'orientation.",
            ),
        ),
    ),
    GroupSpec(
        members=_members(4, 1, 4, 4, 2),
        places=("Hôtel du Département, Limoges", "Maison du Département de Bellac"),
        extra=(
            merged("Organiser des rencontres régulières entre travailleurs sociaux et conseillers France Travail", 1),
            merged("Désigner un référent de parcours unique pour chaque allocataire", 2),
            refused(
                "Ouvrir un centre de santé réservé aux allocataires du RSA",
                "L'offre de soins relève de l'Agence régionale de santé et de l'Assurance maladie : le pacte mobilise "
                "leurs dispositifs (bilans de santé) plutôt que d'en créer un réservé à un public.",
            ),
        ),
    ),
    GroupSpec(
        members=_members(4, 3, 3, 2, 2),
        places=("Hôtel du Département, Limoges", "Maison du Département de Saint-Yrieix-la-Perche"),
        extra=(
            merged("Financer le permis de conduire des allocataires qui ont une promesse d'embauche", 5),
            refused(
                "Créer une école de la deuxième chance départementale",
                "Une école de la deuxième chance existe déjà à l'échelle régionale : le pacte y oriente les publics "
                "plutôt que d'en créer une seconde.",
            ),
        ),
    ),
    GroupSpec(
        members=_members(3, 6, 2, 1, 1),
        places=("Chambre de commerce et d'industrie, Limoges", "Hôtel du Département, Limoges"),
        extra=(
            merged("Publier sur une même plateforme les offres d'emploi des structures d'insertion", 1),
            refused(
                "Verser une prime départementale à chaque embauche d'un allocataire du RSA",
                "Coût élevé pour un effet d'aubaine probable : le pacte sécurise plutôt les recrutements par "
                "l'accompagnement dans l'emploi.",
            ),
        ),
    ),
    GroupSpec(
        members=_members(3, 0, 4, 3, 4),
        places=("Maison du Département de Rochechouart", "Hôtel du Département, Limoges"),
        extra=(
            merged("Réécrire en langage clair les courriers adressés aux allocataires", 1),
            refused(
                "Verser le RSA sur une carte de paiement à usage restreint",
                "Le RSA est un revenu dont l'allocataire dispose librement : la proposition est contraire à la "
                "logique d'autonomie de la thématique.",
            ),
        ),
    ),
)


def _capitalised(text):
    return text[:1].upper() + text[1:]


def group_proposals(axe_spec, group):
    """[(number, ProposalSpec)]: the objectives of the axe first (retained), then the group's other proposals."""
    retained = [
        ProposalSpec(_capitalised(objectif.text), objectif=number)
        for number, objectif in enumerate(axe_spec.objectifs, 1)
    ]
    return list(enumerate(retained + list(group.extra), 1))


def meeting_dates(group_number):
    return [datetime.date(2021, month, 4 + 3 * group_number) for month in MEETING_MONTHS]


def meeting_counts(members, group_number, meeting_index):
    """The people present: the members, one or two of whom missed each meeting (never below zero)."""
    counts = {}
    for position, (category, n) in enumerate(members.items()):
        absent = 1 if (group_number + meeting_index + position) % 3 == 0 else 0
        counts[category] = max(0, n - absent)
    return counts


ASSISES = {PTI_2022.slug: (PTI_2022, GROUPS)}
