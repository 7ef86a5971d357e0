"""Sentences for the yearly reports the demo does not write by hand, picked with the action's own random."""

ADVANCES_ON_TRACK = (
    "L'action s'est déroulée conformément au calendrier arrêté avec {pilot}.",
    "Les objectifs de l'année sont tenus ; les partenaires se sont fortement impliqués.",
)
ADVANCES = (
    "Les comités techniques réunissant {pilot} et {partner} se sont tenus chaque trimestre.",
    "Le déploiement s'est poursuivi sur les territoires de Limoges, Saint-Junien, Bellac et Saint-Yrieix-la-Perche.",
    "Un outil de suivi partagé a été mis en place avec {partner} et alimenté par les référents de parcours.",
    "Une réunion de bilan intermédiaire avec les partenaires a permis de valider les modalités de travail.",
    "Les orientations vers l'action ont progressé grâce à une meilleure information des référents RSA.",
)
ADVANCES_DONE = (
    "L'action est réalisée : les objectifs fixés sont atteints pour l'essentiel.",
    "L'action est achevée et ses outils sont désormais intégrés aux pratiques courantes des équipes.",
)
ADVANCES_STOPPED = (
    "L'action a été arrêtée en cours d'année après un bilan partagé avec {pilot}.",
    "Les premières réalisations n'ont pas permis de confirmer l'intérêt de l'action, qui a été arrêtée.",
)
ADVANCES_POSTPONED = (
    "L'action a été suspendue en cours d'année dans l'attente de moyens complémentaires.",
    "Le calendrier de l'action a été décalé d'un commun accord avec {pilot}.",
)
ADVANCES_WAITING = (
    "Le lancement de l'action a été préparé mais reste suspendu à la confirmation des moyens.",
    "Les travaux préparatoires ont été engagés avec {pilot} ; le démarrage opérationnel est décalé.",
)

DIFFICULTIES_WAITING = (
    "Les moyens nécessaires au lancement n'ont pas encore été confirmés.",
    "Les partenaires pressentis n'ont pas encore validé leur participation.",
)

DIFFICULTIES = {
    "on_track": (
        "Pas de difficulté majeure ; quelques retards dans la transmission des listes de participants.",
        "La mobilisation des publics reste plus difficile en période estivale.",
        "Le renouvellement de plusieurs professionnels a nécessité de nouvelles sessions d'information.",
        "",
    ),
    "some_difficulties": (
        "La mobilisation des publics reste inégale selon les territoires, en particulier en zone rurale.",
        "Des difficultés de recrutement chez {partner} ont retardé certaines étapes.",
        "Les délais de conventionnement avec les financeurs ont décalé le démarrage de plusieurs sessions.",
        "Les freins périphériques (garde d'enfants, mobilité, santé) limitent l'assiduité des participants.",
    ),
    "at_risk": (
        "Le calendrier initial n'a pas pu être tenu : moyens humains insuffisants et partenariat à reconsolider.",
        "Le financement prévu n'a été que partiellement confirmé, ce qui fragilise la poursuite de l'action.",
        "Les publics orientés vers l'action sont très en deçà des prévisions.",
    ),
}

NEXT_STEPS = (
    "Poursuivre le déploiement et présenter un point d'étape au prochain comité de pilotage.",
    "Étendre l'action aux territoires non couverts et fiabiliser les indicateurs de suivi.",
    "Formaliser une convention pluriannuelle avec {partner}.",
    "Organiser un temps d'échange avec les référents de parcours sur les premiers résultats.",
)
NEXT_STEPS_DONE = (
    "Pérenniser l'action dans le droit commun et diffuser ses outils aux partenaires.",
    "Capitaliser l'expérience dans le bilan du pacte.",
)
NEXT_STEPS_STOPPED = ("Redéployer les moyens vers les autres actions de l'axe.",)
NEXT_STEPS_LATE = (
    "Arrêter avec {pilot} un calendrier resserré et le présenter au comité de pilotage.",
    "Réexaminer le périmètre de l'action avec les partenaires avant la fin du pacte.",
)

ADJUSTMENTS = (
    "",
    "Calendrier des sessions adapté avec {partner}.",
    "Critères d'orientation vers l'action précisés en équipe pluridisciplinaire.",
    "Indicateurs de suivi simplifiés à la demande des partenaires.",
    "Action ouverte aux allocataires en orientation sociale.",
)

MEANS = (
    "Temps de coordination de la direction insertion emploi action sociale.",
    "Mise à disposition de locaux par {partner}.",
    "Un équivalent temps plein consacré à l'action par {pilot}.",
    "Intervention des travailleurs sociaux des maisons du Département.",
)
