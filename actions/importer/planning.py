"""The plan: a valid workbook compared with the database by natural keys (pacte slug, axe number, objective
number, action number, partner name, referent e-mail, indicator label within its action, year), saying what
would be created, updated, deleted or left unchanged.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils import timezone

from actions.enums import ActionStatus, PartnerKind, PartnerRole, Priority
from actions.importer.layout import target_header
from actions.importer.reading import Parsed
from actions.importer.versions import row_version
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Milestone, Partner
from axes.enums import PacteStatus
from axes.models import Axe, Objectif, Pacte

CREATED, UPDATED, UNCHANGED, DELETED = "created", "updated", "unchanged", "deleted"
KIND_LABELS = {
    "pacte": "Pacte",
    "axe": "Axes",
    "objectif": "Objectifs",
    "action": "Actions",
    "partner": "Partenaires (nouveaux)",
    "action_partner": "Rôles des partenaires",
    "indicator": "Indicateurs",
    "target": "Cibles annuelles",
    "milestone": "Étapes",
}
STATUS_LABELS = {CREATED: "créés", UPDATED: "modifiés", UNCHANGED: "inchangés", DELETED: "supprimés"}


@dataclass
class Change:
    kind: str
    label: str
    status: str
    fields: dict = field(default_factory=dict)  # the values to write
    changed: list = field(default_factory=list)  # verbose names of the fields that differ
    instance: object = None
    key: tuple = ()

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass
class Plan:
    parsed: Parsed
    changes: list = field(default_factory=list)
    planned_at: object = field(default_factory=timezone.now)
    rows: dict = field(default_factory=dict)  # see `versions`
    pacte: object = None  # the pacte written, once applied
    refusals: list = field(default_factory=list)  # changes the closed years refuse (axes.closing), in French

    @property
    def versions(self):
        """The versions of the rows this plan read, as JSON (`actions.importer.versions`): carried from the
        preview to the confirmation, which refuses to write if they moved."""
        return {"at": self.planned_at.isoformat(), "rows": self.rows}

    def add(self, change):
        self.changes.append(change)
        if change.kind != "partner":
            key, entry = row_version(change.kind, change.label, change.key, change.instance)
            self.rows[key] = entry
        return change

    def summary(self):
        """[(kind label, {status: count})] in the order of the workbook."""
        counts = defaultdict(lambda: defaultdict(int))
        for change in self.changes:
            counts[change.kind][change.status] += 1
        return [
            (
                KIND_LABELS[kind],
                [
                    (STATUS_LABELS[s], counts[kind][s])
                    for s in (CREATED, UPDATED, DELETED, UNCHANGED)
                    if counts[kind][s]
                ],
            )
            for kind in KIND_LABELS
            if kind in counts
        ]

    @property
    def touched(self):
        return [change for change in self.changes if change.status != UNCHANGED]

    @property
    def is_noop(self):
        return not self.touched


def _diff(model, instance, values):
    if instance is None:
        return CREATED, []
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            changed.append(str(model._meta.get_field(name.removesuffix("_id")).verbose_name))
    return (UPDATED if changed else UNCHANGED), changed


def _change(plan, kind, label, model, instance, values, key=(), extra_changed=()):
    status, changed = _diff(model, instance, values)
    if extra_changed and status == UNCHANGED:
        status = UPDATED
    changed += list(extra_changed)
    return plan.add(Change(kind, label, status, values, changed, instance, key))


def plan_import(parsed):
    """Compare a valid workbook with the database: one `Change` per row of every sheet."""
    assert parsed.is_valid
    plan = Plan(parsed)
    users = parsed.users
    p = parsed.pacte
    pacte = Pacte.objects.filter(slug=p["Identifiant"]).first()
    pacte_values = {
        "title": p["Intitulé"],
        "territory": p["Territoire"],
        "first_year": p["Première année"],
        "last_year": p["Dernière année"],
        "signature_date": p["Date de signature"],
        "status": p["Statut"] or (pacte.status if pacte else PacteStatus.DRAFT),
        "description": p["Présentation"] or "",
    }
    _change(plan, "pacte", p["Identifiant"], Pacte, pacte, pacte_values, key=(p["Identifiant"],))

    existing_axes = (
        {axe.number: axe for axe in Axe.objects.filter(pacte=pacte).prefetch_related("thematic_referents")}
        if pacte
        else {}
    )
    for row in parsed.axes:
        axe = existing_axes.get(row["Numéro"])
        emails = row["Référents thématiques"] or []
        referents = [users[email] for email in emails]
        extra = []
        if axe is not None and {u.pk for u in axe.thematic_referents.all()} != {u.pk for u in referents}:
            extra = [str(Axe._meta.get_field("thematic_referents").verbose_name)]
        change = _change(
            plan,
            "axe",
            f"{row['Numéro']}. {row['Intitulé']}",
            Axe,
            axe,
            {"title": row["Intitulé"], "description": row["Description"] or ""},
            key=(row["Numéro"],),
            extra_changed=extra,
        )
        change.fields["_referents"] = referents

    existing_objectifs = (
        {(o.axe.number, o.number): o for o in Objectif.objects.filter(axe__pacte=pacte).select_related("axe")}
        if pacte
        else {}
    )
    for row in parsed.objectifs:
        key = (row["Axe"], row["Numéro"])
        _change(
            plan,
            "objectif",
            f"{row['Axe']}.{row['Numéro']} {row['Intitulé']}",
            Objectif,
            existing_objectifs.get(key),
            {"text": row["Intitulé"]},
            key=key,
        )

    existing_actions = (
        {
            a.number: a
            for a in Action.objects.filter(pacte=pacte)
            .select_related("axe", "objectif__axe")
            .prefetch_related("referents")
        }
        if pacte
        else {}
    )
    for row in parsed.actions:
        action = existing_actions.get(row["Numéro"])
        referents = [users[email] for email in row["Référents"] or []]
        values = {
            "title": row["Intitulé"],
            "description": row["Description"] or "",
            "target_public": row["Public visé"] or "",
            "start_date": row["Date de début"],
            "end_date": row["Date de fin"],
            "priority": row["Priorité"] or (action.priority if action else Priority.NORMAL),
            "status": row["Statut"] or (action.status if action else ActionStatus.TO_LAUNCH),
            "progress": row["Avancement (%)"]
            if row["Avancement (%)"] is not None
            else (action.progress if action else 0),
        }
        extra = []
        if action is not None:
            if action.axe.number != row["Axe"]:
                extra.append(str(Action._meta.get_field("axe").verbose_name))
            current_objectif = (action.objectif.axe.number, action.objectif.number) if action.objectif_id else None
            wanted_objectif = (row["Axe"], row["Objectif"]) if row["Objectif"] is not None else None
            if current_objectif != wanted_objectif:
                extra.append(str(Action._meta.get_field("objectif").verbose_name))
            if {u.pk for u in action.referents.all()} != {u.pk for u in referents}:
                extra.append(str(Action._meta.get_field("referents").verbose_name))
        change = _change(
            plan,
            "action",
            f"{row['Numéro']} {row['Intitulé']}",
            Action,
            action,
            values,
            key=(row["Numéro"],),
            extra_changed=extra,
        )
        change.fields.update({"_axe": row["Axe"], "_objectif": row["Objectif"], "_referents": referents})

    # Names differing only by case are the same partner (compared here: SQLite lowercases ASCII only).
    partners = {partner.name.lower(): partner for partner in Partner.objects.all()} if parsed.partners else {}
    new_partners = {}
    for row in parsed.partners:
        lowered = row["Partenaire"].lower()
        if lowered not in partners and lowered not in new_partners:
            new_partners[lowered] = _change(
                plan,
                "partner",
                row["Partenaire"],
                Partner,
                None,
                {"name": row["Partenaire"], "kind": row["Type"] or PartnerKind.OTHER},
                key=(lowered,),
            )

    existing_roles = {}
    if pacte:
        for role in ActionPartner.objects.filter(action__pacte=pacte).select_related("action", "partner"):
            existing_roles[(role.action.number, role.partner.name.lower(), role.role)] = role
    in_file = set()
    for row in parsed.partners:
        key = (row["Action"], row["Partenaire"].lower(), row["Rôle"])
        in_file.add(key)
        label = f"{row['Action']} – {row['Partenaire']} ({PartnerRole(row['Rôle']).label})"
        _change(
            plan,
            "action_partner",
            label,
            ActionPartner,
            existing_roles.get(key),
            {"amount": row["Montant (€)"]},
            key=key,
        )
    file_actions = {row["Numéro"] for row in parsed.actions}
    for key, role in existing_roles.items():
        if key not in in_file and key[0] in file_actions:
            plan.add(
                Change(
                    "action_partner",
                    f"{key[0]} – {role.partner.name} ({role.get_role_display()})",
                    DELETED,
                    instance=role,
                    key=key,
                )
            )

    existing_indicators = {}
    if pacte:
        for indicator in (
            Indicator.objects.filter(action__pacte=pacte).select_related("action").prefetch_related("values")
        ):
            existing_indicators.setdefault((indicator.action.number, indicator.label), indicator)
    for index, row in enumerate(parsed.indicators):
        key = (row["Action"], row["Indicateur"])
        indicator = existing_indicators.get(key)
        values = {
            "unit": row["Unité"] or "",
            "baseline": row["Valeur de référence"],
            "higher_is_better": True
            if row["Plus c'est haut, mieux c'est"] is None
            else row["Plus c'est haut, mieux c'est"],
            "position": row["Ordre"] if row["Ordre"] is not None else index,
        }
        _change(plan, "indicator", f"{row['Action']} – {row['Indicateur']}", Indicator, indicator, values, key=key)
        current = {iv.year: iv for iv in indicator.values.all()} if indicator else {}
        for year in parsed.target_years:
            target = row[target_header(year)]
            iv = current.get(year)
            if iv is None and target is None:
                continue
            _change(
                plan,
                "target",
                f"{row['Action']} – {row['Indicateur']} – {year}",
                IndicatorValue,
                iv,
                {"target": target},
                key=(*key, year),
            )
    if parsed.has_milestones:
        _plan_milestones(plan, parsed, pacte)
    if pacte is not None:
        # The data of a closed year never changes (axes.closing): say so in the preview, before any write.
        prefetch_related_objects([pacte], "closed_years")
        for change in plan.touched:
            if change.kind == "target":
                closure = pacte.closure(change.key[2])
                if closure is not None:
                    plan.refusals.append(f"{change.label} : {closure.message}")
            elif change.kind == "milestone":
                dates = [change.fields.get("planned_date"), change.fields.get("done_date")]
                if change.instance is not None:
                    dates += [change.instance.planned_date, change.instance.done_date]
                closures = [pacte.closure(date.year) for date in dates if date is not None]
                closure = next((closure for closure in closures if closure is not None), None)
                if closure is not None:
                    plan.refusals.append(f"{change.label} : {closure.message}")
    return plan


def _plan_milestones(plan, parsed, pacte):
    """The milestones of the "Étapes" sheet, by action number and title; those of the file's actions that the
    sheet no longer lists are deleted (a workbook without the sheet leaves them all as they are)."""
    existing = {}
    if pacte:
        for milestone in (
            Milestone.objects.filter(action__pacte=pacte).select_related("action").order_by("position", "pk")
        ):
            # Two milestones of an action with the same title (typed on the pages): the first is the sheet's.
            existing.setdefault((milestone.action.number, milestone.title), milestone)
    in_file = set()
    for row in parsed.milestones:
        key = (row["Action"], row["Étape"])
        in_file.add(key)
        values = {
            "planned_date": row["Date prévue"],
            "done_date": row["Date de réalisation"],
            "note": row["Remarque"] or "",
        }
        _change(plan, "milestone", f"{row['Action']} – {row['Étape']}", Milestone, existing.get(key), values, key=key)
    file_actions = {row["Numéro"] for row in parsed.actions}
    for key, milestone in existing.items():
        if key not in in_file and key[0] in file_actions:
            plan.add(Change("milestone", f"{key[0]} – {key[1]}", DELETED, instance=milestone, key=key))
