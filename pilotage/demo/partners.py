"""The partners of the demo: the usual actors of insertion in Haute-Vienne, by kind."""

from actions.enums import PartnerKind

# (name, kind, website)
PARTNERS = (
    ("Département de la Haute-Vienne", PartnerKind.INSTITUTIONAL, "https://www.haute-vienne.fr"),
    ("France Travail", PartnerKind.INSTITUTIONAL, "https://www.francetravail.fr"),
    ("Pôle emploi", PartnerKind.INSTITUTIONAL, ""),
    ("État – DDETS de la Haute-Vienne", PartnerKind.INSTITUTIONAL, ""),
    ("Région Nouvelle-Aquitaine", PartnerKind.INSTITUTIONAL, "https://www.nouvelle-aquitaine.fr"),
    ("CAF de la Haute-Vienne", PartnerKind.INSTITUTIONAL, "https://www.caf.fr"),
    ("MSA du Limousin", PartnerKind.INSTITUTIONAL, ""),
    ("CPAM de la Haute-Vienne", PartnerKind.INSTITUTIONAL, ""),
    ("Agence régionale de santé Nouvelle-Aquitaine", PartnerKind.INSTITUTIONAL, ""),
    ("Limoges Métropole", PartnerKind.INSTITUTIONAL, ""),
    ("DORSAL – syndicat mixte pour le très haut débit", PartnerKind.INSTITUTIONAL, ""),
    ("Maison départementale des personnes handicapées (MDPH)", PartnerKind.INSTITUTIONAL, ""),
    ("GRETA du Limousin", PartnerKind.INSTITUTIONAL, ""),
    ("Dispositif académique de validation des acquis (DAVA)", PartnerKind.INSTITUTIONAL, ""),
    ("Mission locale de l'agglomération de Limoges", PartnerKind.ASSOCIATIVE, ""),
    ("Mission locale rurale de la Haute-Vienne", PartnerKind.ASSOCIATIVE, ""),
    ("PLIE de l'agglomération de Limoges", PartnerKind.ASSOCIATIVE, ""),
    ("Cap emploi de la Haute-Vienne", PartnerKind.ASSOCIATIVE, ""),
    ("Emmaüs Connect", PartnerKind.ASSOCIATIVE, "https://emmaus-connect.org"),
    ("Plateforme mobilité solidaire 87", PartnerKind.ASSOCIATIVE, ""),
    ("Union départementale des centres sociaux", PartnerKind.ASSOCIATIVE, ""),
    ("Association d'aide au logement des jeunes (FJT de Limoges)", PartnerKind.ASSOCIATIVE, ""),
    ("Chambre de commerce et d'industrie Limoges Haute-Vienne", PartnerKind.CONSULAR, ""),
    ("Chambre de métiers et de l'artisanat de la Haute-Vienne", PartnerKind.CONSULAR, ""),
    ("Chambre d'agriculture de la Haute-Vienne", PartnerKind.CONSULAR, ""),
    ("Fédération du BTP de la Haute-Vienne", PartnerKind.ECONOMIC, ""),
    ("CAPEB de la Haute-Vienne", PartnerKind.ECONOMIC, ""),
    ("UIMM Limousin", PartnerKind.ECONOMIC, ""),
    ("Club des entreprises inclusives de la Haute-Vienne", PartnerKind.ECONOMIC, ""),
    ("GEIQ BTP de la Haute-Vienne", PartnerKind.EMPLOYERS_GROUP, ""),
    ("GEIQ Papier carton emballage", PartnerKind.EMPLOYERS_GROUP, ""),
    ("GEIQ Propreté et services Limousin", PartnerKind.EMPLOYERS_GROUP, ""),
    ("Chantiers des chemins jacquaires", PartnerKind.SIAE, ""),
    ("Atelier chantier d'insertion Recyclerie du Haut-Limousin", PartnerKind.SIAE, ""),
    ("Entreprise d'insertion Limousin Réemploi BTP", PartnerKind.SIAE, ""),
    ("ETTI Intérim Insertion 87", PartnerKind.SIAE, ""),
    ("Atelier chantier d'insertion Jardins solidaires du Val de Vienne", PartnerKind.SIAE, ""),
    ("Inter-réseaux de l'IAE Nouvelle-Aquitaine", PartnerKind.OTHER, ""),
)

