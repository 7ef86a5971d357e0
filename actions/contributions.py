"""Partner accounts and their organisations' yearly contributions: one transaction per write, called alike by the
pages (actions/views_contributions.py, actions/views_partners.py) and the API (actions/api_contributions.py).

A contribution is written by a partner account for its own organisation (`pti.access.contribution_refusal`: the
organisation takes part in the action, the year is the pacte's and open). The write carries the version it started
from (0 for a first one): a stale one is a `ConflictError` with the colleague's changes (pti.concurrency), two
first writes at once end the same way. A closed year's contribution no longer changes (axes.closing, also in the
model's save)."""

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from actions.models import Action, Contribution, Partner, PartnerMember
from actions.models_contributions import CONTRIBUTION_FIELDS
from pti import access
from pti.concurrency import ConflictError, changes_since, expected, lock_version
from pti.enums import Role
from pti.history import acting_user


class ContributionRefused(Exception):
    """A write the access rule refuses (French message): not the organisation's action, a closed year…"""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AccountError(Exception):
    """A partner account that cannot be created or attached (French message), and the form field it is about."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def contribution_for(user, action, year):
    """The contribution of `user`'s organisation to `action` in `year`, or None."""
    partner_id = access.partner_id_of(user)
    if partner_id is None:
        return None
    return Contribution.objects.filter(action=action, partner_id=partner_id, year=year).first()


def year_contributions(action, year):
    """The contributions to `action` in `year` that say something, by partner name, for its referents (one query)."""
    rows = Contribution.objects.filter(action=action, year=year).select_related("partner", "author")
    return [row for row in rows.order_by("partner__name") if not row.is_empty]


@transaction.atomic
def save_contribution(action, year, user, data, expected_version):
    """Write `data` (achievements, figures, difficulties) as `user`'s organisation's contribution to `action` for
    `year`, started from `expected_version` (0 when there was none). Returns the saved row."""
    version = expected(expected_version)
    action = Action.objects.select_related("pacte").prefetch_related("pacte__closed_years").get(pk=action.pk)
    refusal = access.contribution_refusal(user, action, year)
    if refusal:
        raise ContributionRefused(refusal)
    partner_id = access.partner_id_of(user)
    rows = Contribution.objects.filter(action=action, partner_id=partner_id, year=year)
    with acting_user(user):
        existing = rows.values_list("pk", flat=True).first()
        if existing is None:
            if version != 0:
                # Read once, then deleted (by an administrator): start again from nothing.
                raise ConflictError(Contribution(action=action, partner_id=partner_id, year=year, version=0), [])
            try:
                with transaction.atomic():
                    row = Contribution(action=action, partner_id=partner_id, year=year, author=user, **data)
                    row.save()
            except IntegrityError:
                # A colleague wrote the first version at the same moment: his is kept, ours is refused as stale.
                row = rows.get()
                changes, who, when = changes_since(row, 0)
                raise ConflictError(row, changes, who, when) from None
            return row
        row = lock_version(rows, existing, version)
        changed = [name for name in CONTRIBUTION_FIELDS if getattr(row, name) != data[name]]
        if changed:
            for name in changed:
                setattr(row, name, data[name])
            row.author = user
            row.version += 1
            row.save(update_fields=[*changed, "author", "version", "updated_at"])
    return row


# --- partner accounts -------------------------------------------------------------------------------------------


def members(partner):
    return list(PartnerMember.objects.filter(partner=partner).select_related("user").order_by("user__last_name"))


def _attachable_refusal(user, partner):
    if user.is_superuser or user.role in (Role.STAFF, Role.ADMIN, Role.COPIL):
        return _("%(user)s est un compte du Département ou du COPIL : il ne peut pas devenir un compte partenaire.") % {
            "user": user
        }
    if user.role == Role.REFERENT and (user.referent_actions.exists() or user.thematic_axes.exists()):
        return _(
            "%(user)s est référent d'actions ou d'un axe : retirez-le d'abord de ses actions pour en faire un "
            "compte partenaire."
        ) % {"user": user}
    membership = PartnerMember.objects.filter(user=user).select_related("partner").first()
    if membership is not None and membership.partner_id != partner.pk:
        return _("%(user)s est déjà rattaché à « %(partner)s » : retirez-le d'abord de ce partenaire.") % {
            "user": user,
            "partner": membership.partner,
        }
    if membership is not None:
        return _("%(user)s est déjà rattaché à ce partenaire.") % {"user": user}
    return None


@transaction.atomic
def create_account(partner, data, by):
    """A new partner account for `partner` (username, first_name, last_name, email). Its password is random: the
    person chooses his own through the reset e-mail the page sends."""
    User = get_user_model()
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if User.objects.filter(username__iexact=data["username"]).exists():
        raise AccountError(_("Cet identifiant est déjà pris."), "username")
    if User.objects.filter(email__iexact=data["email"]).exists():
        raise AccountError(_("Un compte a déjà cette adresse e-mail : rattachez-le plutôt."), "email")
    with acting_user(by):
        user = User(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=Role.PARTNER,
            organisation=partner.name,
        )
        user.set_password(secrets.token_urlsafe(32))
        user.save()
        PartnerMember.objects.create(user=user, partner=partner)
    return user


@transaction.atomic
def attach_account(partner, username, by):
    """Attach the existing account `username` to `partner`: it becomes (again) an active partner account."""
    User = get_user_model()
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if user is None:
        raise AccountError(_("Aucun compte ne porte cet identifiant."), "username")
    refusal = _attachable_refusal(user, partner)
    if refusal:
        raise AccountError(refusal, "username")
    with acting_user(by):
        user.role = Role.PARTNER
        user.organisation = partner.name
        user.is_active = True
        user.save(update_fields=["role", "organisation", "is_active"])
        PartnerMember.objects.create(user=user, partner=partner)
    return user


@transaction.atomic
def detach_account(membership, by):
    """The person no longer speaks for the organisation: the link goes and the account is deactivated (his
    contributions stay, signed)."""
    user = membership.user
    with acting_user(by):
        membership.delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user
