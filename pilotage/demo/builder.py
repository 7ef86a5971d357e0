"""Turn the demo specs into rows: partners, pactes, axes, objectives, actions and all around them, COPILs.

Everything is derived from the specs and from a `random.Random` seeded with the pacte and the action
number, so two runs produce the same values; `sync` then writes only what is missing or different.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.dispatch import Signal

from actions.enums import FINISHED_STATUSES, ActionStatus, PartnerRole, ReportState, Weather
from actions.models import (
    Action,
    ActionBudget,
    ActionPartner,
    Indicator,
    IndicatorValue,
    Partner,
    ProgressReport,
    number_sort_key,
)
from axes.closing import reopened
from axes.enums import ProposalFate
from axes.models import Axe, Meeting, Objectif, Pacte, Proposal, WorkingGroup
from pilotage.demo import texts
from pilotage.demo.accounts import copy_username, ensure_accounts, ensure_copy_accounts
from pilotage.demo.assises_2022 import ASSISES, TOPICS, group_proposals, meeting_counts, meeting_dates
from pilotage.demo.partner_accounts import ensure_partner_account
from pilotage.demo.partners import PARTNERS, mention
from pilotage.demo.pti_2017 import PTI_2017
from pilotage.demo.pti_2022 import PTI_2022
from pilotage.demo.sync import Stats, sync, sync_m2m
from pilotage.models import Copil, CopilAttendee, Decision, HighlightedAction
from pti.history import baseline_kept

PACTES = (PTI_2022, PTI_2017)

# An action number is made of parts of at most three digits (actions.models.ACTION_NUMBER_RE).
MAX_NUMBER_PART = 999

# How far a measured value lands from its target, by final status of the action.
ACHIEVEMENT = {
    ActionStatus.DONE: (0.92, 1.15),
    ActionStatus.IN_PROGRESS: (0.65, 0.95),
    ActionStatus.POSTPONED: (0.3, 0.7),
    ActionStatus.ABANDONED: (0.15, 0.5),
}


def max_scale():
    """The largest --scale that keeps every action number valid: a copy's number has three parts once two no
    longer suffice (`plan_actions`), so copies are numbered up to 999."""
    return MAX_NUMBER_PART


# Sent inside seed()'s transaction with `pactes`, `users` ({username: user}) and `stats`: a higher app's hook.
demo_seeded = Signal()


def seed(scale=1):
    """Create or update the whole demo; return (stats, [summary per pacte], {username: user})."""
    if not 1 <= scale <= max_scale():
        raise ValueError(f"L'échelle doit être comprise entre 1 et {max_scale()}.")
    stats = Stats()
    # The demo writes the reports of its closed pacte and years, which no user's path may (axes.closing).
    with transaction.atomic(), reopened():
        users = ensure_accounts(stats)
        copies = ensure_copy_accounts(scale, stats)
        partners = ensure_partners(stats)
        summaries = [seed_pacte(spec, scale, {**users, **copies}, partners, stats) for spec in PACTES]
        ensure_partner_account(users, partners, summaries[0]["pacte"], stats)
        # The apps above (bilans: its reporting campaign) add their part of the demo.
        demo_seeded.send(sender=seed, pactes=[summary["pacte"] for summary in summaries], users=users, stats=stats)
        # The referents, written in bulk, on the history's latest records (the journal shows their next change).
        baseline_kept(Action, "referents")
        baseline_kept(Axe, "thematic_referents")
    return stats, summaries, users


def ensure_partners(stats):
    rows = [{"name": name, "kind": kind, "website": website} for name, kind, website in PARTNERS]
    synced = sync(Partner, ("name",), rows, Partner.objects.filter(name__in=[row["name"] for row in rows]), stats)
    return {name: partner for (name,), partner in synced.items()}


# --- one pacte ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    number: str
    axe_number: int
    objectif_number: int | None
    spec: object
    copy: int


def plan_actions(pacte_spec, scale):
    """Every action to create, originals first: copy k of action "a.n" is numbered "a.<n + k * base>", or
    "a.n.k" once that would pass 999 (at --scale 77 and over: an action number's parts have three digits)."""
    planned = []
    for copy in range(scale):
        for axe_number, axe in enumerate(pacte_spec.axes, 1):
            pairs = axe.numbered_actions()
            for n, (objectif_number, spec) in enumerate(pairs, 1):
                index = n + copy * len(pairs)
                number = f"{axe_number}.{index}" if index <= MAX_NUMBER_PART else f"{axe_number}.{n}.{copy}"
                planned.append(Planned(number, axe_number, objectif_number, spec, copy))
    return planned


def seed_pacte(pacte_spec, scale, users, partners, stats):
    pacte = sync(
        Pacte,
        ("slug",),
        [
            {
                "slug": pacte_spec.slug,
                "title": pacte_spec.title,
                "territory": pacte_spec.territory,
                "first_year": pacte_spec.first_year,
                "last_year": pacte_spec.last_year,
                "signature_date": pacte_spec.signature_date,
                "status": pacte_spec.status,
                "description": pacte_spec.description,
                "published": pacte_spec.published,
                # A fixed date (a month after the signature), so that seeding again changes nothing.
                "published_at": (
                    datetime.datetime.combine(pacte_spec.signature_date, datetime.time(9), tzinfo=datetime.UTC)
                    + datetime.timedelta(days=30)
                    if pacte_spec.published
                    else None
                ),
            }
        ],
        Pacte.objects.filter(slug=pacte_spec.slug),
        stats,
    )[(pacte_spec.slug,)]

    axe_rows = [
        {"pacte_id": pacte.pk, "number": number, "title": axe.title, "description": axe.description}
        for number, axe in enumerate(pacte_spec.axes, 1)
    ]
    axes = sync(Axe, ("pacte_id", "number"), axe_rows, pacte.axes.all(), stats)
    for number, axe_spec in enumerate(pacte_spec.axes, 1):
        axe = axes[(pacte.pk, number)]
        set_m2m(axe.thematic_referents, {users[username].pk for username in axe_spec.thematic_referents}, stats)

    objectif_rows = [
        {"axe_id": axes[(pacte.pk, axe_number)].pk, "number": number, "text": objectif.text}
        for axe_number, axe_spec in enumerate(pacte_spec.axes, 1)
        for number, objectif in enumerate(axe_spec.objectifs, 1)
    ]
    objectifs = sync(Objectif, ("axe_id", "number"), objectif_rows, Objectif.objects.filter(axe__pacte=pacte), stats)

    built = [build_action(pacte_spec, pacte, planned, axes, objectifs) for planned in plan_actions(pacte_spec, scale)]
    actions = sync(Action, ("pacte_id", "number"), [item.action for item in built], pacte.actions.all(), stats)
    action_ids = {number: actions[(pacte.pk, number)].pk for number in (item.action["number"] for item in built)}

    sync_m2m(
        Action.referents.through,
        "action",
        "user",
        [(action_ids[item.number], users[username].pk) for item in built for username in item.referents],
        list(action_ids.values()),
        stats,
    )
    sync(
        ActionPartner,
        ("action_id", "partner_id", "role"),
        [
            {"action_id": action_ids[item.number], "partner_id": partners[name].pk, "role": role, "amount": amount}
            for item in built
            for name, role, amount in item.partners
        ],
        ActionPartner.objects.filter(action__pacte=pacte),
        stats,
    )
    sync(
        ActionBudget,
        ("action_id", "year"),
        [{"action_id": action_ids[item.number], **budget} for item in built for budget in item.budgets],
        ActionBudget.objects.filter(action__pacte=pacte),
        stats,
    )
    indicators = sync(
        Indicator,
        ("action_id", "label"),
        [
            {"action_id": action_ids[item.number], **indicator}
            for item in built
            for indicator, _values in item.indicators
        ],
        Indicator.objects.filter(action__pacte=pacte),
        stats,
    )
    sync(
        IndicatorValue,
        ("indicator_id", "year"),
        [
            {"indicator_id": indicators[(action_ids[item.number], indicator["label"])].pk, **value}
            for item in built
            for indicator, values in item.indicators
            for value in values
        ],
        IndicatorValue.objects.filter(indicator__action__pacte=pacte),
        stats,
    )
    sync(
        ProgressReport,
        ("action_id", "year"),
        [
            {"action_id": action_ids[item.number], "author_id": users[item.referents[0]].pk, **report}
            for item in built
            for report in item.reports
        ],
        ProgressReport.objects.filter(action__pacte=pacte),
        stats,
    )
    seed_copils(pacte_spec, pacte, action_ids, users, partners, stats)
    seed_assises(pacte_spec, pacte, axes, stats)
    return summarise(pacte)


def set_m2m(manager, wanted, stats):
    """`.set()` only when the links differ, counting what it did."""
    current = set(manager.values_list("pk", flat=True))
    if current != wanted:
        manager.set(wanted)
        stats.created(manager.through, len(wanted - current))
        if current - wanted:
            stats.updated(manager.through, len(current - wanted))


# --- one action --------------------------------------------------------------------------------------


@dataclass
class Built:
    number: str
    action: dict
    referents: tuple
    partners: list
    budgets: list
    indicators: list
    reports: list


def build_action(pacte_spec, pacte, planned, axes, objectifs):
    spec = planned.spec
    rng = random.Random(f"{pacte_spec.slug}/{planned.number}")
    axe = axes[(pacte.pk, planned.axe_number)]
    objectif = objectifs[(axe.pk, planned.objectif_number)] if planned.objectif_number else None
    progress = final_progress(spec, rng)
    title = spec.title if not planned.copy else f"{spec.title} (copie {planned.copy})"
    action = {
        "pacte_id": pacte.pk,
        "axe_id": axe.pk,
        "objectif_id": objectif.pk if objectif else None,
        "number": planned.number,
        "sort_key": number_sort_key(planned.number),
        "title": title,
        "description": spec.description,
        "target_public": spec.public,
        "start_date": spec.start_date,
        "end_date": spec.end_date,
        "priority": spec.priority,
        "status": spec.status,
        "progress": progress,
    }
    if not spec.referents:
        raise ValueError(f"L'action « {spec.title} » n'a pas de référent.")
    partners = [(spec.pilot, PartnerRole.PILOT, None)]
    partners += [(name, PartnerRole.CO_PILOT, None) for name in spec.co_pilots]
    partners += [(name, PartnerRole.FUNDER, Decimal(amount)) for name, amount in spec.funders]
    partners += [(name, PartnerRole.OPERATIONAL, None) for name in spec.operational]
    budgets = build_budgets(pacte_spec, spec, rng)
    indicators = build_indicators(pacte_spec, spec, rng)
    reports = build_reports(pacte_spec, spec, progress, budgets, indicators, rng)
    referents = tuple(copy_username(username, planned.copy) for username in spec.referents)
    return Built(planned.number, action, referents, partners, budgets, indicators, reports)


def final_progress(spec, rng):
    if spec.progress is not None:
        return spec.progress
    if spec.status == ActionStatus.DONE:
        return 100
    if spec.status == ActionStatus.TO_LAUNCH:
        return 0
    choices = {
        ActionStatus.IN_PROGRESS: (55, 60, 65, 70, 75, 80),
        ActionStatus.POSTPONED: (10, 20, 25, 30, 35),
        ActionStatus.ABANDONED: (15, 20, 25, 30),
    }
    return rng.choice(choices[spec.status])


def active_years(pacte_spec, spec):
    first = max(spec.start_date.year, pacte_spec.first_year)
    last = min(spec.end_date.year, pacte_spec.last_year)
    return range(first, last + 1)


def round_to(value, step):
    return int(round(value / step) * step)


def build_budgets(pacte_spec, spec, rng):
    if not spec.budget:
        return []
    budgets = []
    for year in active_years(pacte_spec, spec):
        planned = Decimal(spec.budget)
        actual = None
        if year in pacte_spec.spent_years:
            if spec.status == ActionStatus.TO_LAUNCH:
                actual = Decimal(0)
            else:
                ratio = rng.uniform(0.82, 1.02)
                if spec.status == ActionStatus.ABANDONED and year == spec.end_date.year:
                    ratio *= 0.3
                actual = Decimal(round_to(spec.budget * ratio, 100))
        budgets.append({"year": year, "planned": planned, "actual": actual})
    return budgets


def as_decimal(value):
    if value is None:
        return None
    return Decimal(str(round(value))) if value >= 10 else Decimal(str(round(value, 1)))


def build_indicators(pacte_spec, spec, rng):
    """[(indicator row, [value rows])]: a target for each year of the action, values for the measured years."""
    built = []
    years = list(active_years(pacte_spec, spec))
    last_measured = spec.end_date.year if spec.status in FINISHED_STATUSES else pacte_spec.last_year
    low, high = ACHIEVEMENT.get(spec.status, (0, 0))
    for position, indicator in enumerate(spec.indicators):
        values = []
        for year in sorted(set(years) | set(indicator.values)):
            target = None
            if year in years:
                target = max(0, indicator.first_target + indicator.step * (year - years[0]))
                if indicator.unit == "%":
                    target = min(100, target)
            value = indicator.values.get(year)
            measured = year in pacte_spec.measured_years and year <= last_measured
            if value is None and target is not None and measured and high:
                ratio = rng.uniform(low, high)
                value = target * ratio if indicator.higher_is_better else target / max(ratio, 0.5)
                if indicator.unit == "%":
                    value = min(100, value)
            values.append({"year": year, "target": as_decimal(target), "value": as_decimal(value)})
        row = {
            "label": indicator.label,
            "unit": indicator.unit,
            "baseline": as_decimal(indicator.baseline),
            "higher_is_better": indicator.higher_is_better,
            "position": position,
        }
        built.append((row, values))
    return built


# --- yearly reports ----------------------------------------------------------------------------------


def fr_number(value):
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.1f}".replace(".", ",")


