from django.shortcuts import get_object_or_404, render
from django.utils.timezone import localdate
from django.views.decorators.http import require_GET

from actions import timeline
from actions.enums import ActionStatus
from axes.models import Pacte


@require_GET
def pacte_timeline(request, slug):
    """The pacte's calendar: its actions by axe as bars on its years, with their milestones (any signed-in
    user reads the whole pacte)."""
    pacte = get_object_or_404(Pacte, slug=slug)
    return render(
        request,
        "actions/pacte_timeline.html",
        {"pacte": pacte, "statuses": ActionStatus.choices, **timeline.timeline(pacte, localdate())},
    )
