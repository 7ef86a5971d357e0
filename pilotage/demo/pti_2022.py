"""PTI 2022-2025: the 5 thematics and 19 objectives of the Assises de l'insertion (verbatim), with demo actions.

Titles, descriptions and objectives come word for word from the département's text on the Assises
(/work/shared/seeds/pti-2022-2025-assises.txt); the actions, figures and reports are plausible inventions.
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
    DDETS,
    DEP,
    EMMAUS_CONNECT,
    ETTI,
    FEDERATION_BTP,
    FT,
    GEIQ_BTP,
    GEIQ_PCE,
    GEIQ_PROPRETE,
    GRETA,
    INTER_RESEAUX_IAE,
    JARDINS,
    MDPH,
    METROPOLE,
    ML_LIMOGES,
    ML_RURALE,
    MOBILITE,
    MSA,
    PLIE,
    RECYCLERIE,
    REEMPLOI_BTP,
    REGION,
    UIMM,
)
from pilotage.demo.specs import (
    ActionSpec,
    AxeSpec,
    CopilSpec,
    DecisionSpec,
    IndicatorSpec,
    ObjectifSpec,
    PacteSpec,
    ReportText,
)
from pilotage.enums import DecisionStatus

A, I = ActionSpec, IndicatorSpec  # noqa: E741
DONE = ActionStatus.DONE
IN_PROGRESS = ActionStatus.IN_PROGRESS
POSTPONED = ActionStatus.POSTPONED
ABANDONED = ActionStatus.ABANDONED
TO_LAUNCH = ActionStatus.TO_LAUNCH
HIGH = Priority.HIGH
LOW = Priority.LOW

NEW_BRSA = "Nouveaux allocataires du RSA soumis aux droits et devoirs."
ALL_BRSA = "Allocataires du RSA soumis aux droits et devoirs, quelle que soit leur orientation."
PROFESSIONALS = "Travailleurs sociaux, conseillers France Travail et référents de parcours des structures partenaires."
JOB_READY = "Allocataires du RSA en orientation professionnelle ou socioprofessionnelle, proches de l'emploi."
IAE_PUBLIC = "Allocataires du RSA salariés ou orientés vers une structure d'insertion par l'activité économique."

AXE_1 = AxeSpec(
    title="Mieux orienter les personnes en s’appuyant sur une meilleure connaissance des publics",
    description="L'ensemble des études réalisées ces dernières années sur le dispositif du RSA a clairement démontré une corrélation entre le délai de mise en parcours et la durée de présence au sein du dispositif. Principal enjeu de cette thématique, la mise en place rapide d’un accompagnement adapté à chaque situation s’est déclinée selon 3 objectifs\u00a0:",
    thematic_referents=("nadia.benali",),
    objectifs=(
        ObjectifSpec(
            "raccourcir les délais d'orientation et la mise en parcours",
            (
                A(
                    "Plateforme départementale d'orientation des nouveaux allocataires",
                    "Une plateforme unique, animée par le Département avec France Travail et la CAF, reçoit chaque "
                    "nouvel allocataire, réalise un premier diagnostic et propose une orientation en équipe "
                    "pluridisciplinaire dans le mois qui suit l'ouverture du droit.",
                    NEW_BRSA,
                    DONE,
                    "2022-01",
                    "2023-12",
                    co_pilots=(FT, CAF),
                    funders=((DDETS, 120000),),
                    indicators=(
                        I(
                            "Délai moyen entre l'ouverture du droit et l'orientation",
                            "jours",
                            60,
                            -10,
                            92,
                            False,
                            values={2022: 57, 2023: 44},
                        ),
                        I("Nouveaux allocataires orientés", "personnes", 2600, 100),
                    ),
                    referents=("nadia.benali", "referent2"),
                    priority=HIGH,
                    budget=80000,
                ),
                A(
                    "Réunion d'information collective sous quinze jours après l'ouverture du droit",
                    "Chaque nouvel allocataire est invité à une réunion collective présentant ses droits et devoirs, "
                    "l'offre d'accompagnement du territoire et les partenaires, avant son entretien d'orientation.",
                    NEW_BRSA,
                    DONE,
                    "2022-03",
                    "2024-12",
                    operational=(CAF, MSA),
                    indicators=(I("Part des nouveaux allocataires reçus dans les quinze jours", "%", 60, 10, 35),),
                    referents=("referent2",),
                    budget=15000,
                ),
                A(
                    "Dématérialisation des échanges avec la CAF et la MSA pour l'orientation",
                    "Les informations transmises par la CAF et la MSA à l'ouverture du droit alimentent directement "
                    "l'outil de gestion du RSA, sans ressaisie, pour déclencher plus vite l'orientation.",
                    NEW_BRSA,
                    IN_PROGRESS,
                    "2023-01",
                    "2025-06",
                    co_pilots=(CAF,),
                    operational=(MSA, FT),
                    indicators=(I("Dossiers d'orientation traités sans ressaisie", "%", 50, 15),),
                    referents=("nadia.benali",),
                    budget=30000,
                    progress=70,
                ),
            ),
        ),
        ObjectifSpec(
            "individualiser l'orientation dès le début du parcours et rééquilibrer les proportions entre orientations sociales, socioprofessionnelles et professionnelles",
            (
                A(
                    "Diagnostic socioprofessionnel partagé à l'entrée dans le dispositif",
                    "Un diagnostic commun (situation sociale, santé, mobilité, compétences, projet) est réalisé avec "
                    "la personne et partagé entre les professionnels pour choisir l'orientation la plus adaptée.",
                    NEW_BRSA,
                    DONE,
                    "2022-02",
                    "2024-06",
                    co_pilots=(FT,),
                    operational=(ML_LIMOGES, CAP_EMPLOI),
                    indicators=(I("Diagnostics socioprofessionnels réalisés", "diagnostics", 1800, 200),),
                    referents=("referent2",),
                    budget=60000,
                ),
                A(
                    "Équipes pluridisciplinaires rénovées et rééquilibrage des orientations",
                    "Les équipes pluridisciplinaires examinent les orientations sociales de plus de douze mois pour "
                    "proposer, quand c'est possible, une orientation socioprofessionnelle ou professionnelle.",
                    ALL_BRSA,
                    DONE,
                    "2022-01",
                    "2023-06",
                    operational=(FT,),
                    indicators=(I("Part des orientations professionnelles ou socioprofessionnelles", "%", 55, 5, 48),),
                    referents=("nadia.benali",),
                ),
                A(
                    "Accompagnement rénové des allocataires avec France Travail (loi pour le plein emploi)",
                    "Préfiguration puis mise en œuvre de l'inscription de tous les allocataires à France Travail, du "
                    "contrat d'engagement unifié et de l'orientation partagée au sein du réseau pour l'emploi.",
                    ALL_BRSA,
                    IN_PROGRESS,
                    "2024-01",
                    "2025-12",
                    pilot=FT,
                    co_pilots=(DEP,),
                    funders=((DDETS, 250000),),
                    indicators=(I("Allocataires inscrits à France Travail", "personnes", 4500, 1500),),
                    referents=("referent2", "nadia.benali"),
                    priority=HIGH,
                    budget=125000,
                    progress=80,
                ),
            ),
        ),
        ObjectifSpec(
            "mieux connaître les BRSA",
            (
                A(
                    "Tableau de bord semestriel des publics allocataires du RSA",
                    "Un tableau de bord partagé avec la CAF, la MSA et France Travail décrit chaque semestre les "
                    "entrées, les sorties, les durées de présence et les orientations des allocataires.",
                    PROFESSIONALS,
                    DONE,
                    "2022-01",
                    "2025-12",
                    operational=(CAF, FT, MSA),
                    indicators=(I("Tableaux de bord publiés", "documents", 2, 0),),
                    referents=("nadia.benali",),
                    budget=10000,
                ),
                A(
                    "Étude sur les allocataires présents depuis plus de cinq ans dans le dispositif",
                    "Une étude qualitative, par entretiens, doit éclairer les parcours des allocataires les plus "
                    "anciens dans le dispositif et les freins qui les y maintiennent.",
                    "Allocataires du RSA présents dans le dispositif depuis plus de cinq ans.",
                    POSTPONED,
                    "2023-03",
                    "2024-12",
                    funders=((DDETS, 25000),),
                    operational=(CAF,),
                    indicators=(I("Entretiens qualitatifs réalisés", "entretiens", 60, 0),),
                    referents=("referent2",),
                    budget=25000,
                    progress=30,
                    priority=LOW,
                ),
            ),
        ),
    ),
)

AXE_2 = AxeSpec(
    title="Renforcer l’accompagnement individualisé et décloisonner les interventions",
    description="Afin de réduire l’organisation en «\u00a0silo\u00a0» encore trop utilisée et qui contribue à morceler les interventions, les participants ont souhaité encourager le recours à des approches pluridisciplinaires ainsi qu’à des modalités d’accompagnement intégrées et interconnectées. La sécurisation des parcours, qui s’attache à lever les freins (liés à la santé, la mobilité…) doit aussi s’appuyer sur une forte articulation entre l’insertion sociale et professionnelle. Par conséquent, les échanges ont porté sur les propositions suivantes\u00a0:",
    thematic_referents=("referent",),
    objectifs=(
        ObjectifSpec(
            "faciliter l'interconnaissance et la coordination des interventions",
            (
                A(
                    "Rencontres territoriales des acteurs de l'insertion et annuaire partagé",
                    "Deux fois par an, sur chacun des territoires d'action sociale, les professionnels de l'insertion "
                    "se rencontrent ; un annuaire en ligne recense les interlocuteurs et l'offre de chaque structure.",
                    PROFESSIONALS,
                    DONE,
                    "2022-04",
                    "2025-12",
                    operational=(FT, ML_RURALE, PLIE, CAF),
                    indicators=(I("Professionnels présents aux rencontres territoriales", "personnes", 150, 25),),
                    referents=("referent",),
                    budget=8000,
                ),
                A(
                    "Formations croisées travailleurs sociaux et conseillers France Travail",
                    "Des sessions communes de deux jours permettent aux travailleurs sociaux et aux conseillers de "
                    "France Travail de connaître leurs métiers, leurs outils et leurs offres de service.",
                    PROFESSIONALS,
                    DONE,
                    "2022-09",
                    "2024-12",
                    co_pilots=(FT,),
                    funders=((DDETS, 18000),),
                    indicators=(I("Professionnels formés", "personnes", 80, 20),),
                    referents=("referent",),
                    budget=12000,
                ),
                A(
                    "Référent de parcours pour les situations complexes",
                    "Pour les personnes suivies par plusieurs intervenants, un référent de parcours désigné coordonne "
                    "les interventions et réunit, si besoin, une instance de concertation.",
                    "Allocataires du RSA cumulant plusieurs difficultés et suivis par plusieurs intervenants.",
                    IN_PROGRESS,
                    "2023-01",
                    "2025-06",
                    operational=(CAF, CPAM, MDPH),
                    indicators=(I("Situations complexes suivies par un référent de parcours", "personnes", 60, 30),),
                    referents=("referent",),
                    budget=40000,
                    progress=65,
                ),
            ),
        ),
        ObjectifSpec(
            "étayer et sécuriser les parcours",
            (
                A(
                    "Fonds départemental d'aide individuelle à l'insertion",
                    "Aides financières ponctuelles pour lever un frein identifié dans le parcours : frais de "
                    "formation, équipement professionnel, réparation de véhicule, frais de garde.",
                    ALL_BRSA,
                    DONE,
                    "2022-01",
                    "2025-12",
                    indicators=(
                        I("Aides individuelles accordées", "aides", 900, 0),
                        I("Montant moyen par aide", "€", 350, 0),
                    ),
                    referents=("nadia.benali",),
                    budget=315000,
                ),
                A(
                    "Places de crèche à vocation d'insertion professionnelle pour les parents en parcours",
                    "Des places d'accueil du jeune enfant sont réservées aux parents allocataires du RSA engagés dans "
                    "une recherche d'emploi ou une formation (crèches à vocation d'insertion professionnelle).",
                    "Parents allocataires du RSA, en particulier les familles monoparentales.",
                    IN_PROGRESS,
                    "2022-09",
                    "2025-06",
                    pilot=CAF,
                    co_pilots=(DEP,),
                    funders=((CAF, 90000),),
                    indicators=(I("Places réservées aux parents en insertion", "places", 20, 10),),
                    referents=("referent",),
                    budget=20000,
                    progress=60,
                ),
                A(
                    "Permanences de psychologues dans les maisons du Département",
                    "Des psychologues tiennent des permanences pour les allocataires dont la santé psychique freine "
                    "le parcours, en lien avec les référents et la CPAM pour l'accès aux soins.",
                    "Allocataires du RSA dont la santé psychique fait obstacle au parcours d'insertion.",
                    DONE,
                    "2022-03",
                    "2024-12",
                    funders=((ARS, 60000),),
                    operational=(CPAM,),
                    indicators=(I("Personnes reçues en permanence psychologique", "personnes", 220, 30),),
                    referents=("karim.haddad", "referent"),
                    budget=45000,
                ),
            ),
        ),
        ObjectifSpec(
            "consolider les dispositifs d'accompagnement socioprofessionnel",
            (
                A(
                    "Accompagnement global avec France Travail",
                    "Un binôme formé d'un travailleur social du Département et d'un conseiller de France Travail "
                    "accompagne conjointement les demandeurs d'emploi dont les difficultés sociales freinent le "
                    "retour à l'emploi, en général pendant douze mois.",
                    "Demandeurs d'emploi allocataires du RSA rencontrant des difficultés sociales.",
                    DONE,
                    "2022-01",
                    "2025-12",
                    co_pilots=(FT,),
                    funders=((FT, 150000),),
                    indicators=(
                        I(
                            "Personnes en accompagnement global",
                            "personnes",
                            550,
                            50,
                            values={2022: 560, 2023: 640, 2024: 712},
                        ),
                        I("Sorties vers l'emploi ou la formation", "%", 35, 3, values={2022: 33, 2023: 38, 2024: 41}),
                    ),
                    referents=("referent",),
                    priority=HIGH,
                    budget=180000,
                    reports={
                        2022: ReportText(
                            advances="Renouvellement de la convention avec France Travail et arrivée de deux "
                            "nouveaux binômes sur les territoires de Saint-Junien et de Bellac.",
                            difficulties="Délais d'entrée encore longs sur Limoges : liste d'attente de six "
                            "semaines en fin d'année.",
                            adjustments="Entrées priorisées pour les personnes sorties d'une orientation sociale.",
                        ),
                        2023: ReportText(
                            advances="Objectif d'entrées dépassé ; 38\u00a0% des sorties se font vers l'emploi ou "
                            "la formation. Outil de suivi commun aux deux institutions déployé en juin.",
                            next_steps="Préparer l'intégration du dispositif dans le réseau pour l'emploi.",
                        ),
                    },
                ),
                A(
                    "Ateliers de mobilisation et d'insertion",
                    "Ateliers collectifs de remobilisation (confiance en soi, savoir-être, initiation au numérique, "
                    "découverte de l'environnement professionnel) financés par le Département.",
                    "Allocataires du RSA en orientation sociale ou socioprofessionnelle éloignés de l'emploi.",
                    DONE,
                    "2022-01",
                    "2025-12",
                    operational=(CENTRES_SOCIAUX, JARDINS),
                    indicators=(I("Participants aux ateliers", "personnes", 400, 20),),
                    referents=("referent",),
                    budget=210000,
                ),
                A(
                    "Accompagnement des travailleurs indépendants allocataires du RSA",
                    "Les chambres consulaires évaluent la viabilité de l'activité et accompagnent le travailleur "
                    "indépendant vers le développement de son entreprise ou une reconversion.",
                    "Travailleurs indépendants allocataires du RSA.",
                    IN_PROGRESS,
                    "2022-06",
                    "2024-12",
                    pilot=CMA,
                    co_pilots=(CCI,),
                    funders=((DEP, 35000),),
                    indicators=(I("Travailleurs indépendants accompagnés", "personnes", 120, 20),),
                    referents=("referent",),
                    budget=35000,
                    progress=55,
                ),
            ),
        ),
        ObjectifSpec(
            "approfondir les méthodologies d'accompagnement adapté pour les publics présentant des besoins spécifiques",
            (
                A(
                    "Accompagnement des allocataires en situation de handicap ou de santé dégradée",
                    "Cap emploi et la MDPH accompagnent les allocataires dont la santé limite l'accès à l'emploi : "
                    "reconnaissance de la qualité de travailleur handicapé, emploi accompagné, orientation adaptée.",
                    "Allocataires du RSA en situation de handicap ou dont l'état de santé limite l'accès à l'emploi.",
                    DONE,
                    "2022-03",
                    "2025-03",
                    pilot=CAP_EMPLOI,
                    co_pilots=(MDPH,),
                    funders=((DEP, 50000),),
                    indicators=(I("Personnes accompagnées", "personnes", 90, 10),),
                    referents=("pierre.lacoste",),
                    budget=50000,
                ),
                A(
                    "Parcours des jeunes allocataires de moins de trente ans avec les missions locales",
                    "Les missions locales accompagnent les jeunes allocataires du RSA, en s'appuyant sur le contrat "
                    "d'engagement jeune et sur l'offre de formation de la Région.",
                    "Allocataires du RSA de 25 à 30 ans.",
                    DONE,
                    "2022-01",
                    "2024-12",
                    pilot=ML_LIMOGES,
                    co_pilots=(ML_RURALE,),
                    funders=((DEP, 70000),),
                    indicators=(I("Jeunes accompagnés", "personnes", 150, 10),),
                    referents=("referent",),
                    budget=70000,
                ),
                A(
                    "Accompagnement à distance par visioconférence",
                    "Expérimentation de rendez-vous d'accompagnement en visioconférence pour les allocataires "
                    "éloignés des maisons du Département.",
                    "Allocataires du RSA résidant en zone rurale éloignée.",
                    ABANDONED,
                    "2022-10",
                    "2023-06",
                    operational=(EMMAUS_CONNECT,),
                    indicators=(I("Rendez-vous réalisés à distance", "rendez-vous", 300, 0),),
                    referents=("referent",),
                    budget=10000,
                    progress=20,
                    priority=LOW,
                    reports={
                        2023: ReportText(
                            advances="L'expérimentation a été arrêtée en juin 2023 : 41 rendez-vous seulement "
                            "ont eu lieu à distance.",
                            difficulties="Équipement et connexion insuffisants chez la plupart des personnes ; "
                            "préférence marquée pour les rendez-vous en présence.",
                            next_steps="Crédits redéployés vers les ateliers de mobilisation et d'insertion.",
                        ),
                    },
                ),
            ),
        ),
    ),
)

AXE_3 = AxeSpec(
    title="Développer et valoriser les compétences des personnes",
    description="L’activation de tous les leviers (aptitudes, capacités, expériences…) permettrait de démultiplier les effets de cette nouvelle approche centrée sur le potentiel des individus. Dans ce cadre, il s’avère indispensable de relier les acteurs de la formation, de l’entreprise et de l’accompagnement. Ainsi, afin de dynamiser les trajectoires, le groupe de travail a orienté ses priorités sur les axes suivants\u00a0:",
    thematic_referents=("pierre.lacoste",),
    objectifs=(
        ObjectifSpec(
            "renforcer l'évaluation des compétences",
            (
                A(
                    "Immersions professionnelles et évaluations en milieu de travail",
                    "Développer les périodes de mise en situation en milieu professionnel pour vérifier un projet, "
                    "évaluer des compétences et découvrir un métier.",
                    JOB_READY,
                    DONE,
                    "2022-01",
                    "2025-06",
                    pilot=FT,
                    co_pilots=(DEP,),
                    operational=(CCI, CMA),
                    indicators=(I("Immersions réalisées", "immersions", 350, 50),),
                    referents=("referent", "pierre.lacoste"),
                ),
                A(
                    "Portefeuille numérique de compétences et repérage des savoir-être",
                    "Chaque allocataire accompagné peut constituer un portefeuille numérique recensant ses "
                    "compétences, y compris celles acquises hors emploi, et le partager avec ses interlocuteurs.",
                    ALL_BRSA,
                    IN_PROGRESS,
                    "2023-01",
                    "2025-06",
                    operational=(PLIE, FT),
                    indicators=(I("Allocataires disposant d'un portefeuille de compétences", "personnes", 200, 150),),
                    referents=("pierre.lacoste",),
                    budget=15000,
                    progress=70,
                ),
            ),
        ),
        ObjectifSpec(
            "promouvoir les métiers",
            (
                A(
                    "Job dating des métiers en tension",
                    "Des rencontres de recrutement rapides réunissent employeurs et allocataires préparés sur les "
                    "métiers en tension du territoire : BTP, aide à domicile, hôtellerie-restauration, agriculture.",
                    JOB_READY,
                    DONE,
                    "2022-03",
                    "2025-12",
                    pilot=FT,
                    co_pilots=(DEP,),
                    operational=(FEDERATION_BTP, CHAMBRE_AGRICULTURE, CCI),
                    indicators=(
                        I("Job datings organisés", "rencontres", 6, 2, values={2022: 6, 2023: 7, 2024: 10}),
                        I("Recrutements à l'issue des job datings", "personnes", 60, 15),
                    ),
                    referents=("referent2", "pierre.lacoste"),
                    priority=HIGH,
                    budget=12000,
                ),
                A(
                    "Découverte des métiers du grand âge et de l'aide à domicile",
                    "Sessions de découverte avec visites d'établissements, témoignages de professionnels et "
                    "immersions, suivies d'une entrée en formation pour les personnes intéressées.",
                    JOB_READY,
                    DONE,
                    "2022-09",
                    "2024-12",
                    funders=((REGION, 40000),),
                    operational=(FT, GRETA),
                    indicators=(I("Allocataires ayant découvert les métiers du grand âge", "personnes", 80, 20),),
                    referents=("pierre.lacoste",),
                    budget=20000,
                ),
                A(
                    "Mois des métiers dans les territoires ruraux",
                    "Un mois de visites d'entreprises, d'exploitations agricoles et d'ateliers artisanaux dans les "
                    "communautés de communes rurales.",
                    "Allocataires du RSA résidant en zone rurale.",
                    DONE,
                    "2022-10",
                    "2023-11",
                    co_pilots=(CHAMBRE_AGRICULTURE, CMA),
                    indicators=(I("Visites d'entreprises organisées", "visites", 20, 5),),
                    referents=("pierre.lacoste",),
                    budget=6000,
                ),
            ),
        ),
        ObjectifSpec(
            "intensifier l'accès à la formation et à l'emploi",
            (
                A(
                    "Places réservées aux allocataires dans les formations qualifiantes de la Région",
                    "Une part des places des formations qualifiantes financées par la Région est réservée aux "
                    "allocataires du RSA, avec un accompagnement pendant la formation.",
                    JOB_READY,
                    DONE,
                    "2022-01",
                    "2025-12",
                    pilot=REGION,
                    co_pilots=(DEP,),
                    operational=(FT, GRETA),
                    indicators=(I("Allocataires entrés en formation qualifiante", "personnes", 450, 50),),
                    referents=("pierre.lacoste",),
                    priority=HIGH,
                ),
                A(
                    "Préparations opérationnelles à l'emploi collectives sur les métiers en tension",
                    "Formations courtes construites avec les branches professionnelles et débouchant sur une "
                    "embauche dans les entreprises qui ont exprimé un besoin.",
                    JOB_READY,
                    DONE,
                    "2022-06",
                    "2024-12",
                    pilot=FT,
                    co_pilots=(UIMM,),
                    funders=((FT, 180000),),
                    indicators=(
                        I("Stagiaires allocataires du RSA", "personnes", 60, 10),
                        I("Taux d'accès à l'emploi à six mois", "%", 60, 0),
                    ),
                    referents=("referent2",),
                ),
                A(
                    "Parcours emploi compétences cofinancés par le Département",
                    "Le Département cofinance des contrats aidés dans le secteur non marchand pour les allocataires "
                    "du RSA, avec un engagement de formation de l'employeur.",
                    ALL_BRSA,
                    DONE,
                    "2022-01",
                    "2025-12",
                    pilot=DDETS,
                    co_pilots=(DEP,),
                    funders=((DEP, 620000),),
                    indicators=(I("Contrats signés par des allocataires du RSA", "contrats", 180, 0),),
                    referents=("isabelle.mercier",),
                    budget=155000,
                ),
            ),
        ),
        ObjectifSpec(
            "valoriser les acquis de l'expérience",
            (
                A(
                    "Validation des acquis de l'expérience collective en structures d'insertion",
                    "Des groupes de salariés en insertion préparent ensemble la validation d'un titre professionnel "
                    "à partir de l'expérience acquise dans leur structure.",
                    IAE_PUBLIC,
                    IN_PROGRESS,
                    "2023-01",
                    "2025-06",
                    pilot=DAVA,
                    co_pilots=(INTER_RESEAUX_IAE,),
                    funders=((REGION, 45000), (DEP, 20000)),
                    operational=(CHEMINS_JACQUAIRES, RECYCLERIE),
                    indicators=(
                        I("Candidats engagés en VAE", "personnes", 25, 10),
                        I("Validations totales ou partielles", "personnes", 15, 8),
                    ),
                    referents=("pierre.lacoste", "referent"),
                    budget=20000,
                    progress=75,
                ),
                A(
                    "Accompagnement individuel à la VAE dans les métiers de l'aide à la personne",
                    "Accompagnement individuel des allocataires ayant une expérience, même bénévole ou familiale, "
                    "de l'aide à la personne vers un diplôme du secteur.",
                    "Allocataires du RSA ayant une expérience dans l'aide à la personne.",
                    POSTPONED,
                    "2023-09",
                    "2025-06",
                    operational=(GRETA,),
                    indicators=(I("Accompagnements VAE engagés", "personnes", 20, 10),),
                    referents=("pierre.lacoste",),
                    budget=15000,
                    progress=20,
                ),
            ),
        ),
        ObjectifSpec(
            "faciliter la mobilité des publics fragiles",
            (
                A(
                    "Plateforme mobilité solidaire : diagnostic, conseil et location de véhicules",
                    "La plateforme réalise des diagnostics mobilité, conseille sur les solutions existantes et loue "
                    "à tarif solidaire voitures, scooters et vélos électriques pour un emploi ou une formation.",
                    "Allocataires du RSA sans solution de transport pour un emploi, une formation ou une démarche.",
                    DONE,
                    "2022-01",
                    "2025-12",
                    pilot=MOBILITE,
                    co_pilots=(DEP,),
                    funders=((DEP, 240000), (DDETS, 80000)),
                    operational=(FT, ML_RURALE),
                    indicators=(
                        I("Diagnostics mobilité réalisés", "diagnostics", 500, 50),
                        I("Locations de véhicules à tarif solidaire", "locations", 150, 25),
                    ),
                    referents=("referent", "pierre.lacoste"),
                    priority=HIGH,
                    budget=80000,
                ),
                A(
                    "Auto-école sociale et aide au financement du permis B",
                    "Une pédagogie adaptée et un financement complémentaire du permis de conduire pour les "
                    "allocataires dont le projet professionnel l'exige.",
                    "Allocataires du RSA dont le projet professionnel nécessite le permis B.",
                    DONE,
                    "2022-03",
                    "2024-12",
                    pilot=MOBILITE,
                    co_pilots=(DEP,),
                    funders=((FT, 60000),),
                    indicators=(I("Permis B obtenus", "personnes", 70, 10),),
                    referents=("pierre.lacoste",),
                    budget=40000,
                ),
                A(
                    "Transport à la demande vers les zones d'activité en milieu rural",
                    "Expérimentation d'un service de transport à la demande vers les zones d'activité, aux horaires "
                    "des postes en équipe.",
                    "Salariés et stagiaires en insertion sans moyen de transport en zone rurale.",
                    ABANDONED,
                    "2022-09",
                    "2023-12",
                    pilot=REGION,
                    co_pilots=(DEP,),
                    indicators=(I("Trajets réalisés", "trajets", 2000, 0),),
                    referents=("pierre.lacoste",),
                    budget=30000,
                    progress=25,
                ),
            ),
        ),
    ),
)

AXE_4 = AxeSpec(
    title="Développer les relations avec le monde de l’entreprise et les opportunités d’emploi, notamment sur les métiers en tension",
    description="La participation des acteurs du monde économique (établissements consulaires, fédérations professionnelles…) a souligné la nécessité de sécuriser et pérenniser la mise en emploi des BRSA. Ainsi, les travaux conduits ont eu pour but de\u00a0:",
    thematic_referents=("isabelle.mercier",),
    objectifs=(
        ObjectifSpec(
            "rapprocher l’offre et la demande d’emploi en créant un maillon avec les structures de l’insertion par l’activité économique (SIAE)",
            (
                A(
                    "Chargés de relations entreprises mutualisés entre structures d'insertion",
                    "Deux chargés de relations entreprises, mutualisés entre les SIAE du département, prospectent "
                    "les employeurs et organisent les sorties vers l'emploi durable des salariés en insertion.",
                    IAE_PUBLIC,
                    DONE,
                    "2022-01",
                    "2025-12",
                    pilot=INTER_RESEAUX_IAE,
                    co_pilots=(DEP,),
                    funders=((DEP, 120000), (DDETS, 60000)),
                    operational=(RECYCLERIE, ETTI, CHEMINS_JACQUAIRES),
                    indicators=(
                        I("Sorties en emploi durable des salariés en insertion", "%", 25, 2),
                        I("Entreprises partenaires des structures d'insertion", "entreprises", 120, 20),
                    ),
                    referents=("isabelle.mercier", "referent2"),
                    budget=45000,
                ),
                A(
                    "Passerelles entre structures d'insertion et entreprises",
                    "Mises à disposition et périodes d'immersion en entreprise pendant le parcours en SIAE, pour "
                    "préparer l'embauche à la sortie.",
                    IAE_PUBLIC,
                    IN_PROGRESS,
                    "2023-01",
                    "2025-06",
                    pilot=ETTI,
                    co_pilots=(FT,),
                    operational=(CLUB_ENTREPRISES,),
                    indicators=(I("Mises en situation en entreprise", "personnes", 90, 20),),
                    referents=("referent2",),
                    budget=25000,
                    progress=70,
                ),
                A(
                    "Aide départementale au poste pour les allocataires salariés en insertion",
                    "Le Département cofinance l'aide au poste des allocataires du RSA recrutés en atelier et chantier "
                    "d'insertion, en complément de l'État.",
                    IAE_PUBLIC,
                    DONE,
                    "2022-01",
                    "2025-12",
                    co_pilots=(DDETS,),
                    funders=((DEP, 1100000),),
                    indicators=(I("Allocataires du RSA salariés en insertion", "personnes", 420, 30),),
                    referents=("isabelle.mercier",),
                    priority=HIGH,
                    budget=275000,
                ),
            ),
        ),
        ObjectifSpec(
            "coordonner et renforcer les initiatives sur le «\u00a0recruter autrement\u00a0»",
            (
                A(
                    "Méthode de recrutement par simulation",
                    "Les employeurs recrutent sur la base d'exercices reproduisant le poste de travail, sans "
                    "exigence de diplôme ni d'expérience.",
                    JOB_READY,
                    DONE,
                    "2022-04",
                    "2024-12",
                    pilot=FT,
                    operational=(CLUB_ENTREPRISES, CCI),
                    indicators=(I("Allocataires recrutés par simulation", "personnes", 80, 10),),
                    referents=("referent2",),
                ),
                A(
                    "Job dating « recruter autrement » sans CV",
                    "Rencontres entre employeurs et candidats sans CV ni lettre de motivation, centrées sur la "
                    "motivation et les savoir-être.",
                    JOB_READY,
                    DONE,
                    "2022-05",
                    "2025-06",
                    co_pilots=(FT,),
                    operational=(CLUB_ENTREPRISES, CMA),
                    indicators=(I("Candidats reçus sans CV", "personnes", 120, 20),),
                    referents=("isabelle.mercier",),
                    budget=5000,
                ),
                A(
                    "Label départemental « entreprise inclusive »",
                    "Un label valorisant les entreprises qui recrutent et forment des personnes en insertion, "
                    "décerné avec les chambres consulaires.",
                    "Entreprises du département qui recrutent des personnes en insertion.",
                    TO_LAUNCH,
                    "2024-09",
                    "2025-09",
                    co_pilots=(CCI, CMA),
                    indicators=(I("Entreprises labellisées", "entreprises", 15, 0),),
                    referents=("isabelle.mercier",),
                    budget=10000,
                    priority=LOW,
                ),
            ),
        ),
        ObjectifSpec(
            "sécuriser les entreprises dans le recrutement de personnes en insertion professionnelle",
            (
                A(
                    "Clauses sociales dans les marchés publics",
                    "Un facilitateur départemental aide les acheteurs publics à insérer des clauses sociales dans "
                    "leurs marchés, accompagne les entreprises attributaires et suit les heures d'insertion.",
                    "Allocataires du RSA, demandeurs d'emploi de longue durée et jeunes sans qualification.",
                    DONE,
                    "2022-01",
                    "2025-12",
                    co_pilots=(METROPOLE,),
                    funders=((METROPOLE, 40000),),
                    operational=(FEDERATION_BTP, CAPEB, GEIQ_BTP),
                    indicators=(
                        I(
                            "Heures d'insertion réalisées",
                            "heures",
                            60000,
                            5000,
                            values={2022: 63400, 2023: 68250, 2024: 74100},
                        ),
                        I("Allocataires du RSA bénéficiaires des clauses", "personnes", 110, 10),
                    ),
                    referents=("isabelle.mercier",),
                    priority=HIGH,
                    budget=55000,
                    reports={
                        2023: ReportText(
                            advances="Clauses intégrées aux marchés de construction de deux collèges et aux "
                            "travaux du tramway de Limoges Métropole ; plus de 68\u00a0000 heures d'insertion.",
                            difficulties="Les entreprises du second œuvre peinent à accueillir des personnes sans "
                            "qualification.",
                            adjustments="Recours au GEIQ BTP pour porter les contrats des personnes les moins "
                            "qualifiées.",
                        ),
                    },
                ),
                A(
                    "Groupements d'employeurs pour l'insertion et la qualification",
                    "Soutien aux GEIQ du BTP, de l'industrie et de la propreté, qui recrutent des allocataires en "
                    "contrat de professionnalisation et les mettent à disposition des entreprises adhérentes.",
                    JOB_READY,
                    DONE,
                    "2022-01",
                    "2025-12",
                    pilot=GEIQ_BTP,
                    co_pilots=(GEIQ_PROPRETE,),
                    funders=((DEP, 75000), (REGION, 50000)),
                    operational=(GEIQ_PCE, UIMM),
                    indicators=(
                        I(
                            "Contrats de professionnalisation signés par des allocataires",
                            "contrats",
                            35,
                            5,
                            values={2022: 33, 2023: 41, 2024: 46},
                        ),
                    ),
                    referents=("isabelle.mercier", "referent2"),
                    budget=25000,
                ),
                A(
                    "Médiation et tutorat pendant les six premiers mois de l'emploi",
                    "Un médiateur suit le salarié et son employeur après l'embauche pour prévenir les ruptures et "
                    "former les tuteurs en entreprise.",
                    "Allocataires du RSA récemment embauchés et leurs employeurs.",
                    IN_PROGRESS,
                    "2022-09",
                    "2025-06",
                    pilot=PLIE,
                    co_pilots=(DEP,),
                    funders=((DEP, 45000),),
                    operational=(CLUB_ENTREPRISES,),
                    indicators=(
                        I("Salariés suivis après l'embauche", "personnes", 70, 10),
                        I("Part des emplois maintenus à six mois", "%", 75, 2),
                    ),
                    referents=("referent2",),
                    budget=15000,
                    progress=60,
                ),
            ),
        ),
        ObjectifSpec(
            "soutenir la structuration de filières issues de l'économie circulaire permettant des perspectives d'emploi pour les personnes en insertion",
            (
                A(
                    "Recyclerie et réemploi : nouveaux postes en atelier chantier d'insertion",
                    "Extension de la recyclerie (collecte, tri, réparation, vente) et création de postes en "
                    "insertion sur les métiers du réemploi.",
                    IAE_PUBLIC,
                    DONE,
                    "2022-03",
                    "2024-12",
                    pilot=RECYCLERIE,
                    co_pilots=(DEP,),
                    funders=((DEP, 90000), (REGION, 60000)),
                    indicators=(
                        I("Postes en insertion créés", "postes", 12, 4),
                        I("Déchets détournés de l'enfouissement", "tonnes", 300, 50),
                    ),
                    referents=("isabelle.mercier",),
                    budget=30000,
                ),
                A(
                    "Filière de réemploi des matériaux du BTP",
                    "Création d'une plateforme de déconstruction et de revente de matériaux de réemploi du bâtiment, "
                    "portée par une entreprise d'insertion.",
                    IAE_PUBLIC,
                    POSTPONED,
                    "2023-06",
                    "2025-06",
                    pilot=REEMPLOI_BTP,
                    co_pilots=(FEDERATION_BTP,),
                    funders=((REGION, 80000),),
                    indicators=(I("Salariés en insertion dans la filière", "personnes", 10, 5),),
                    referents=("isabelle.mercier",),
                    budget=40000,
                    progress=35,
                ),
                A(
                    "Collecte et tri textile solidaire",
                    "Structuration d'une activité de collecte et de tri des textiles usagés créant des postes en "
                    "insertion, en lien avec le service déchets de Limoges Métropole.",
                    IAE_PUBLIC,
                    IN_PROGRESS,
                    "2024-01",
                    "2025-12",
                    pilot=RECYCLERIE,
                    operational=(METROPOLE,),
                    indicators=(I("Postes en insertion dans la filière textile", "postes", 6, 4),),
                    referents=("referent2",),
                    budget=35000,
                    progress=50,
                ),
            ),
        ),
    ),
)

AXE_5 = AxeSpec(
    title="Améliorer la relation aux bénéficiaires et favoriser l’autonomie",
    description="La complexité du dispositif RSA, pour une part importante d’allocataires, rend difficile leur participation dans la co-construction de leur parcours d’insertion professionnelle. Les modes de communication actuels avec les usagers ne soutiennent pas ces derniers dans leur capacité à agir ou encore dans l’autonomisation de leur démarche vers l’accès à l’emploi. Afin de répondre aux enjeux de cette thématique, les actions suivantes visent à\u00a0:",
    thematic_referents=("karim.haddad",),
    objectifs=(
        ObjectifSpec(
            "améliorer l'information en direction des usagers et la relation aux bénéficiaires",
            (
                A(
                    "Guide de l'allocataire du RSA en « facile à lire et à comprendre »",
                    "Un guide des droits et devoirs rédigé avec des allocataires selon la méthode « facile à lire et "
                    "à comprendre », remis à chaque nouvel allocataire.",
                    ALL_BRSA,
                    DONE,
                    "2022-03",
                    "2023-06",
                    operational=(CAF, CENTRES_SOCIAUX),
                    indicators=(I("Guides diffusés", "exemplaires", 3000, 0),),
                    referents=("karim.haddad",),
                    budget=12000,
                ),
                A(
                    "Inclusion numérique des allocataires avec Emmaüs Connect",
                    "Ateliers d'initiation aux usages numériques, accès à des équipements et à des forfaits "
                    "solidaires, et formation des professionnels au repérage des difficultés numériques.",
                    "Allocataires du RSA en difficulté avec les démarches en ligne.",
                    DONE,
                    "2022-01",
                    "2025-12",
                    co_pilots=(EMMAUS_CONNECT,),
                    funders=((DDETS, 45000), (DEP, 60000)),
                    operational=(FT, CAF),
                    indicators=(
                        I("Allocataires formés aux usages numériques", "personnes", 300, 50),
                        I("Équipements solidaires distribués", "équipements", 150, 25),
                    ),
                    referents=("referent2", "karim.haddad"),
                    priority=HIGH,
                    budget=40000,
                    reports={
                        2022: ReportText(
                            advances="Ouverture de trois points d'accueil numérique (Limoges, Saint-Junien, "
                            "Saint-Yrieix-la-Perche) ; 40 professionnels formés au repérage des difficultés.",
                            difficulties="Forte demande d'équipements, supérieure au stock disponible.",
                        ),
                    },
                ),
                A(
                    "Refonte des courriers adressés aux allocataires du RSA",
                    "Réécriture en langage clair des courriers de la direction (convocations, décisions, relances), "
                    "testés auprès du conseil des usagers.",
                    ALL_BRSA,
                    IN_PROGRESS,
                    "2023-01",
                    "2024-12",
                    indicators=(I("Modèles de courriers réécrits", "courriers", 40, 0),),
                    referents=("karim.haddad",),
                    progress=80,
                ),
            ),
        ),
        ObjectifSpec(
            "favoriser la logique de co-construction du parcours",
            (
                A(
                    "Contrat d'engagements réciproques co-construit avec l'allocataire",
                    "Un nouveau modèle de contrat, construit avec des allocataires, fixe des engagements concrets et "
                    "réalistes choisis par la personne avec son référent.",
                    ALL_BRSA,
                    DONE,
                    "2022-06",
                    "2024-12",
                    co_pilots=(FT,),
                    indicators=(
                        I("Contrats d'engagements réciproques signés", "contrats", 2500, 300),
                        I("Part des contrats signés dans les deux mois", "%", 60, 10),
                    ),
                    referents=("karim.haddad", "referent2"),
                ),
                A(
                    "Conseil départemental des usagers du RSA",
                    "Une vingtaine d'allocataires volontaires donnent leur avis sur les actions, les documents et "
                    "l'organisation du dispositif, et siègent aux équipes pluridisciplinaires.",
                    "Allocataires et anciens allocataires du RSA volontaires.",
                    DONE,
                    "2022-09",
                    "2025-12",
                    operational=(CENTRES_SOCIAUX,),
                    indicators=(
                        I("Réunions du conseil des usagers", "réunions", 4, 0, values={2022: 0, 2023: 3, 2024: 4}),
                        I("Usagers membres du conseil", "personnes", 20, 0, values={2022: 0, 2023: 18, 2024: 21}),
                    ),
                    referents=("karim.haddad",),
                    budget=8000,
                ),
            ),
        ),
        ObjectifSpec(
            "encourager le déploiement de nouveaux dispositifs autour de la capacité d'agir",
            (
                A(
                    "Groupes d'entraide et pair-aidance entre allocataires",
                    "Des groupes animés par des pairs formés permettent aux allocataires d'échanger sur leurs "
                    "démarches et de mener des projets collectifs.",
                    ALL_BRSA,
                    IN_PROGRESS,
                    "2023-03",
                    "2025-06",
                    pilot=CENTRES_SOCIAUX,
                    co_pilots=(DEP,),
                    funders=((CAF, 30000),),
                    indicators=(I("Groupes d'entraide actifs", "groupes", 4, 2),),
                    referents=("karim.haddad",),
                    budget=10000,
                    progress=55,
                ),
                A(
                    "Fonds « initiatives des usagers »",
                    "Un budget participatif finançant des projets proposés et portés par des allocataires.",
                    ALL_BRSA,
                    ABANDONED,
                    "2023-01",
                    "2024-06",
                    indicators=(I("Projets soutenus", "projets", 10, 0),),
                    referents=("karim.haddad",),
                    budget=20000,
                    progress=15,
                    priority=LOW,
                ),
                A(
                    "Soutien aux projets « Territoire zéro chômeur de longue durée »",
                    "Accompagnement des collectivités candidates à l'expérimentation et mobilisation des allocataires "
                    "intéressés par les entreprises à but d'emploi.",
                    "Personnes privées durablement d'emploi sur les territoires candidats.",
                    POSTPONED,
                    "2023-01",
                    "2025-12",
                    co_pilots=(DDETS,),
                    operational=(METROPOLE,),
                    indicators=(I("Territoires candidats accompagnés", "territoires", 1, 1),),
                    referents=("karim.haddad",),
                    progress=25,
                ),
            ),
        ),
    ),
)

ATTENDEES = ("copil", "agent", "referent", "nadia.benali", "pierre.lacoste", "isabelle.mercier", "karim.haddad")
PARTNERS_AT_COPIL = (FT, CAF, MSA, DDETS, REGION, ML_LIMOGES, PLIE, CCI, CMA, INTER_RESEAUX_IAE)
# Partners' representatives, who have no account in PTI (fictional names).
GUESTS_AT_COPIL = (
    ("Nathalie Bernard", FT, "", "Directrice territoriale", "present"),
    ("Olivier Lefèvre", CAF, "", "Responsable de l'action sociale", "present"),
    ("Sandrine Moreau", ML_LIMOGES, "", "Directrice", "excused"),
    ("Julien Garnier", None, "Conseil de développement de Limoges Métropole", "Membre", "present"),
)

COPILS = (
    CopilSpec(
        date=datetime.date(2022, 11, 29),
        agenda="1. Installation du comité de pilotage du PTI 2022-2025\n"
        "2. Présentation des référents thématiques\n"
        "3. Premières actions engagées\n"
        "4. Calendrier du suivi annuel et des bilans",
        minutes="Le comité installe la gouvernance du pacte issue des Assises de l'insertion : un référent "
        "thématique par thématique, un comité de pilotage annuel et un bilan présenté chaque année à "
        "l'assemblée départementale. Les premières actions, lancées dès janvier, sont présentées.",
        attendees=ATTENDEES,
        partners=PARTNERS_AT_COPIL,
        guests=GUESTS_AT_COPIL,
        highlights=(
            ("1.1", "Premiers résultats encourageants : le délai moyen d'orientation passe sous les 60 jours."),
            ("2.7", "Le comité salue le renouvellement de la convention avec France Travail."),
            ("3.11", "La plateforme mobilité couvre désormais l'ensemble du département."),
        ),
        decisions=(
            DecisionSpec(
                "Transmettre aux partenaires le modèle de compte rendu annuel des actions",
                "agent",
                datetime.date(2023, 1, 31),
                DecisionStatus.DONE,
                "Modèle transmis le 20 janvier 2023 ; campagne de saisie ouverte en février.",
            ),
            DecisionSpec(
                "Installer le conseil départemental des usagers du RSA avant l'été 2023",
                "karim.haddad",
                datetime.date(2023, 6, 30),
                DecisionStatus.DONE,
                "Première réunion le 15 juin 2023 avec 18 membres.",
                action="5.5",
            ),
        ),
    ),
    CopilSpec(
        date=datetime.date(2023, 11, 21),
        agenda="1. Bilan 2022 des actions\n2. Point d'étape 2023 par thématique\n3. Actions en difficulté",
        minutes="Le bilan 2022 est présenté : la majorité des actions ont démarré. Le comité examine les "
        "actions en difficulté et prend acte de l'arrêt de l'accompagnement à distance.",
        attendees=ATTENDEES + ("referent2",),
        partners=PARTNERS_AT_COPIL + (FEDERATION_BTP, EMMAUS_CONNECT),
        guests=GUESTS_AT_COPIL,
        highlights=(
            ("4.7", "Plus de 68 000 heures d'insertion grâce aux clauses des chantiers des collèges et du tramway."),
            ("3.3", "Sept job datings organisés en 2023 avec les fédérations professionnelles."),
            ("5.2", "Trois points d'accueil numérique ouverts avec Emmaüs Connect."),
        ),
        decisions=(
            DecisionSpec(
                "Redéployer les crédits de l'accompagnement à distance vers les ateliers de mobilisation",
                "referent",
                datetime.date(2024, 3, 31),
                DecisionStatus.DONE,
                "Avenant signé en février 2024.",
                action="2.12",
            ),
            DecisionSpec(
                "Lancer l'étude sur les allocataires présents depuis plus de cinq ans",
                "nadia.benali",
                datetime.date(2024, 6, 30),
                DecisionStatus.OPEN,
                "Cahier des charges rédigé ; consultation reportée faute de crédits d'études.",
                action="1.8",
            ),
            DecisionSpec(
                "Ouvrir un budget participatif « initiatives des usagers » dès 2024",
                "karim.haddad",
                datetime.date(2024, 6, 30),
                DecisionStatus.DROPPED,
                "Abandonné : le conseil des usagers a préféré soutenir les groupes d'entraide.",
                action="5.7",
            ),
        ),
    ),
    CopilSpec(
        date=datetime.date(2024, 11, 26),
        agenda="1. Bilan 2023\n2. Mise en œuvre de la loi pour le plein emploi\n3. Point d'étape 2024",
        minutes="Le comité fait le point sur l'inscription des allocataires à France Travail et sur le "
        "contrat d'engagement. Les actions de qualification (GEIQ, VAE) sont mises en avant.",
        attendees=ATTENDEES + ("referent2",),
        partners=PARTNERS_AT_COPIL + (GEIQ_BTP, DAVA),
        guests=GUESTS_AT_COPIL,
        highlights=(
            ("1.6", "L'inscription à France Travail de tous les allocataires est engagée depuis janvier."),
            ("4.8", "Les GEIQ ont signé 46 contrats de professionnalisation avec des allocataires en 2024."),
            ("3.9", "Première promotion de VAE collective en structures d'insertion."),
        ),
        decisions=(
            DecisionSpec(
                "Intégrer l'inscription à France Travail au parcours de la plateforme d'orientation",
                "referent2",
                datetime.date(2025, 3, 31),
                DecisionStatus.DONE,
                "Inscription réalisée lors du rendez-vous d'orientation depuis mars 2025.",
                action="1.6",
            ),
            DecisionSpec(
                "Présenter un plan de relance de la filière de réemploi des matériaux du BTP",
                "isabelle.mercier",
                datetime.date(2025, 6, 30),
                DecisionStatus.OPEN,
                "Recherche d'un foncier en cours avec Limoges Métropole.",
                action="4.11",
            ),
        ),
    ),
    CopilSpec(
        date=datetime.date(2025, 11, 25),
        agenda="1. Bilan 2024\n2. Point d'étape final des actions\n3. Préparation du bilan du pacte et du prochain PTI",
        minutes="Dernier comité du pacte : l'essentiel des actions est réalisé ; les actions en retard sont "
        "examinées pour être reprises ou non dans le prochain pacte.",
        attendees=ATTENDEES + ("referent2",),
        partners=PARTNERS_AT_COPIL,
        guests=GUESTS_AT_COPIL,
        highlights=(
            ("2.7", "L'accompagnement global a bénéficié à plus de 700 personnes en 2024."),
            ("4.7", "Objectif d'heures d'insertion dépassé chaque année du pacte."),
            ("5.5", "Le conseil des usagers a relu l'ensemble des courriers de la direction."),
        ),
        decisions=(
            DecisionSpec(
                "Préparer le bilan final du PTI 2022-2025 avec les partenaires",
                "agent",
                datetime.date(2026, 3, 31),
                DecisionStatus.OPEN,
                "Comptes rendus 2025 en cours de collecte.",
            ),
            DecisionSpec(
                "Pérenniser l'accompagnement global dans la convention avec France Travail",
                "referent",
                datetime.date(2026, 6, 30),
                DecisionStatus.DONE,
                "Intégré à la convention 2026-2028.",
                action="2.7",
            ),
            DecisionSpec(
                "Lancer la concertation du prochain pacte (Assises de l'insertion)",
                "agent",
                datetime.date(2026, 12, 15),
                DecisionStatus.OPEN,
            ),
        ),
    ),
)

PTI_2022 = PacteSpec(
    slug="pti-2022-2025",
    title="Pacte territorial d'insertion 2022-2025",
    first_year=2022,
    last_year=2025,
    signature_date=datetime.date(2022, 3, 17),
    status=PacteStatus.ACTIVE,
    description="Élaboré au terme des Assises de l'insertion, qui ont réuni pendant sept mois environ 70 acteurs "
    "(partenaires institutionnels, économiques et associatifs, travailleurs sociaux et bénéficiaires du RSA), le "
    "pacte décline en 5 thématiques et 19 objectifs la politique départementale d'insertion pour 2022-2025. Son "
    "suivi est assuré chaque année par les référents thématiques, le comité de pilotage et un bilan présenté à "
    "l'assemblée départementale.",
    axes=(AXE_1, AXE_2, AXE_3, AXE_4, AXE_5),
    copils=COPILS,
    report_years=(2022, 2023, 2024),
    measured_years=(2022, 2023, 2024),
    spent_years=(2022, 2023, 2024),
    draft_year=2024,
)
