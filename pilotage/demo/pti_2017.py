"""PTI 2017-2021: 13 axes and 82 actions, with the real actions and the COPIL of 13 November 2018.

The actions the département's bilan of the second year names (/work/shared/seeds/pti-2017-bilan-deuxieme-annee.txt)
are here with the facts it gives: the FLE post of the Chantiers des chemins jacquaires, the accompagnement global
and its 2015-2017 figures, the periodic document on BRSA registered at Pôle emploi, the GEIQ Papier carton
emballage, the inclusion numérique work with Emmaüs Connect, the social clauses with DORSAL and the GED of the
RSA files. The other actions, the axes' titles and the figures are plausible inventions.
"""

import datetime

from actions.enums import ActionStatus, Priority
from axes.enums import PacteStatus
from pilotage.demo.partners import (
    ARS,
    CAF,
    CAP_EMPLOI,
    CAPEB,
    CCI,
    CENTRES_SOCIAUX,
    CHAMBRE_AGRICULTURE,
    CHEMINS_JACQUAIRES,
    CLUB_ENTREPRISES,
    CMA,
    CPAM,
    DAVA,
    DEP,
    DORSAL,
    EMMAUS_CONNECT,
    ETTI,
    FEDERATION_BTP,
    FJT,
    GEIQ_BTP,
    GEIQ_PCE,
    GRETA,
    INTER_RESEAUX_IAE,
    JARDINS,
    MDPH,
    METROPOLE,
    ML_LIMOGES,
    ML_RURALE,
    MOBILITE,
    MSA,
    PE,
    PLIE,
    RECYCLERIE,
    REGION,
    UIMM,
)
from pilotage.demo.specs import (
    ActionSpec,
    AxeSpec,
    CopilSpec,
    DecisionSpec,
    IndicatorSpec,
    PacteSpec,
    ReportText,
)
from pilotage.enums import DecisionStatus

I = IndicatorSpec  # noqa: E741
DONE = ActionStatus.DONE
IN_PROGRESS = ActionStatus.IN_PROGRESS
POSTPONED = ActionStatus.POSTPONED
ABANDONED = ActionStatus.ABANDONED
FULL = ("2017-01", "2021-12")


def act(
    title,
    description,
    indicator,
    *,
    status=DONE,
    period=FULL,
    pilot=DEP,
    co=(),
    funders=(),
    op=(),
    budget=0,
    progress=None,
    referents=None,
    priority=Priority.NORMAL,
    reports=None,
    public=None,
):
    """Keyword arguments of an ActionSpec; `axe()` fills in the axe's public and referent."""
    indicators = indicator if isinstance(indicator, tuple) else (indicator,)
    return {
        "title": title,
        "description": description,
        "indicators": indicators,
        "status": status,
        "start": period[0],
        "end": period[1],
        "pilot": pilot,
        "co_pilots": co,
        "funders": funders,
        "operational": op,
        "budget": budget,
        "progress": progress,
        "referents": referents,
        "priority": priority,
        "reports": reports or {},
        "public": public,
    }


def axe(title, description, public, referent, *actions):
    specs = []
    for kwargs in actions:
        kwargs = {**kwargs, "public": kwargs["public"] or public, "referents": kwargs["referents"] or (referent,)}
        specs.append(ActionSpec(**kwargs))
    return AxeSpec(title=title, description=description, actions=tuple(specs))


BRSA = "Bénéficiaires du RSA soumis aux droits et devoirs."
IAE = "Personnes en parcours d'insertion par l'activité économique, dont les bénéficiaires du RSA."

ACCOMPAGNEMENT_GLOBAL = (
    "Dispositif d’accompagnement conjoint, travailleur social du Département et conseiller professionnel de "
    "Pôle emploi, de demandeurs d’emploi fragilisés. Bilan des trois premières années de fonctionnement "
    "(période 2015-2017) : au total, 1 098 personnes (dont 61 % de BRSA) ont bénéficié de ce dispositif "
    "généralement sur une durée de 12 mois. L'indicateur « Personnes accompagnées » est un cumul depuis 2015."
)

