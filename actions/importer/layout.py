"""The layout of a pacte workbook: its sheets, their columns, and the yearly target columns of the indicators.

The reader checks a workbook against it and the export of a whole pacte (`actions.exports.pacte_workbook_bytes`)
writes it, so an exported pacte imports back as it is.
"""

from dataclasses import dataclass

from actions.enums import ActionStatus, PartnerKind, PartnerRole, Priority
from axes.enums import PacteStatus

PACTE, AXES, OBJECTIFS, ACTIONS, PARTNERS, INDICATORS, MILESTONES = (
    "Pacte",
    "Axes",
    "Objectifs",
    "Actions",
    "Partenaires",
    "Indicateurs",
    "Étapes",
)
TARGET_PREFIX = "Cible "


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"  # text, line, int, decimal, date, bool, emails, or a TextChoices class
    required: bool = False
    max_length: int | None = None
    help: str = ""


SHEETS = {
    PACTE: [
        Col("Identifiant", "slug", True, 60, "Court, sans espace ni accent, par exemple pti-2026-2030."),
        Col("Intitulé", "line", True, 200),
        Col("Territoire", "line", True, 120),
        Col("Première année", "int", True),
        Col("Dernière année", "int", True),
        Col("Date de signature", "date"),
        Col("Statut", PacteStatus, help="En préparation, en cours ou clos."),
        Col("Présentation", "text"),
    ],
    AXES: [
        Col("Numéro", "int", True),
        Col("Intitulé", "line", True, 300),
        Col("Description", "text"),
        Col("Référents thématiques", "emails", help="Adresses e-mail séparées par des virgules."),
    ],
    OBJECTIFS: [
        Col("Axe", "int", True, help="Numéro de l'axe."),
        Col("Numéro", "int", True, help="Numéro de l'objectif dans son axe."),
        Col("Intitulé", "line", True, 500),
    ],
    ACTIONS: [
        Col("Numéro", "number", True, 16, "Par exemple 2.3 ; unique dans le pacte."),
        Col("Axe", "int", True, help="Numéro de l'axe."),
        Col("Objectif", "int", help="Numéro de l'objectif dans l'axe, facultatif."),
        Col("Intitulé", "line", True, 300),
        Col("Description", "text", max_length=10_000),
        Col("Public visé", "text", max_length=10_000),
        Col("Date de début", "date"),
        Col("Date de fin", "date"),
        Col("Priorité", Priority, help="Haute, normale ou basse."),
        Col("Statut", ActionStatus, help="À lancer, en cours, réalisée, reportée ou abandonnée."),
        Col("Avancement (%)", "int"),
        Col("Référents", "emails", help="Adresses e-mail séparées par des virgules."),
    ],
    PARTNERS: [
        Col("Action", "number", True, 16, "Numéro de l'action."),
        Col("Partenaire", "line", True, 200, "Nom du partenaire : créé s'il n'existe pas encore."),
        Col("Type", PartnerKind, help="Type du partenaire, utilisé s'il est créé."),
        Col("Rôle", PartnerRole, True, help="Pilote, copilote, financeur ou partenaire opérationnel."),
        Col("Montant (€)", "decimal", help="Pour un financeur seulement."),
    ],
    INDICATORS: [
        Col("Action", "number", True, 16, "Numéro de l'action."),
        Col("Indicateur", "line", True, 300, "Libellé, unique dans l'action."),
        Col("Unité", "line", max_length=40),
        Col("Valeur de référence", "decimal"),
        Col("Plus c'est haut, mieux c'est", "bool", help="Oui ou Non (Oui si vide)."),
        Col("Ordre", "int"),
    ],
    MILESTONES: [
        Col("Action", "number", True, 16, "Numéro de l'action."),
        Col("Étape", "line", True, 200, "Intitulé, unique dans l'action."),
        Col("Date prévue", "date", True, help="Dans les années du pacte."),
        Col("Date de réalisation", "date", help="Vide tant que l'étape n'est pas franchie ; jamais dans le futur."),
        Col("Remarque", "text", max_length=2000),
    ],
}
REQUIRED_ROWS = {PACTE, AXES, ACTIONS}
# A workbook without these sheets is read as before they existed: what they hold is left as it is.
OPTIONAL_SHEETS = {MILESTONES}
# Columns the export adds for readers, accepted and ignored on import.
READ_ONLY_COLUMNS = {MILESTONES: ("En retard",)}


def target_header(year):
    return f"{TARGET_PREFIX}{year}"
