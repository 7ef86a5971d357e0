"""Demo accounts: one per role (a partner account of France Travail included), a second referent, and the thematic referents of PTI 2022-2025.

Every account has the same password, DEMO_PASSWORD, documented in the README. Never run the demo seed
on a production database.
"""

from django.contrib.auth import get_user_model

from pti.enums import Role

DEMO_PASSWORD = "pti-demo-2025"
EMAIL_DOMAIN = "haute-vienne.example"

DEPARTEMENT = "Département de la Haute-Vienne"
DIEAS = "Département de la Haute-Vienne – Direction insertion emploi action sociale"

# (username, first name, last name, role, organisation)
ACCOUNTS = (
    ("referent", "Camille", "Durand", Role.REFERENT, DIEAS),
    ("referent2", "Julien", "Morel", Role.REFERENT, "France Travail – direction territoriale de la Haute-Vienne"),
    ("copil", "Hélène", "Faure", Role.COPIL, "Conseil départemental de la Haute-Vienne – élue déléguée à l'insertion"),
    ("agent", "Sophie", "Lambert", Role.STAFF, DIEAS + " – chargée de mission PTI"),
    ("admin", "Thierry", "Blanc", Role.ADMIN, DEPARTEMENT + " – Direction du numérique"),
    ("nadia.benali", "Nadia", "Benali", Role.REFERENT, DIEAS + " – service orientation RSA"),
    ("pierre.lacoste", "Pierre", "Lacoste", Role.REFERENT, DIEAS + " – mission formation et compétences"),
    ("isabelle.mercier", "Isabelle", "Mercier", Role.REFERENT, DIEAS + " – mission relations entreprises"),
    ("karim.haddad", "Karim", "Haddad", Role.REFERENT, DIEAS + " – mission participation des usagers"),
    ("partenaire", "Claire", "Roux", Role.PARTNER, "France Travail"),
)

# What the command prints, and what the README can list.
ACCOUNT_PURPOSES = {
    "referent": "référent d'actions et référent thématique de l'axe 2 (PTI 2022-2025)",
    "referent2": "référent d'autres actions (ne peut pas modifier celles de « referent »)",
    "copil": "membre du COPIL (lecture seule)",
    "agent": "agent du Département (gère COPIL, décisions et bilans)",
    "admin": "administrateur (accès à l'administration Django)",
    "partenaire": "compte partenaire de France Travail (ses actions et ses contributions seulement)",
}


def ensure_accounts(stats):
    """Create or update the demo accounts; return {username: user}. Reruns change nothing."""
    User = get_user_model()
    existing = {user.username: user for user in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    users = {}
    for username, first_name, last_name, role, organisation in ACCOUNTS:
        wanted = {
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@{EMAIL_DOMAIN}",
            "role": role,
            "organisation": organisation,
            "is_active": True,
        }
        user = existing.get(username)
        if user is None:
            user = User(username=username, **wanted)
            user.set_password(DEMO_PASSWORD)
            user.save()
            stats.created(User)
        else:
            changed = [name for name, value in wanted.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, wanted[name])
            if not user.check_password(DEMO_PASSWORD):
                # check_password() may already have saved an upgraded hash; this only runs when it did not match.
                user.set_password(DEMO_PASSWORD)
                changed.append("password")
            if changed:
                user.save()
                stats.updated(User)
        users[username] = user
    return users


# Copies made by `seed_demo --scale N` are followed by copies of the referents: a département with N times as
# many actions has about N times as many referents, so one person's /mes-actions/ keeps its size.
COPY_PASSWORD = "!seed-demo-copy"  # starts with "!": an unusable password, these accounts cannot log in


def copy_username(username, copy):
    return username if not copy else f"{username}.{copy}"


def ensure_copy_accounts(scale, stats):
    """Create the referents of the scaled copies (copy 1 .. scale-1); return {username: user}."""
    from pilotage.demo.sync import sync

    User = get_user_model()
    rows = [
        {
            "username": copy_username(username, copy),
            "first_name": first_name,
            "last_name": f"{last_name} ({copy})",
            "email": f"{copy_username(username, copy)}@{EMAIL_DOMAIN}",
            "role": role,
            "organisation": organisation,
            "is_active": True,
            "password": COPY_PASSWORD,
        }
        for copy in range(1, scale)
        for username, first_name, last_name, role, organisation in ACCOUNTS
        if role == Role.REFERENT
    ]
    if not rows:
        return {}
    synced = sync(User, ("username",), rows, User.objects.filter(username__in=[row["username"] for row in rows]), stats)
    return {username: user for (username,), user in synced.items()}