def with_unit(value, unit):
    return f"{fr_number(value)}\u00a0{unit}" if unit else fr_number(value)


def indicator_sentence(indicators, year):
    sentences = []
    for indicator, values in indicators:
        for value in values:
            if value["year"] != year or value["target"] is None:
                continue
            target = with_unit(value["target"], indicator["unit"])
            if value["value"] is None:
                sentences.append(f"{indicator['label']} : mesure en cours de consolidation (cible : {target}).")
            else:
                measured = with_unit(value["value"], indicator["unit"])
                sentences.append(f"{indicator['label']} : {measured} en {year} (cible : {target}).")
    return " ".join(sentences)


def report_status(spec, year, final, is_last):
    """(status, progress) of the action as its referent saw it at the end of `year`."""
    span = spec.end_date.year - spec.start_date.year + 1
    fraction = min(1, (year - spec.start_date.year + 1) / span)
    if spec.status == ActionStatus.TO_LAUNCH:
        return ActionStatus.TO_LAUNCH, 0
    if spec.status == ActionStatus.DONE:
        if year >= spec.end_date.year:
            return ActionStatus.DONE, 100
        return ActionStatus.IN_PROGRESS, max(10, round_to(90 * fraction, 5))
    if spec.status == ActionStatus.ABANDONED and year >= spec.end_date.year:
        return ActionStatus.ABANDONED, final
    if spec.status == ActionStatus.POSTPONED and is_last:
        return ActionStatus.POSTPONED, final
    return ActionStatus.IN_PROGRESS, max(5, round_to(final * fraction, 5))


