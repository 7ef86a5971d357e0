"""The Assises seen from the actions: the proposals an action carries, and the pages' reads and writes that
need the actions (a retained proposal is linked to the actions that carry it: `Action.assises_proposals`).
The rest of the Assises (groups, meetings, fates, the summary) lives in axes.assises."""

from django.db import transaction
from django.db.models import Prefetch

from actions.models import Action
from axes import assises
from axes.enums import ProposalFate
from axes.models import Meeting, Proposal, WorkingGroup


def pacte_groups(pacte):
    """The working groups of `pacte` with their meetings and proposals (each with what it was merged into and the
    actions that carry it): five queries whatever their number."""
    proposals = Proposal.objects.select_related("merged_into__group__axe").prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("sort_key")),
        Prefetch("merged_proposals", queryset=Proposal.objects.select_related("group__axe").order_by("number")),
    )
    return list(
        WorkingGroup.objects.filter(axe__pacte=pacte)
        .select_related("axe")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("date", "pk")),
            Prefetch("proposals", queryset=proposals.order_by("number")),
        )
        .order_by("axe__number")
    )


@transaction.atomic
def save_proposal(group, data, actions, user, proposal=None, expected_version=None):
    """Create (no `proposal`) or update a proposal of `group`, and link it to `actions` (a retained proposal is
    carried by actions, the others by none), in one transaction."""
    if proposal is None:
        saved = assises.create_proposal(group, data, user)
    else:
        saved = assises.update_proposal(proposal, data, user, expected_version)
    saved.actions.set(actions if saved.fate == ProposalFate.RETAINED else [])
    return saved
