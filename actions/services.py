"""Operations on actions and their yearly reports: one transaction each, called alike by views, API and commands.

A yearly report can be saved as a draft with anything in it; it is transmitted only when it says something
(`transmission_errors`): at least one of "avancées" and "difficultés" written, and every indicator of the action
given a value for the year or declared unavailable with a reason. Staff can send a transmitted report back to its
referents with a request ("demande de complément", `return_report`): it is a draft again until transmitted anew.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from actions import notifications
from actions.enums import ReportState
from actions.figures import reporting_year  # noqa: F401 - long-standing import path
from actions.models import Action, Indicator, IndicatorValue, ProgressReport, ReportDocument
from actions.sheet import lock_action
from pti.concurrency import ConflictError, changes_since, expected, lock_version
from pti.history import acting_user, save_with

# The report's texts of which at least one must be written before it is transmitted.
NARRATIVE_FIELDS = ("advances", "difficulties")


class IncompleteReport(ValidationError):
    """A transmission refused: {field: message} ("indicator_<id>" for an indicator)."""


class ReportError(Exception):
    """An operation on a report refused, with a message for the user (in French)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def indicator_field(indicator_id):
    return f"indicator_{indicator_id}"


def transmission_errors(year, data, indicators, values, reasons):
    """{field: message} of what keeps a report from being transmitted (empty if nothing does).

    `data` holds the report's fields, `values` and `reasons` the value and the unavailability reason given for each
    indicator id of `indicators` in `year`."""
    errors = {}
    if not any((data.get(name) or "").strip() for name in NARRATIVE_FIELDS):
        message = _("Pour transmettre, dites ce qui a avancé ou ce qui a été difficile (l'un des deux au moins).")
        for name in NARRATIVE_FIELDS:
            errors[name] = message
    for indicator in indicators:
        if values.get(indicator.pk) is None and not (reasons.get(indicator.pk) or "").strip():
            errors[indicator_field(indicator.pk)] = _(
                "Pour transmettre, donnez la valeur %(year)s de cet indicateur, ou dites pourquoi elle n'est pas "
                "disponible."
            ) % {"year": year}
    return errors


def _check_transmittable(action, year, report):
    """Raise IncompleteReport unless the stored `report` and its indicator values can be transmitted."""
    indicators = list(Indicator.objects.filter(action=action))
    stored = {iv.indicator_id: iv for iv in IndicatorValue.objects.filter(indicator__action=action, year=year)}
    errors = transmission_errors(
        year,
        {name: getattr(report, name) for name in NARRATIVE_FIELDS},
        indicators,
        {pk: iv.value for pk, iv in stored.items()},
        {pk: iv.unavailable_reason for pk, iv in stored.items()},
    )
    if errors:
        raise IncompleteReport(errors)


def _apply_submitted(locked_action, report, year):
    """A transmitted report is the referent's official update: it also sets the action's status and progress,
    unless a later year has already been reported."""
    latest_year = locked_action.reports.aggregate(latest=Max("year"))["latest"]
    if year >= (latest_year or year):
        changed = locked_action.status != report.status or locked_action.progress != report.progress
        if changed:
            locked_action.status = report.status
            locked_action.progress = report.progress
            locked_action.version += 1
            locked_action.save(update_fields=["status", "progress", "version"])


@transaction.atomic
def update_action(action, data, user, expected_version, referents=None):
    """Apply `data` (already validated field values) to `action`, unless someone saved it since `expected_version`."""
    with acting_user(user):
        # Every section of the sheet moves the action's version: a conflict lists their changes too.
        locked = lock_action(action, expected_version)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.version += 1
        save_with(locked, **({} if referents is None else {"referents": referents}))
    return locked