def report_weather(spec, year, status, rng):
    if status == ActionStatus.DONE:
        return Weather.ON_TRACK
    if status in (ActionStatus.ABANDONED, ActionStatus.POSTPONED):
        return Weather.AT_RISK
    if status == ActionStatus.TO_LAUNCH or spec.status in (ActionStatus.POSTPONED, ActionStatus.ABANDONED):
        return Weather.SOME_DIFFICULTIES
    if year >= spec.end_date.year:
        return Weather.AT_RISK
    return Weather.ON_TRACK if rng.random() < 0.75 else Weather.SOME_DIFFICULTIES


def build_reports(pacte_spec, spec, final, budgets, indicators, rng):
    last = spec.end_date.year if spec.status in FINISHED_STATUSES else pacte_spec.report_years[-1]
    years = [year for year in pacte_spec.report_years if spec.start_date.year <= year <= last]
    others = [*spec.co_pilots, *spec.operational, *(name for name, _amount in spec.funders)]
    others = [name for name in others if name != spec.pilot]
    words = {"pilot": mention(spec.pilot), "partner": mention(others[0]) if others else "les partenaires"}
    budget_by_year = {budget["year"]: budget for budget in budgets}
    reports = []
    for year in years:
        status, progress = report_status(spec, year, final, year == years[-1])
        weather = report_weather(spec, year, status, rng)
        if status == ActionStatus.DONE:
            advances, next_steps = rng.choice(texts.ADVANCES_DONE), rng.choice(texts.NEXT_STEPS_DONE)
        elif status == ActionStatus.ABANDONED:
            advances, next_steps = rng.choice(texts.ADVANCES_STOPPED), rng.choice(texts.NEXT_STEPS_STOPPED)
        elif status == ActionStatus.TO_LAUNCH:
            advances, next_steps = rng.choice(texts.ADVANCES_WAITING), rng.choice(texts.NEXT_STEPS_LATE)
        elif status == ActionStatus.POSTPONED:
            advances, next_steps = rng.choice(texts.ADVANCES_POSTPONED), rng.choice(texts.NEXT_STEPS_LATE)
        elif weather == Weather.AT_RISK:
            advances, next_steps = rng.choice(texts.ADVANCES), rng.choice(texts.NEXT_STEPS_LATE)
        elif weather == Weather.ON_TRACK:
            advances = rng.choice(texts.ADVANCES_ON_TRACK + texts.ADVANCES)
            next_steps = rng.choice(texts.NEXT_STEPS)
        else:
            advances, next_steps = rng.choice(texts.ADVANCES), rng.choice(texts.NEXT_STEPS)
        advances = f"{advances} {indicator_sentence(indicators, year)}".strip()
        if status == ActionStatus.TO_LAUNCH:
            difficulties = rng.choice(texts.DIFFICULTIES_WAITING)
        else:
            difficulties = rng.choice(texts.DIFFICULTIES[weather])
        adjustments = rng.choice(texts.ADJUSTMENTS)
        means = rng.choice(texts.MEANS)
        budget = budget_by_year.get(year)
        spent = budget and (budget["actual"] if budget["actual"] is not None else budget["planned"])
        if spent:
            means = f"Budget mobilisé : {fr_number(spent)}\u00a0€. {means}"
        generated = {
            "advances": advances,
            "difficulties": difficulties,
            "next_steps": next_steps,
            "adjustments": adjustments,
            "means": means,
        }
        written = spec.reports.get(year)
        fields = {
            name: (getattr(written, name, "") or generated[name]).format(**words)
            for name in ("advances", "difficulties", "next_steps", "adjustments", "means")
        }
        draft = year == pacte_spec.draft_year and rng.random() < 0.15
        submitted_at = None
        if not draft:
            submitted_at = datetime.datetime(
                year + 1, 1, rng.randint(8, 31), rng.randint(8, 17), rng.choice((0, 15, 30, 45)), tzinfo=datetime.UTC
            )
        reports.append(
            {
                "year": year,
                "state": ReportState.DRAFT if draft else ReportState.SUBMITTED,
                "status": status,
                "progress": progress,
                "weather": weather,
                "submitted_at": submitted_at,
                **fields,
            }
        )
    return reports


