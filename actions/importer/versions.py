"""What the preview saw, and what changed since: the import keeps its promise.

The preview shows a plan computed against the database as it was then. The confirmation writes a plan computed
again, under lock, against the database as it is now. Both must be the same plan, so each carries the versions
of the rows it read (`Plan.versions`): for every existing row the plan compares (the pacte, its axes,
objectives, actions, partners' roles, indicators, yearly values), the fields it compares as shown to a person,
the `version` of the models that have one, and `None` for a row it expects to create. If anyone edited, added
or removed one of them in between, `conflicts_between` lists it, in French, and nothing is written.

New partners are left out: a partner created in between is simply used, nothing of anyone's is overwritten.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pti.concurrency import display_value
from pti.formats import long_date

# The fields of each kind of row that the plan reads (and may write), in the order shown.
STATE_FIELDS = {
    "pacte": ["title", "territory", "first_year", "last_year", "signature_date", "status", "description"],
    "axe": ["title", "description", "thematic_referents"],
    "objectif": ["text"],
    "action": [
        "title",
        "axe",
        "objectif",
        "description",
        "target_public",
        "start_date",
        "end_date",
        "priority",
        "status",
        "progress",
        "referents",
        "version",
    ],
    "action_partner": ["amount"],
    "indicator": ["unit", "baseline", "higher_is_better", "position"],
    "target": ["target", "value"],
    "milestone": ["title", "planned_date", "done_date", "note", "version"],
}


def _shown(instance, name):
    """The value of field `name` of `instance` as a person reads it (and as it is compared)."""
    model_field = instance._meta.get_field(name)
    if model_field.many_to_many:
        users = sorted(
            f"{user} <{user.email.lower()}>" if user.email else str(user) for user in getattr(instance, name).all()
        )
        return ", ".join(users) or "—"
    value = getattr(instance, name)
    if model_field.is_relation:
        if value is None:
            return "—"
        return str(getattr(value, "code", None) or value.number)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return display_value(model_field, value)


def row_version(kind, label, key, instance):
    """(key, entry) of `Plan.versions` for a row the plan read: `instance`, or None where none exists yet."""
    entry = {"kind": kind, "label": label, "model": None, "pk": None, "state": None}
    if instance is not None:
        entry["model"] = instance._meta.label_lower
        entry["pk"] = instance.pk
        entry["state"] = {name: _shown(instance, name) for name in STATE_FIELDS[kind]}
    return json.dumps([kind, *key], ensure_ascii=False, default=str), entry


@dataclass
class Conflict:
    """A row changed between the preview and the confirmation, with what changed, who changed it and when."""

    kind_label: str
    label: str
    what: str  # « modifié », « ajouté entre-temps », « supprimé entre-temps »
    fields: list = field(default_factory=list)  # [(field, at the preview, now)]
    who: object = None
    when: datetime.datetime | None = None

    @property
    def by(self):
        """« par Jeanne Martin le 2 décembre 2025 à 10:04 », or what is known of it."""
        parts = []
        if self.who:
            parts.append(_("par %(who)s") % {"who": self.who})
        if self.when:
            parts.append(
                _("le %(date)s à %(time)s")
                % {
                    "date": long_date(timezone.localtime(self.when)),
                    "time": date_format(timezone.localtime(self.when), "H:i"),
                }
            )
        return " ".join(parts)

    def __str__(self):
        text = f"{self.kind_label} – {self.label} : {self.what}"
        if self.by:
            text += f" {self.by}"
        if self.fields:
            text += (
                " (" + " ; ".join(f"{name} : « {before} » → « {after} »" for name, before, after in self.fields) + ")"
            )
        return text + "."


class ImportConflict(Exception):
    """The confirmation found rows changed since the preview: nothing was written. `plan` is the plan as it
    would be now (to show it again), or None."""

    def __init__(self, conflicts, plan=None):
        self.conflicts = conflicts
        self.plan = plan
        super().__init__(
            _("%(count)s élément(s) modifié(s) depuis l'aperçu : rien n'a été importé.") % {"count": len(conflicts)}
        )


def _latest_record(entry, since):
    """The newest history record of the row of `entry` made after `since`, or None."""
    if not entry.get("model") or entry.get("pk") is None:
        return None
    model = apps.get_model(entry["model"])
    history = getattr(model, "history", None)
    if history is None:
        return None
    records = history.filter(id=entry["pk"]).select_related("history_user").order_by("-history_date", "-history_id")
    if since is not None:
        records = records.filter(history_date__gt=since)
    return records.first()


def conflicts_between(seen, now, kind_labels):
    """[Conflict] for every row whose version differs between `seen` (a preview's `Plan.versions`, as stored)
    and `now` (the plan computed again); empty when the confirmation may write."""
    since = parse_datetime(seen.get("at") or "")
    before_rows, now_rows = seen.get("rows", {}), now.get("rows", {})
    conflicts = []
    for key in [*now_rows, *(key for key in before_rows if key not in now_rows)]:
        before, after = before_rows.get(key), now_rows.get(key)
        before_state = before["state"] if before else None
        after_state = after["state"] if after else None
        if before_state == after_state:
            continue
        entry = after or before
        if after_state is None:
            what, fields = _("supprimé entre-temps"), []
            record = _latest_record(before, since)
        elif before_state is None:
            what, fields = _("ajouté entre-temps"), []
            record = _latest_record(after, since)
        else:
            what = _("modifié")
            model = apps.get_model(after["model"])
            fields = [
                (str(model._meta.get_field(name).verbose_name), before_state.get(name, "—"), value)
                for name, value in after_state.items()
                if name != "version" and before_state.get(name) != value
            ]
            record = _latest_record(after, since)
        conflicts.append(
            Conflict(
                kind_labels[entry["kind"]],
                entry["label"],
                what,
                fields,
                record.history_user if record else None,
                record.history_date if record else None,
            )
        )
    return conflicts