def _lock_report(action, year, expected_version):
    """(locked action, locked report or None) after checking the report's version (0: it did not exist; None is
    refused with MissingVersion)."""
    locked_action = Action.objects.select_for_update().get(pk=action.pk)
    report = ProgressReport.objects.select_for_update().filter(action=locked_action, year=year).first()
    expected_version = expected(expected_version)
    if report is None:
        if expected_version != 0:
            raise ConflictError(locked_action, [], None, None)
    elif report.version != expected_version:
        changes, who, when = changes_since(report, expected_version)
        raise ConflictError(report, changes, who, when)
    return locked_action, report


@transaction.atomic
def save_report(
    action, year, user, data, indicator_values, expected_version, submit, documents=(), unavailable_reasons=None
):
    """Create or update the report of `action` for `year`, with its indicator values and documents.

    `expected_version` is the report's version the form was opened on (0 when it did not exist yet).
    `unavailable_reasons` ({indicator id: text}) declares values that cannot be given. With `submit`, the report
    is transmitted, if it can be (IncompleteReport otherwise, and nothing is written)."""
    unavailable_reasons = unavailable_reasons or {}
    with acting_user(user):
        locked_action, report = _lock_report(action, year, expected_version)
        if submit:
            indicators = list(Indicator.objects.filter(action=locked_action))
            merged = {name: getattr(report, name, "") for name in NARRATIVE_FIELDS} | data
            errors = transmission_errors(year, merged, indicators, indicator_values, unavailable_reasons)
            if errors:
                raise IncompleteReport(errors)
        if report is None:
            report = ProgressReport(action=locked_action, year=year, author=user)
        else:
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

        existing = {
            iv.indicator_id: iv for iv in IndicatorValue.objects.filter(indicator__action=locked_action, year=year)
        }
        for indicator_id in set(indicator_values) | set(unavailable_reasons):
            value = indicator_values.get(indicator_id)
            reason = "" if value is not None else (unavailable_reasons.get(indicator_id) or "").strip()
            current = existing.get(indicator_id)
            if current is None:
                if value is not None or reason:
                    IndicatorValue.objects.create(
                        indicator_id=indicator_id, year=year, value=value, unavailable_reason=reason
                    )
            elif current.value != value or current.unavailable_reason != reason:
                current.value = value
                current.unavailable_reason = reason
                current.save(update_fields=["value", "unavailable_reason"])

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
            _apply_submitted(locked_action, report, year)
    return report


@transaction.atomic
def transmit_report(action, year, user, expected_version):
    """Transmit the saved report of `action` for `year` as it is (after the referent saw its summary)."""
    with acting_user(user):
        locked_action, report = _lock_report(action, year, expected_version)
        if report is None:
            raise ReportError(_("Il n'y a pas encore de compte rendu %(year)s à transmettre.") % {"year": year})
        if report.state == ReportState.SUBMITTED:
            raise ReportError(_("Ce compte rendu est déjà transmis."))
        _check_transmittable(locked_action, year, report)
        report.state = ReportState.SUBMITTED
        report.submitted_at = timezone.now()
        report.version += 1
        report.save(update_fields=["state", "submitted_at", "version", "updated_at"])
        _apply_submitted(locked_action, report, year)
    return report


@transaction.atomic
def return_report(report, user, comment, expected_version):
    """Send a transmitted report back to its referents with `comment`: it is a draft again, and they are told by
    e-mail once the change is committed."""
    comment = (comment or "").strip()
    if not comment:
        raise ReportError(_("Dites au référent ce qu'il faut compléter."))
    with acting_user(user):
        locked = lock_version(ProgressReport.objects.all(), report.pk, expected_version)
        if locked.state != ReportState.SUBMITTED:
            raise ReportError(_("Seul un compte rendu transmis peut être renvoyé à son référent."))
        locked.state = ReportState.DRAFT
        locked.return_comment = comment
        locked.returned_at = timezone.now()
        locked.returned_by = user
        locked.version += 1
        locked.save(update_fields=["state", "return_comment", "returned_at", "returned_by", "version", "updated_at"])
        # Told in "Nouveautés", and by e-mail once the change is committed (pti.notifications).
        notifications.report_returned(locked)
    return locked