# --- COPIL -------------------------------------------------------------------------------------------


def seed_copils(pacte_spec, pacte, action_ids, users, partners, stats):
    rows = [
        {"pacte_id": pacte.pk, "date": c.date, "place": c.place, "agenda": c.agenda, "minutes": c.minutes}
        for c in pacte_spec.copils
    ]
    copils = sync(Copil, ("pacte_id", "date"), rows, pacte.copils.all(), stats)
    for spec in pacte_spec.copils:
        copil = copils[(pacte.pk, spec.date)]
        set_m2m(copil.attendees, {users[username].pk for username in spec.attendees}, stats)
        set_m2m(copil.partners, {partners[name].pk for name in spec.partners}, stats)
    sync(
        HighlightedAction,
        ("copil_id", "action_id"),
        [
            {"copil_id": copils[(pacte.pk, spec.date)].pk, "action_id": action_ids[number], "comment": comment}
            for spec in pacte_spec.copils
            for number, comment in spec.highlights
        ],
        HighlightedAction.objects.filter(copil__pacte=pacte),
        stats,
    )
    sync(
        CopilAttendee,
        ("copil_id", "name"),
        [
            {
                "copil_id": copils[(pacte.pk, spec.date)].pk,
                "name": name,
                "partner_id": partners[partner].pk if partner else None,
                "organisation": organisation,
                "function": function,
                "presence": presence,
            }
            for spec in pacte_spec.copils
            for name, partner, organisation, function, presence in spec.guests
        ],
        CopilAttendee.objects.filter(copil__pacte=pacte),
        stats,
    )
    sync(
        Decision,
        ("copil_id", "text"),
        [
            {
                "copil_id": copils[(pacte.pk, spec.date)].pk,
                "text": decision.text,
                "action_id": action_ids[decision.action] if decision.action else None,
                "owner_id": users[decision.owner].pk,
                "due_date": decision.due,
                "status": decision.status,
                "follow_up": decision.follow_up,
            }
            for spec in pacte_spec.copils
            for decision in spec.decisions
        ],
        Decision.objects.filter(copil__pacte=pacte),
        stats,
    )


