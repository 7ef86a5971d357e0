"""Operations on actions and their yearly reports: one transaction each, called alike by views, API and commands."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from actions.enums import ReportState
from actions.figures import reporting_year  # noqa: F401 - long-standing import path
from actions.models import Action, IndicatorValue, ProgressReport, ReportDocument
from pti.concurrency import ConflictError, changes_since, lock_version


@transaction.atomic
def update_action(action, data, user, expected_version, referents=None):
    """Apply `data` (already validated field values) to `action`, unless someone saved it since `expected_version`."""
    locked = lock_version(Action.objects.all(), action.pk, expected_version)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    if referents is not None:
        locked.referents.set(referents)
    return locked


@transaction.atomic
def save_report(action, year, user, data, indicator_values, expected_version, submit, documents=()):
    """Create or update the report of `action` for `year`, with its indicator values and documents.

    `expected_version` is the report's version the form was opened on (0 when it did not exist yet). A
    submitted report is the referent's official update: it also sets the action's status and progress,
    unless a later year has already been reported.
    """
    locked_action = Action.objects.select_for_update().get(pk=action.pk)
    report = ProgressReport.objects.select_for_update().filter(action=locked_action, year=year).first()
    expected_version = int(expected_version or 0)
    if report is None:
        if expected_version != 0:
            raise ConflictError(locked_action, [], None, None)
        report = ProgressReport(action=locked_action, year=year, author=user)
    else:
        if report.version != expected_version:
            changes, who, when = changes_since(report, expected_version)
            raise ConflictError(report, changes, who, when)
        report.version += 1
    for name, value in data.items():
        setattr(report, name, value)
    if submit:
        if report.state != ReportState.SUBMITTED:
            report.submitted_at = timezone.now()
        report.state = ReportState.SUBMITTED
    if report.author_id is None:
        report.author = user
    report.save()

    existing = {iv.indicator_id: iv for iv in IndicatorValue.objects.filter(indicator__action=locked_action, year=year)}
    for indicator_id, value in indicator_values.items():
        current = existing.get(indicator_id)
        if current is None:
            if value is not None:
                IndicatorValue.objects.create(indicator_id=indicator_id, year=year, value=value)
        elif current.value != value:
            current.value = value
            current.save(update_fields=["value"])

    for upload in documents:
        ReportDocument.objects.create(
            report=report,
            file=upload["file"],
            title=upload["title"],
            content_type=upload["content_type"],
            size=upload["size"],
            uploaded_by=user,
        )

    if submit:
        latest_year = locked_action.reports.aggregate(latest=Max("year"))["latest"]
        if year >= (latest_year or year):
            changed = locked_action.status != report.status or locked_action.progress != report.progress
            if changed:
                locked_action.status = report.status
                locked_action.progress = report.progress
                locked_action.version += 1
                locked_action.save(update_fields=["status", "progress", "version"])
    return report