AXES = (
    axe(
        "Orientation et accompagnement des bénéficiaires du RSA",
        "Orienter rapidement chaque bénéficiaire vers l'accompagnement le plus adapté et coordonner les référents.",
        BRSA,
        "nadia.benali",
        act(
            "Accompagnement global des demandeurs d'emploi fragilisés avec Pôle emploi",
            ACCOMPAGNEMENT_GLOBAL,
            (
                I(
                    "Personnes accompagnées",
                    "personnes",
                    1000,
                    350,
                    values={2017: 1098, 2018: 1436, 2019: 1772, 2020: 2045, 2021: 2391},
                ),
                I(
                    "Part de BRSA parmi les personnes accompagnées",
                    "%",
                    60,
                    0,
                    values={2017: 61, 2018: 62, 2019: 60, 2020: 63, 2021: 62},
                ),
            ),
            co=(PE,),
            budget=150000,
            priority=Priority.HIGH,
            public="Demandeurs d'emploi fragilisés dont les difficultés sociales freinent le retour à l'emploi.",
            reports={
                2017: ReportText(
                    advances="Troisième année de fonctionnement de l'accompagnement global : depuis 2015, "
                    "1 098 personnes (dont 61 % de BRSA) ont été accompagnées conjointement par un travailleur "
                    "social et un conseiller de Pôle emploi, généralement pendant 12 mois.",
                    difficulties="Délais d'entrée dans le dispositif sur le territoire de Limoges.",
                    next_steps="Présenter le bilan des trois premières années au comité de pilotage 2018.",
                ),
                2018: ReportText(
                    advances="Bilan des trois premières années de fonctionnement (période 2015-2017) présenté au "
                    "comité de pilotage du 13 novembre 2018 : 1 098 personnes (dont 61 % de BRSA) ont bénéficié "
                    "du dispositif.",
                    next_steps="Poursuivre le dispositif en 2019 et suivre les sorties vers l'emploi.",
                ),
            },
        ),
        act(
            "Orientation des nouveaux bénéficiaires dans le mois suivant l'ouverture du droit",
            "Réduire le délai entre l'ouverture du droit et l'orientation grâce à des rendez-vous d'orientation "
            "planifiés dès la notification de la CAF.",
            I("Délai moyen d'orientation", "jours", 45, -3, 70, False),
            co=(CAF, MSA),
            budget=20000,
        ),
        act(
            "Harmonisation des contrats d'engagements réciproques",
            "Un modèle commun et une formation des référents pour des contrats plus concrets et mieux suivis.",
            I("Bénéficiaires ayant un contrat en cours de validité", "%", 55, 5),
            status=IN_PROGRESS,
            progress=80,
        ),
        act(
            "Révision du fonctionnement des équipes pluridisciplinaires",
            "Nouveau règlement des équipes pluridisciplinaires et participation de bénéficiaires du RSA.",
            I("Équipes pluridisciplinaires réunies", "séances", 40, 0),
            period=("2017-01", "2018-12"),
        ),
        act(
            "Animation du réseau des référents RSA des centres communaux d'action sociale",
            "Rencontres et formations des référents RSA des CCAS conventionnés par le Département.",
            I("Référents de CCAS formés", "personnes", 30, 5),
            op=(CENTRES_SOCIAUX,),
            budget=5000,
        ),
        act(
            "Accompagnement des travailleurs non salariés bénéficiaires du RSA",
            "Les chambres consulaires évaluent l'activité des travailleurs indépendants et les accompagnent.",
            I("Travailleurs non salariés accompagnés", "personnes", 100, 10),
            pilot=CMA,
            co=(CCI,),
            funders=((DEP, 150000),),
            budget=30000,
        ),
        act(
            "Réunions collectives d'information sur les droits et devoirs",
            "Une réunion d'information collective pour chaque nouveau bénéficiaire avant son orientation.",
            I("Participants aux réunions d'information", "personnes", 1200, 100),
            op=(CAF,),
        ),
    ),
    axe(
        "Insertion par l'activité économique",
        "Soutenir les structures d'insertion par l'activité économique et sécuriser les parcours de leurs salariés.",
        IAE,
        "isabelle.mercier",
        act(
            "Poste « Français langue étrangère » pour les personnes en parcours d'insertion par l'activité économique",
            "Création d’un poste « Français langue étrangère » porté par l’association des Chantiers des chemins "
            "jacquaires à destination des personnes en parcours d’insertion par l’activité économique (IAE).",
            I("Salariés en insertion suivant les cours de FLE", "personnes", 25, 5, values={2017: 0}),
            period=("2017-09", "2021-12"),
            pilot=CHEMINS_JACQUAIRES,
            co=(DEP,),
            funders=((DEP, 100000),),
            op=(INTER_RESEAUX_IAE,),
            budget=25000,
            public="Personnes en parcours d'insertion par l'activité économique ne maîtrisant pas le français.",
            reports={
                2017: ReportText(
                    advances="Recensement des besoins linguistiques des salariés en insertion des structures du "
                    "département et construction, avec l'association des Chantiers des chemins jacquaires, du "
                    "projet de poste mutualisé.",
                    next_steps="Recruter le formateur et ouvrir les premiers groupes début 2018.",
                ),
                2018: ReportText(
                    advances="Création du poste « Français langue étrangère » porté par l’association des "
                    "Chantiers des chemins jacquaires ; les premiers groupes réunissent des salariés de plusieurs "
                    "structures d'insertion. Action mise en avant par le comité de pilotage du 13 novembre 2018.",
                    difficulties="Horaires des cours à concilier avec ceux des chantiers.",
                ),
            },
        ),
        act(
            "Aide départementale au poste dans les ateliers et chantiers d'insertion",
            "Cofinancement par le Département des postes occupés par des bénéficiaires du RSA en ACI.",
            I("Bénéficiaires du RSA salariés en ACI", "personnes", 350, 15),
            funders=((DEP, 4500000),),
            budget=900000,
            priority=Priority.HIGH,
        ),
        act(
            "Dialogue de gestion annuel avec les structures d'insertion",
            "Un entretien annuel avec chaque structure conventionnée sur ses parcours, ses sorties et ses projets.",
            I("Structures rencontrées", "structures", 25, 0),
            op=(INTER_RESEAUX_IAE,),
        ),
        act(
            "Accompagnement socioprofessionnel renforcé des salariés en chantier d'insertion",
            "Renfort des encadrants et accompagnateurs socioprofessionnels pour lever les freins des salariés.",
            I("Salariés bénéficiant d'un accompagnement renforcé", "personnes", 150, 10),
            op=(JARDINS, RECYCLERIE),
            budget=60000,
        ),
        act(
            "Entreprise de travail temporaire d'insertion en milieu rural",
            "Ouverture d'antennes de l'ETTI dans le nord et le sud du département.",
            I("Missions d'intérim d'insertion en milieu rural", "missions", 80, 20),
            pilot=ETTI,
            period=("2018-01", "2020-12"),
            budget=20000,
        ),
        act(
            "Chantiers d'insertion de valorisation du patrimoine et des chemins de randonnée",
            "Entretien des sentiers et du petit patrimoine bâti par des équipes en insertion.",
            I("Kilomètres de sentiers entretenus", "km", 120, 10),
            pilot=CHEMINS_JACQUAIRES,
            funders=((DEP, 75000),),
            budget=15000,
        ),
        act(
            "Passerelles entre structures d'insertion et entreprises",
            "Périodes d'immersion en entreprise pendant le parcours en insertion.",
            I("Immersions en entreprise", "immersions", 60, 15),
            op=(PE, CLUB_ENTREPRISES),
            status=POSTPONED,
            period=("2019-01", "2021-12"),
            progress=30,
        ),
    ),
    axe(
        "Emploi et relations avec les entreprises",
        "Développer les actions en partenariat avec les employeurs pour le retour à l'emploi des bénéficiaires.",
        BRSA,
        "isabelle.mercier",
        act(
            "Document périodique sur les bénéficiaires du RSA inscrits à Pôle emploi en Haute-Vienne",
            "Présentation du document périodique livrant un état des lieux des bénéficiaires du RSA (BRSA) inscrits "
            "à Pôle emploi en Haute-Vienne, partagé avec les employeurs et les partenaires de l'insertion.",
            I("Éditions du document périodique", "documents", 2, 0),
            pilot=PE,
            co=(DEP,),
            referents=("referent2", "nadia.benali"),
            public="Employeurs, partenaires de l'insertion et services du Département.",
            reports={
                2017: ReportText(
                    advances="Définition avec Pôle emploi des indicateurs du document : inscriptions, catégories, "
                    "durée d'inscription, métiers recherchés et territoires des BRSA inscrits.",
                    next_steps="Publier la première édition et la présenter au comité de pilotage.",
                ),
                2018: ReportText(
                    advances="Présentation au comité de pilotage du 13 novembre 2018 du document périodique "
                    "livrant un état des lieux des bénéficiaires du RSA inscrits à Pôle emploi en Haute-Vienne.",
                    next_steps="Poursuivre la diffusion semestrielle en 2019.",
                ),
            },
        ),
        act(
            "Groupement d'employeurs pour l'insertion et la qualification (GEIQ) Papier carton emballage",
            "Pour répondre à la difficulté de recrutement émise par les entreprises de ce secteur, 5 entreprises "
            "représentant plus de 700 salariés adhèrent à ce groupement, qui recrute des personnes en insertion, "
            "dont des bénéficiaires du RSA, et les qualifie en alternance.",
            (
                I("Entreprises adhérentes au groupement", "entreprises", 5, 1, values={2017: 4, 2018: 5}),
                I("Parcours de qualification engagés par des BRSA", "personnes", 6, 3, values={2017: 0}),
            ),
            period=("2017-06", "2021-12"),
            pilot=GEIQ_PCE,
            co=(DEP,),
            op=(PE, UIMM),
            funders=((DEP, 40000),),
            budget=10000,
            reports={
                2017: ReportText(
                    advances="Constitution du groupement par les entreprises du secteur papier carton emballage, "
                    "confrontées à des difficultés de recrutement ; premiers échanges avec le Département.",
                ),
                2018: ReportText(
                    advances="Présentation du GEIQ Papier carton emballage au comité de pilotage du 13 novembre "
                    "2018 : 5 entreprises représentant plus de 700 salariés adhèrent au groupement.",
                    next_steps="Orienter des bénéficiaires du RSA vers les premiers contrats en alternance.",
                ),
            },
        ),
        act(
            "Rencontres employeurs et bénéficiaires du RSA",
            "Forums de recrutement et petits-déjeuners d'entreprises dans les territoires.",
            I("Employeurs participants", "entreprises", 60, 10),
            co=(PE,),
            op=(CCI, CMA, PLIE),
        ),
        act(
            "Mobilisation des contrats aidés pour les bénéficiaires du RSA",
            "Cofinancement de contrats aidés (CUI-CAE puis parcours emploi compétences).",
            I("Contrats aidés signés par des BRSA", "contrats", 250, -20),
            funders=((DEP, 2800000),),
            budget=560000,
        ),
        act(
            "Partenariat avec les fédérations professionnelles du BTP",
            "Découverte des métiers, préparation à l'embauche et recrutements sur les chantiers du département.",
            I("Recrutements dans le BTP", "personnes", 30, 5),
            pilot=FEDERATION_BTP,
            op=(CAPEB, GEIQ_BTP),
        ),
        act(
            "Découverte des métiers de l'industrie",
            "Visites d'usines et immersions avec l'UIMM.",
            I("Participants aux visites", "personnes", 80, 10),
            pilot=UIMM,
            period=("2018-01", "2021-06"),
        ),
        act(
            "Charte des entreprises partenaires de l'insertion",
            "Une charte d'engagement des entreprises qui accueillent et recrutent des bénéficiaires.",
            I("Entreprises signataires", "entreprises", 40, 10),
            status=ABANDONED,
            period=("2019-01", "2020-06"),
            op=(CCI,),
        ),
    ),
    axe(
        "Formation et qualification",
        "Faciliter l'accès des bénéficiaires du RSA à la formation qualifiante et aux savoirs de base.",
        BRSA,
        "pierre.lacoste",
        act(
            "Accès des bénéficiaires du RSA aux formations qualifiantes de la Région",
            "Places réservées et accompagnement pendant la formation.",
            I("BRSA entrés en formation qualifiante", "personnes", 300, 30),
            pilot=REGION,
            co=(DEP,),
            op=(PE,),
        ),
        act(
            "Savoirs de base et lutte contre l'illettrisme",
            "Ateliers de remise à niveau en lecture, écriture et calcul.",
            I("Participants aux ateliers savoirs de base", "personnes", 150, 10),
            op=(GRETA,),
            budget=50000,
        ),
        act(
            "Validation des acquis de l'expérience des bénéficiaires du RSA",
            "Information et accompagnement à la VAE.",
            I("Parcours de VAE engagés", "personnes", 30, 5),
            pilot=DAVA,
            budget=15000,
        ),
        act(
            "Préqualification aux métiers des services à la personne",
            "Parcours de préqualification débouchant sur les diplômes du secteur.",
            I("Stagiaires en préqualification", "personnes", 45, 5),
            op=(GRETA,),
            funders=((REGION, 90000),),
        ),
        act(
            "Préparations opérationnelles à l'emploi avec Pôle emploi",
            "Formations préalables à l'embauche construites avec les entreprises qui recrutent.",
            I("Stagiaires POE bénéficiaires du RSA", "personnes", 40, 5),
            pilot=PE,
            referents=("referent2",),
        ),
        act(
            "Formation des référents RSA à l'accompagnement vers la formation",
            "Connaissance de l'offre de formation et des financements mobilisables.",
            I("Référents formés", "personnes", 50, 0),
            status=POSTPONED,
            period=("2020-01", "2021-12"),
            progress=20,
        ),
    ),
    axe(
        "Mobilité",
        "Lever les freins à la mobilité, premier obstacle à l'emploi dans un département rural.",
        "Bénéficiaires du RSA sans solution de mobilité pour un emploi ou une formation.",
        "pierre.lacoste",
        act(
            "Plateforme mobilité départementale",
            "Diagnostic mobilité, conseil et orientation vers les solutions existantes.",
            I("Diagnostics mobilité", "diagnostics", 400, 30),
            pilot=MOBILITE,
            funders=((DEP, 500000),),
            budget=100000,
            priority=Priority.HIGH,
        ),
        act(
            "Auto-école sociale",
            "Apprentissage du code et de la conduite avec une pédagogie adaptée.",
            I("Permis obtenus", "personnes", 50, 5),
            pilot=MOBILITE,
            budget=40000,
        ),
        act(
            "Location de deux-roues et de véhicules à tarif solidaire",
            "Location de scooters et de voitures pour la durée d'un emploi ou d'une formation.",
            I("Locations solidaires", "locations", 120, 20),
            pilot=MOBILITE,
            budget=30000,
        ),
        act(
            "Aides financières individuelles à la mobilité",
            "Prise en charge de frais de carburant, de réparation ou d'assurance.",
            I("Aides mobilité accordées", "aides", 500, 0),
            budget=120000,
        ),
        act(
            "Covoiturage solidaire en milieu rural",
            "Mise en relation de conducteurs bénévoles et de personnes en insertion.",
            I("Trajets en covoiturage solidaire", "trajets", 400, 100),
            status=ABANDONED,
            period=("2018-01", "2019-06"),
            op=(CENTRES_SOCIAUX,),
            budget=15000,
        ),
        act(
            "Diagnostic mobilité intégré au parcours d'insertion",
            "Le diagnostic mobilité fait partie du premier entretien d'orientation.",
            I("Diagnostics réalisés à l'orientation", "%", 40, 10),
            op=(MOBILITE,),
        ),
    ),
    axe(
        "Santé",
        "Prendre en compte la santé, physique et psychique, comme condition de l'insertion.",
        "Bénéficiaires du RSA dont l'état de santé freine le parcours d'insertion.",
        "karim.haddad",
        act(
            "Permanences de psychologues pour les bénéficiaires du RSA",
            "Consultations gratuites et orientation vers le soin.",
            I("Personnes reçues", "personnes", 180, 20),
            funders=((ARS, 120000),),
            budget=40000,
        ),
        act(
            "Bilans de santé avec la CPAM",
            "Examens de santé gratuits au centre d'examens de santé de la CPAM.",
            I("Bilans de santé réalisés", "bilans", 300, 20),
            pilot=CPAM,
        ),
        act(
            "Accès aux droits en santé et à la complémentaire santé",
            "Information et accompagnement à l'ouverture des droits.",
            I("Dossiers de complémentaire santé accompagnés", "dossiers", 400, 0),
            co=(CPAM,),
        ),
        act(
            "Prévention des addictions dans les parcours d'insertion",
            "Interventions d'un centre de soins en addictologie auprès des référents et des publics.",
            I("Professionnels sensibilisés", "personnes", 60, 10),
            funders=((ARS, 30000),),
            status=IN_PROGRESS,
            progress=70,
        ),
        act(
            "Coordination avec la MDPH pour les bénéficiaires en situation de handicap",
            "Procédure commune pour les demandes de reconnaissance et l'orientation vers Cap emploi.",
            I("Situations examinées conjointement", "personnes", 80, 10),
            pilot=MDPH,
            op=(CAP_EMPLOI,),
        ),
        act(
            "Formation des référents au repérage de la souffrance psychique",
            "Sessions de formation des travailleurs sociaux et des conseillers.",
            I("Référents formés", "personnes", 40, 10),
            period=("2018-01", "2019-12"),
        ),
    ),
    axe(
        "Logement",
        "Accéder à un logement et s'y maintenir pour construire un parcours d'insertion.",
        "Bénéficiaires du RSA et jeunes en insertion confrontés à des difficultés de logement.",
        "nadia.benali",
        act(
            "Accompagnement social lié au logement",
            "Mesures d'accompagnement financées par le fonds de solidarité pour le logement.",
            I("Mesures d'accompagnement", "mesures", 250, 0),
            budget=200000,
        ),
        act(
            "Prévention des expulsions locatives",
            "Intervention précoce dès le premier impayé, avec les bailleurs et la CAF.",
            I("Ménages accompagnés", "ménages", 150, 10),
            co=(CAF,),
        ),
        act(
            "Logement des jeunes en insertion",
            "Places en foyer de jeunes travailleurs pour les jeunes en formation ou en emploi.",
            I("Jeunes logés", "personnes", 60, 5),
            pilot=FJT,
            op=(ML_LIMOGES,),
            budget=25000,
        ),
        act(
            "Baux glissants",
            "Sous-location accompagnée avant le glissement du bail au nom du ménage.",
            I("Baux glissés", "baux", 20, 2),
            status=POSTPONED,
            period=("2019-01", "2021-12"),
            progress=25,
        ),
        act(
            "Lutte contre la précarité énergétique",
            "Visites à domicile, petits équipements et orientation vers les aides à la rénovation.",
            I("Ménages visités", "ménages", 100, 20),
            op=(CAF,),
            budget=20000,
        ),
        act(
            "Accès au logement des sortants de structures d'hébergement",
            "Commission partenariale d'accès au logement autonome.",
            I("Relogements", "ménages", 40, 5),
            op=(METROPOLE,),
        ),
    ),
    axe(
        "Numérique et modernisation",
        "Le numérique traverse les activités du pôle : organisation du travail, accompagnement des publics et levier "
        "d'insertion.",
        "Bénéficiaires du RSA et professionnels de l'insertion.",
        "karim.haddad",
        act(
            "Gestion électronique des dossiers RSA et refonte des procédures",
            "Lancement en 2018 de la gestion électronique des dossiers (GED) relatifs au revenu de solidarité "
            "active (RSA) et refonte des procédures relatives à la gestion du dispositif. Ces deux projets ont "
            "donné lieu à des sessions de formation des agents.",
            I("Dossiers RSA gérés en GED", "%", 20, 40, values={2017: 0, 2018: 55, 2019: 100}),
            period=("2017-06", "2019-12"),
            budget=60000,
            referents=("nadia.benali",),
            public="Agents du Département chargés de la gestion du RSA.",
            reports={
                2017: ReportText(
                    advances="Choix de la solution de gestion électronique des dossiers, cartographie des "
                    "procédures de gestion du RSA et préparation de la numérisation des dossiers.",
                    next_steps="Lancer la GED et les nouvelles procédures en 2018.",
                ),
                2018: ReportText(
                    advances="L'année 2018 a été marquée par le lancement de la gestion électronique des "
                    "dossiers (GED) relatifs au RSA ainsi que par la refonte des procédures relatives à la gestion "
                    "du dispositif ; les agents ont suivi des sessions de formation.",
                    difficulties="Reprise des dossiers papier plus longue que prévu.",
                ),
            },
        ),
        act(
            "Conférence de sensibilisation des professionnels aux usages du numérique avec Emmaüs Connect",
            "Organisation d’une conférence en partenariat avec Emmaüs Connect pour sensibiliser l’ensemble des "
            "professionnels intervenant dans le champ social aux usages du numérique.",
            I("Professionnels sensibilisés", "personnes", 150, 0, values={2018: 182}),
            period=("2018-01", "2018-12"),
            co=(EMMAUS_CONNECT,),
            budget=5000,
            public="Professionnels intervenant dans le champ social.",
            reports={
                2018: ReportText(
                    advances="Conférence organisée avec Emmaüs Connect : 182 professionnels du champ social "
                    "sensibilisés aux usages du numérique et à la fracture numérique des publics.",
                ),
            },
        ),
        act(
            "Module d'initiation au numérique dans les ateliers de mobilisation et d'insertion",
            "La prise en compte de la fracture numérique au sein des publics accompagnés a permis d’intégrer un "
            "module d’initiation au numérique dans les ateliers de mobilisation et d’insertion financés par le "
            "Département.",
            I("Participants au module d'initiation au numérique", "personnes", 120, 30),
            period=("2018-01", "2021-12"),
            op=(EMMAUS_CONNECT, CENTRES_SOCIAUX),
            budget=20000,
            reports={
                2018: ReportText(
                    advances="Module d'initiation au numérique intégré dans les ateliers de mobilisation et "
                    "d'insertion financés par le Département.",
                ),
            },
        ),
        act(
            "Coordination départementale des acteurs de l'inclusion numérique",
            "À compter du dernier trimestre 2018, une réflexion a été engagée en faveur de l’inclusion numérique. "
            "Dans un contexte de dématérialisation croissante de différents services administratifs, une part "
            "importante de la population, qui n’en maîtrise pas les usages, se retrouve en difficulté. Le Conseil "
            "départemental a fait le choix de mener un travail de coordination des différents acteurs ayant "
            "développé des actions en la matière.",
            I("Acteurs de l'inclusion numérique associés", "structures", 15, 10),
            period=("2018-10", "2021-12"),
            op=(EMMAUS_CONNECT, CAF, PE),
            priority=Priority.HIGH,
            reports={
                2018: ReportText(
                    advances="Réflexion engagée au dernier trimestre 2018 sur l'inclusion numérique ; "
                    "recensement des acteurs ayant développé des actions en la matière.",
                    next_steps="Présenter les premiers résultats du travail de coordination au comité de "
                    "pilotage 2019.",
                ),
            },
        ),
        act(
            "Accompagnement des demandes de RSA en ligne",
            "Aide aux bénéficiaires pour la téléprocédure de demande de RSA de la CAF.",
            I("Demandes accompagnées", "demandes", 300, 50),
            pilot=CAF,
            period=("2019-01", "2021-12"),
        ),
        act(
            "Points d'accès numériques dans les maisons du Département",
            "Postes informatiques en libre accès et aide d'un médiateur numérique.",
            I("Points d'accès ouverts", "points", 4, 2),
            period=("2019-01", "2021-12"),
            budget=25000,
            status=IN_PROGRESS,
            progress=75,
        ),
    ),
    axe(
        "Insertion des jeunes",
        "Accompagner les jeunes vers l'autonomie, l'emploi et la qualification.",
        "Jeunes de 16 à 25 ans en difficulté d'insertion et jeunes allocataires du RSA.",
        "referent",
        act(
            "Articulation de la Garantie jeunes avec l'accompagnement départemental",
            "Orientation concertée des jeunes entre missions locales et services du Département.",
            I("Jeunes orientés vers la Garantie jeunes", "personnes", 120, 20),
            pilot=ML_LIMOGES,
            co=(ML_RURALE,),
        ),
        act(
            "Fonds d'aide aux jeunes",
            "Aides financières ponctuelles pour les projets d'insertion des jeunes.",
            I("Aides accordées", "aides", 600, 0),
            op=(ML_LIMOGES, ML_RURALE),
            budget=180000,
        ),
        act(
            "Accompagnement des jeunes sortant de l'aide sociale à l'enfance",
            "Préparer la sortie et l'accès à l'autonomie des jeunes majeurs.",
            I("Jeunes accompagnés", "personnes", 50, 5),
            budget=30000,
        ),
        act(
            "Jeunes parents allocataires du RSA",
            "Accompagnement vers la formation et modes de garde pour les jeunes parents.",
            I("Jeunes parents accompagnés", "personnes", 40, 5),
            op=(CAF,),
        ),
        act(
            "Service civique pour les jeunes en insertion",
            "Missions de service civique au sein des services et des partenaires du Département.",
            I("Jeunes en service civique", "personnes", 15, 5),
            status=POSTPONED,
            period=("2019-01", "2021-06"),
            progress=30,
        ),
        act(
            "Parrainage vers l'emploi",
            "Des professionnels bénévoles parrainent des jeunes dans leur recherche d'emploi.",
            I("Jeunes parrainés", "personnes", 50, 10),
            pilot=ML_LIMOGES,
            op=(CLUB_ENTREPRISES,),
        ),
    ),
    axe(
        "Clauses sociales et commande publique",
        "Faire de la commande publique un levier d'insertion vers l'emploi.",
        "Bénéficiaires du RSA, demandeurs d'emploi de longue durée et jeunes sans qualification.",
        "isabelle.mercier",
        act(
            "Clauses sociales dans le déploiement du très haut débit avec le syndicat mixte DORSAL",
            "Mobilisation du dispositif des clauses sociales dans le partenariat avec le syndicat mixte DORSAL, "
            "chargé du déploiement du très haut débit sur le territoire départemental : le numérique, levier "
            "d'insertion.",
            I("Heures d'insertion sur les chantiers du très haut débit", "heures", 5000, 3000, values={2017: 850}),
            period=("2017-06", "2021-12"),
            pilot=DORSAL,
            co=(DEP,),
            op=(PE, ETTI),
            priority=Priority.HIGH,
            reports={
                2017: ReportText(
                    advances="Signature du partenariat avec le syndicat mixte DORSAL et insertion de clauses "
                    "sociales dans les marchés de déploiement du très haut débit.",
                ),
                2018: ReportText(
                    advances="Premiers recrutements de personnes en insertion par les entreprises chargées du "
                    "déploiement du très haut débit, grâce aux clauses sociales du partenariat avec DORSAL.",
                    difficulties="Métiers techniques exigeant des habilitations préalables.",
                ),
            },
        ),
        act(
            "Facilitateur des clauses sociales du Département",
            "Un facilitateur accompagne acheteurs et entreprises et suit les heures d'insertion.",
            I("Heures d'insertion réalisées", "heures", 40000, 4000),
            op=(METROPOLE,),
            budget=50000,
        ),
        act(
            "Clauses sociales dans les travaux routiers et des collèges",
            "Clauses systématiques dans les marchés de travaux du Département.",
            I("Marchés comportant une clause sociale", "marchés", 20, 4),
            op=(FEDERATION_BTP, CAPEB),
        ),
        act(
            "Réseau des acheteurs publics responsables",
            "Partage des pratiques avec Limoges Métropole et les communes.",
            I("Acheteurs publics membres du réseau", "structures", 10, 3),
            pilot=METROPOLE,
        ),
        act(
            "Marchés réservés aux structures d'insertion",
            "Lots réservés aux SIAE dans les marchés d'entretien des espaces verts et de nettoyage.",
            I("Marchés réservés", "marchés", 5, 1),
            op=(INTER_RESEAUX_IAE,),
        ),
        act(
            "Suivi des parcours des bénéficiaires des clauses sociales",
            "Suivi à six mois des personnes embauchées dans le cadre des clauses.",
            I("Personnes en emploi six mois après leur mission", "%", 40, 3),
            op=(GEIQ_BTP,),
            status=IN_PROGRESS,
            progress=65,
        ),
    ),
    axe(
        "Accès aux droits et lutte contre le non-recours",
        "Garantir l'accès de chacun à ses droits, condition préalable de l'insertion.",
        BRSA,
        "karim.haddad",
        act(
            "Rendez-vous des droits avec la CAF",
            "Examen de l'ensemble des droits sociaux lors d'un rendez-vous dédié.",
            I("Rendez-vous des droits", "rendez-vous", 800, 50),
            pilot=CAF,
        ),
        act(
            "Permanences d'accès aux droits dans les maisons de services au public",
            "Permanences de travailleurs sociaux dans les maisons de services au public.",
            I("Permanences tenues", "permanences", 200, 20),
            op=(MSA,),
        ),
        act(
            "Information sur la prime d'activité à la reprise d'emploi",
            "Information systématique des bénéficiaires qui reprennent un emploi.",
            I("Bénéficiaires informés", "personnes", 600, 0),
            co=(CAF,),
            period=("2017-01", "2019-12"),
        ),
        act(
            "Domiciliation des personnes sans domicile stable",
            "Schéma départemental de la domiciliation et harmonisation des pratiques.",
            I("Organismes domiciliataires agréés", "structures", 12, 1),
        ),
        act(
            "Non-recours au RSA des exploitants agricoles",
            "Information ciblée des exploitants à faibles revenus avec la MSA.",
            I("Exploitants informés", "personnes", 150, 25),
            pilot=MSA,
            co=(CHAMBRE_AGRICULTURE,),
            status=POSTPONED,
            period=("2019-06", "2021-12"),
            progress=20,
        ),
        act(
            "Harmonisation de la gestion des indus et des sanctions",
            "Procédures communes avec la CAF et la MSA, dans le respect du contradictoire.",
            I("Dossiers examinés en commission", "dossiers", 300, 0),
            co=(CAF, MSA),
            period=("2017-01", "2018-12"),
            referents=("nadia.benali",),
        ),
    ),
    axe(
        "Gouvernance, observation et évaluation du pacte",
        "Piloter le pacte avec les partenaires, en observer les effets et en rendre compte chaque année.",
        "Partenaires du pacte et élus du Département.",
        "nadia.benali",
        act(
            "Comité de pilotage annuel du pacte",
            "Point d'étape global des actions et décisions des partenaires signataires.",
            I("Comités de pilotage réunis", "réunions", 1, 0),
        ),
        act(
            "Bilans annuels du pacte",
            "Bilan des avancées et des difficultés présenté à l'assemblée départementale.",
            I("Bilans présentés", "documents", 1, 0),
        ),
        act(
            "Tableau de bord de suivi des bénéficiaires du RSA",
            "Indicateurs d'entrées, de sorties, d'orientation et de durée de présence.",
            I("Tableaux de bord publiés", "documents", 4, 0),
            op=(CAF, PE),
            referents=("nadia.benali",),
        ),
        act(
            "Participation des bénéficiaires du RSA aux instances",
            "Des bénéficiaires siègent aux équipes pluridisciplinaires et au comité de pilotage.",
            I("Bénéficiaires participant aux instances", "personnes", 10, 2),
            referents=("karim.haddad",),
        ),
        act(
            "Évaluation à mi-parcours du pacte",
            "Évaluation externe des actions et de la gouvernance à mi-parcours.",
            I("Actions évaluées", "actions", 82, 0),
            status=ABANDONED,
            period=("2019-01", "2020-06"),
            budget=30000,
        ),
        act(
            "Assises de l'insertion et préparation du PTI 2022-2025",
            "Sept mois de concertation avec environ 70 acteurs pour préparer le pacte suivant.",
            I("Participants aux Assises", "personnes", 70, 0, values={2021: 72}),
            period=("2021-01", "2021-12"),
        ),
    ),
    axe(
        "Économie sociale et solidaire et développement local",
        "Créer des activités et des emplois ancrés dans les territoires.",
        "Bénéficiaires du RSA porteurs de projet ou résidant en zone rurale.",
        "pierre.lacoste",
        act(
            "Soutien à la création d'activité des bénéficiaires du RSA",
            "Accompagnement des porteurs de projet par une couveuse et une coopérative d'activité.",
            I("Créations d'activité", "entreprises", 40, 5),
            op=(CMA, CCI),
            budget=45000,
        ),
        act(
            "Microcrédit personnel et professionnel",
            "Accès au microcrédit accompagné pour financer un projet d'insertion.",
            I("Microcrédits accordés", "prêts", 60, 5),
            op=(CENTRES_SOCIAUX,),
        ),
        act(
            "Insertion dans les métiers de l'agriculture",
            "Découverte des métiers et emplois saisonniers avec la Chambre d'agriculture.",
            I("Personnes placées en exploitation", "personnes", 30, 5),
            pilot=CHAMBRE_AGRICULTURE,
            op=(MSA,),
        ),
        act(
            "Jardins solidaires et circuits courts",
            "Maraîchage biologique en chantier d'insertion et vente en paniers.",
            I("Salariés en insertion", "personnes", 25, 2),
            pilot=JARDINS,
            budget=20000,
        ),
        act(
            "Recyclerie et réemploi",
            "Collecte, réparation et revente d'objets par une équipe en insertion.",
            I("Tonnes collectées", "tonnes", 200, 25),
            pilot=RECYCLERIE,
            budget=25000,
        ),
        act(
            "Tiers-lieux et insertion en milieu rural",
            "Activités d'insertion dans les tiers-lieux des communautés de communes.",
            I("Tiers-lieux partenaires", "lieux", 3, 1),
            period=("2019-01", "2021-12"),
            status=IN_PROGRESS,
            progress=60,
        ),
        act(
            "Groupement d'employeurs agricoles pour les saisonniers",
            "Mutualiser des emplois saisonniers pour construire des emplois à l'année.",
            I("Emplois mutualisés", "emplois", 10, 5),
            pilot=CHAMBRE_AGRICULTURE,
            status=ABANDONED,
            period=("2018-01", "2019-12"),
        ),
    ),
)