def seed_assises(pacte_spec, pacte, axes, stats):
    """The Assises de l'insertion that prepared the pacte (pilotage.demo.assises_2022): a working group per
    thematic, its meetings, its proposals and their fate; the retained ones linked to their objective's actions."""
    if pacte_spec.slug not in ASSISES:
        return
    _spec, groups = ASSISES[pacte_spec.slug]
    group_rows = [
        {"axe_id": axes[(pacte.pk, number)].pk, "title": axe_spec.title, **group.members}
        for number, (axe_spec, group) in enumerate(zip(pacte_spec.axes, groups, strict=True), 1)
    ]
    synced = sync(WorkingGroup, ("axe_id",), group_rows, WorkingGroup.objects.filter(axe__pacte=pacte), stats)
    group_ids = {number: synced[(axes[(pacte.pk, number)].pk,)].pk for number in range(1, len(groups) + 1)}
    sync(
        Meeting,
        ("group_id", "date"),
        [
            {
                "group_id": group_ids[number],
                "date": date,
                "place": group.places[index % len(group.places)],
                "topic": TOPICS[index],
                **meeting_counts(group.members, number, index),
            }
            for number, group in enumerate(groups, 1)
            for index, date in enumerate(meeting_dates(number))
        ],
        Meeting.objects.filter(group__axe__pacte=pacte),
        stats,
    )
    proposals = {
        number: group_proposals(axe_spec, group)
        for number, (axe_spec, group) in enumerate(zip(pacte_spec.axes, groups, strict=True), 1)
    }
    existing = list(Proposal.objects.filter(group__axe__pacte=pacte))

    def rows(merged):
        return [
            {
                "group_id": group_ids[number],
                "number": n,
                "text": spec.text,
                "fate": spec.fate,
                "reason": spec.reason,
                **({"merged_into_id": saved[(group_ids[number], spec.merged_into)].pk} if merged else {}),
            }
            for number, items in proposals.items()
            for n, spec in items
            if (spec.fate == ProposalFate.MERGED) == merged
        ]

    saved = sync(Proposal, ("group_id", "number"), rows(merged=False), existing, stats)
    saved |= sync(Proposal, ("group_id", "number"), rows(merged=True), existing, stats)
    by_objectif = {}
    for pk, axe_number, objectif_number in Action.objects.filter(pacte=pacte).values_list(
        "pk", "axe__number", "objectif__number"
    ):
        by_objectif.setdefault((axe_number, objectif_number), []).append(pk)
    sync_m2m(
        Action.assises_proposals.through,
        "proposal",
        "action",
        [
            (saved[(group_ids[number], n)].pk, action_id)
            for number, items in proposals.items()
            for n, spec in items
            if spec.objectif
            for action_id in by_objectif.get((number, spec.objectif), [])
        ],
        [proposal.pk for proposal in saved.values()],
        stats,
    )


def summarise(pacte):
    actions = Action.objects.filter(pacte=pacte)
    return {
        "pacte": pacte,
        "axes": pacte.axes.count(),
        "objectifs": Objectif.objects.filter(axe__pacte=pacte).count(),
        "actions": actions.count(),
        "late": actions.late().count(),
        "reports": ProgressReport.objects.filter(action__pacte=pacte).count(),
        "copils": pacte.copils.count(),
        "decisions": Decision.objects.filter(copil__pacte=pacte).count(),
    }
