"""The open data of a published pacte: its actions as JSON and CSV, in the stable schema
`static/opendata/pti-actions-1.0.schema.json` (docs/opendata.md says it in French), under the Licence Ouverte 2.0.

Both files are built from `bilans.public.public_data` and cached under the pacte and the fingerprint of its
published data (`bilans.public.data_state`): a request costs two queries when the data did not change (the pacte
and its fingerprint), a fixed handful when it did, whatever the size of the pacte.

The JSON is the reference; the CSV is its flat form, one row per action, indicator and year (an action without
indicator has one row, an indicator without yearly values one row), comma-separated, UTF-8, decimal point, ISO
dates, every cell through `pti.spreadsheet` (text that looks like a formula stays text).
"""

import io
import json

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bilans.public import LICENCE, SCHEMA_VERSION, data_state, public_data, schema_path
from pti import spreadsheet

CACHE_SECONDS = 3600

CSV_COLUMNS = [
    "pacte",
    "axe_numero",
    "axe_intitule",
    "objectif_code",
    "objectif_intitule",
    "action_numero",
    "action_intitule",
    "statut",
    "statut_libelle",
    "avancement",
    "date_debut",
    "date_fin",
    "referents",
    "indicateur",
    "unite",
    "valeur_reference",
    "plus_haut_mieux",
    "annee",
    "cible",
    "valeur",
    "date_des_donnees",
    "licence",
]


def _absolute(path):
    """Addresses in the files name the site as configured (SITE_URL), whatever host the request came by: the
    cached file is the same for everyone."""
    return f"{settings.SITE_URL}{path}"


def document(pacte, data_date):
    """The JSON document of `pacte` (a dict, valid against the schema)."""
    data = public_data(pacte)
    return {
        "$schema": _absolute(schema_path()),
        "schema_version": SCHEMA_VERSION,
        "licence": LICENCE,
        "producer": f"{settings.DEPARTEMENT['name']} – {settings.DEPARTEMENT['service']}",
        "data_date": timezone.localtime(data_date).isoformat(timespec="seconds"),
        "pacte": {
            "slug": pacte.slug,
            "title": pacte.title,
            "territory": pacte.territory,
            "first_year": pacte.first_year,
            "last_year": pacte.last_year,
            "status": pacte.status,
            "url": _absolute(reverse("public:pacte", args=[pacte.slug])),
        },
        "referent_names": pacte.show_referent_names,
        "actions": data.actions,
    }


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def csv_rows(doc):
    """The rows (header first) of the CSV form of the JSON document `doc`."""
    yield CSV_COLUMNS
    common = {
        "pacte": doc["pacte"]["slug"],
        "date_des_donnees": doc["data_date"],
        "licence": doc["licence"]["name"],
    }
    for action in doc["actions"]:
        base = {
            **common,
            "axe_numero": action["axe"]["number"],
            "axe_intitule": action["axe"]["title"],
            "objectif_code": (action["objectif"] or {}).get("code"),
            "objectif_intitule": (action["objectif"] or {}).get("text"),
            "action_numero": action["number"],
            "action_intitule": action["title"],
            "statut": action["status"],
            "statut_libelle": action["status_label"],
            "avancement": action["progress"],
            "date_debut": action["start_date"],
            "date_fin": action["end_date"],
            "referents": " ; ".join(action.get("referents", [])),
        }
        lines = []
        for indicator in action["indicators"]:
            about = {
                "indicateur": indicator["label"],
                "unite": indicator["unit"],
                "valeur_reference": indicator["baseline"],
                "plus_haut_mieux": indicator["higher_is_better"],
            }
            years = indicator["years"] or [{}]
            lines += [
                {**about, "annee": y.get("year"), "cible": y.get("target"), "valeur": y.get("value")} for y in years
            ]
        for line in lines or [{}]:
            row = {**base, **line}
            yield [_text(row.get(column)) for column in CSV_COLUMNS]


def to_csv(doc):
    buffer = io.StringIO()
    writer = spreadsheet.csv_writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerows(csv_rows(doc))
    return buffer.getvalue().encode("utf-8")


def to_json(doc):
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


FORMATS = {"json": to_json, "csv": to_csv}


def cache_key(pacte, fingerprint, kind):
    return f"pti:opendata:{pacte.pk}:{fingerprint}:{kind}"


def download(pacte, kind):
    """(bytes, data date, fingerprint) of the `kind` ("json" or "csv") file of `pacte`, from the cache when its
    published data did not change."""
    fingerprint, data_date = data_state(pacte)
    key = cache_key(pacte, fingerprint, kind)
    body = cache.get(key)
    if body is None:
        body = FORMATS[kind](document(pacte, data_date))
        cache.set(key, body, CACHE_SECONDS)
    return body, data_date, fingerprint