COPIL_2018 = CopilSpec(
    date=datetime.date(2018, 11, 13),
    agenda="1. Bilan de la deuxième année de fonctionnement du pacte\n"
    "2. Actions en partenariat avec les employeurs\n"
    "3. Inclusion numérique",
    minutes="Le comité de pilotage du PTI a mis en avant différentes actions : la création d’un poste « Français "
    "langue étrangère » porté par l’association des Chantiers des chemins jacquaires ; le développement d’actions "
    "en partenariat avec les employeurs (document périodique sur les BRSA inscrits à Pôle emploi, bilan des trois "
    "premières années de l’accompagnement global, présentation du GEIQ Papier carton emballage) ; le développement "
    "d’actions en faveur de l’inclusion numérique. Le Conseil départemental a fait le choix de mener un travail de "
    "coordination des différents acteurs ayant développé des actions en la matière.",
    attendees=("copil", "agent", "nadia.benali", "pierre.lacoste", "isabelle.mercier", "karim.haddad"),
    partners=(PE, CAF, MSA, REGION, EMMAUS_CONNECT, CHEMINS_JACQUAIRES, GEIQ_PCE, DORSAL, INTER_RESEAUX_IAE),
    highlights=(
        (
            "2.1",
            "La création d’un poste « Français langue étrangère » porté par l’association des Chantiers des chemins "
            "jacquaires à destination des personnes en parcours d’insertion par l’activité économique (IAE).",
        ),
        (
            "3.1",
            "Présentation du document périodique livrant un état des lieux des bénéficiaires du RSA (BRSA) inscrits "
            "à Pôle emploi en Haute-Vienne.",
        ),
        (
            "1.1",
            "Bilan des trois premières années de fonctionnement de l’accompagnement global (période 2015-2017), "
            "dispositif d’accompagnement conjoint, travailleur social et conseiller professionnel, de demandeurs "
            "d’emploi fragilisés. Au total, 1 098 personnes (dont 61 % de BRSA) ont bénéficié de ce dispositif "
            "généralement sur une durée de 12 mois.",
        ),
        (
            "3.2",
            "Présentation du Groupement d’employeurs pour l’insertion et la qualification (GEIQ) Papier carton "
            "emballage. Pour répondre à la difficulté de recrutement émise par les entreprises de ce secteur, "
            "5 entreprises représentant plus de 700 salariés adhèrent à ce groupement.",
        ),
        (
            "8.4",
            "À compter du dernier trimestre 2018, une réflexion a été engagée en faveur de l’inclusion numérique. "
            "Les personnes qui sont par ailleurs en situation d’exclusion sociale sont les premières touchées par la "
            "dématérialisation, rendant d’autant plus difficile leur insertion.",
        ),
    ),
    decisions=(
        DecisionSpec(
            "Présenter les premiers résultats du travail de coordination sur l'inclusion numérique lors du comité "
            "de pilotage 2019",
            "agent",
            datetime.date(2019, 11, 30),
            DecisionStatus.DONE,
            "Premiers résultats présentés au comité de pilotage 2019 : cartographie des lieux de médiation "
            "numérique du département.",
            action="8.4",
        ),
        DecisionSpec(
            "Poursuivre en 2019 la diffusion du document périodique sur les BRSA inscrits à Pôle emploi",
            "nadia.benali",
            datetime.date(2019, 12, 31),
            DecisionStatus.DONE,
            "Deux éditions publiées en 2019.",
            action="3.1",
        ),
        DecisionSpec(
            "Étudier l'extension du poste « Français langue étrangère » à d'autres territoires",
            "isabelle.mercier",
            datetime.date(2019, 6, 30),
            DecisionStatus.DROPPED,
            "Non retenu faute de financement ; orientation vers les ateliers sociolinguistiques existants.",
            action="2.1",
        ),
    ),
)

PTI_2017 = PacteSpec(
    slug="pti-2017-2021",
    title="Pacte territorial d'insertion 2017-2021",
    first_year=2017,
    last_year=2021,
    signature_date=datetime.date(2017, 1, 11),
    status=PacteStatus.CLOSED,
    description="Élaboré en 2016 avec l’ensemble des acteurs départementaux de l’insertion, et signé le 11 janvier "
    "2017, le Pacte territorial pour l’insertion (PTI) est composé de 82 actions regroupées en 13 axes "
    "thématiques ; chacune de ces actions a pour objectif d’améliorer de manière concrète la situation des "
    "personnes en difficulté avec pour idée directrice leur remise en emploi à court ou moyen terme.",
    axes=AXES,
    copils=(COPIL_2018,),
    report_years=(2017, 2018, 2019, 2020, 2021),
    measured_years=(2017, 2018, 2019, 2020, 2021),
    spent_years=(2017, 2018, 2019, 2020, 2021),
)