# How the generated report texts name a partner ("avec {pilot}"); the others go by their name.
MENTIONS = {
    "Département de la Haute-Vienne": "le Département",
    "État – DDETS de la Haute-Vienne": "la DDETS",
    "Région Nouvelle-Aquitaine": "la Région",
    "CAF de la Haute-Vienne": "la CAF",
    "MSA du Limousin": "la MSA",
    "CPAM de la Haute-Vienne": "la CPAM",
    "Agence régionale de santé Nouvelle-Aquitaine": "l'ARS",
    "DORSAL – syndicat mixte pour le très haut débit": "DORSAL",
    "Maison départementale des personnes handicapées (MDPH)": "la MDPH",
    "GRETA du Limousin": "le GRETA",
    "Dispositif académique de validation des acquis (DAVA)": "le DAVA",
    "Mission locale de l'agglomération de Limoges": "la mission locale de Limoges",
    "Mission locale rurale de la Haute-Vienne": "la mission locale rurale",
    "PLIE de l'agglomération de Limoges": "le PLIE",
    "Cap emploi de la Haute-Vienne": "Cap emploi",
    "Plateforme mobilité solidaire 87": "la plateforme mobilité",
    "Union départementale des centres sociaux": "les centres sociaux",
    "Association d'aide au logement des jeunes (FJT de Limoges)": "le foyer de jeunes travailleurs",
    "Chambre de commerce et d'industrie Limoges Haute-Vienne": "la CCI",
    "Chambre de métiers et de l'artisanat de la Haute-Vienne": "la chambre de métiers",
    "Chambre d'agriculture de la Haute-Vienne": "la chambre d'agriculture",
    "Fédération du BTP de la Haute-Vienne": "la fédération du BTP",
    "CAPEB de la Haute-Vienne": "la CAPEB",
    "UIMM Limousin": "l'UIMM",
    "Club des entreprises inclusives de la Haute-Vienne": "le club des entreprises inclusives",
    "GEIQ BTP de la Haute-Vienne": "le GEIQ BTP",
    "GEIQ Papier carton emballage": "le GEIQ Papier carton emballage",
    "GEIQ Propreté et services Limousin": "le GEIQ Propreté",
    "Chantiers des chemins jacquaires": "les Chantiers des chemins jacquaires",
    "Atelier chantier d'insertion Recyclerie du Haut-Limousin": "la recyclerie",
    "Entreprise d'insertion Limousin Réemploi BTP": "l'entreprise d'insertion",
    "ETTI Intérim Insertion 87": "l'ETTI",
    "Atelier chantier d'insertion Jardins solidaires du Val de Vienne": "les Jardins solidaires",
    "Inter-réseaux de l'IAE Nouvelle-Aquitaine": "l'inter-réseaux de l'IAE",
}


def mention(name):
    return MENTIONS.get(name, name)


# Short names for the specs.
DEP = "Département de la Haute-Vienne"
FT = "France Travail"
PE = "Pôle emploi"
DDETS = "État – DDETS de la Haute-Vienne"
REGION = "Région Nouvelle-Aquitaine"
CAF = "CAF de la Haute-Vienne"
MSA = "MSA du Limousin"
CPAM = "CPAM de la Haute-Vienne"
ARS = "Agence régionale de santé Nouvelle-Aquitaine"
METROPOLE = "Limoges Métropole"
DORSAL = "DORSAL – syndicat mixte pour le très haut débit"
MDPH = "Maison départementale des personnes handicapées (MDPH)"
GRETA = "GRETA du Limousin"
DAVA = "Dispositif académique de validation des acquis (DAVA)"
ML_LIMOGES = "Mission locale de l'agglomération de Limoges"
ML_RURALE = "Mission locale rurale de la Haute-Vienne"
PLIE = "PLIE de l'agglomération de Limoges"
CAP_EMPLOI = "Cap emploi de la Haute-Vienne"
EMMAUS_CONNECT = "Emmaüs Connect"
MOBILITE = "Plateforme mobilité solidaire 87"
CENTRES_SOCIAUX = "Union départementale des centres sociaux"
FJT = "Association d'aide au logement des jeunes (FJT de Limoges)"
CCI = "Chambre de commerce et d'industrie Limoges Haute-Vienne"
CMA = "Chambre de métiers et de l'artisanat de la Haute-Vienne"
CHAMBRE_AGRICULTURE = "Chambre d'agriculture de la Haute-Vienne"
FEDERATION_BTP = "Fédération du BTP de la Haute-Vienne"
CAPEB = "CAPEB de la Haute-Vienne"
UIMM = "UIMM Limousin"
CLUB_ENTREPRISES = "Club des entreprises inclusives de la Haute-Vienne"
GEIQ_BTP = "GEIQ BTP de la Haute-Vienne"
GEIQ_PCE = "GEIQ Papier carton emballage"
GEIQ_PROPRETE = "GEIQ Propreté et services Limousin"
CHEMINS_JACQUAIRES = "Chantiers des chemins jacquaires"
RECYCLERIE = "Atelier chantier d'insertion Recyclerie du Haut-Limousin"
REEMPLOI_BTP = "Entreprise d'insertion Limousin Réemploi BTP"
ETTI = "ETTI Intérim Insertion 87"
JARDINS = "Atelier chantier d'insertion Jardins solidaires du Val de Vienne"
INTER_RESEAUX_IAE = "Inter-réseaux de l'IAE Nouvelle-Aquitaine"
