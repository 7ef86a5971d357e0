"""Typed cells: each column kind of the layout turned into a Python value, or a French `CellError`."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_slug
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from actions.importer.issues import ImportIssue
from actions.importer.layout import SHEETS
from actions.models import ACTION_NUMBER_RE

EMAIL_SPLIT = re.compile(r"[,;\s]+")


class CellError(ValueError):
    pass


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _int(value):
    if isinstance(value, bool):
        raise CellError(_("un nombre entier est attendu."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise CellError(_("un nombre entier est attendu, pas « %(value)s ».") % {"value": value})


def _decimal(value):
    if isinstance(value, bool):
        raise CellError(_("un nombre est attendu."))
    try:
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
            number = Decimal(value.removesuffix("€"))
        else:
            number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise CellError(_("un nombre est attendu, pas « %(value)s ».") % {"value": value}) from error
    if not number.is_finite():
        raise CellError(_("un nombre est attendu."))
    if number < 0:
        raise CellError(_("le nombre doit être positif ou nul."))
    number = number.quantize(Decimal("0.01"))
    if number >= Decimal("1e12"):
        raise CellError(_("le nombre est trop grand."))
    return number


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise CellError(_("une date est attendue (JJ/MM/AAAA), pas « %(value)s ».") % {"value": value})


def _bool(value):
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in {"oui", "o", "vrai", "1", "true", "x"}:
        return True
    if text in {"non", "n", "faux", "0", "false"}:
        return False
    raise CellError(_("« Oui » ou « Non » est attendu, pas « %(value)s ».") % {"value": value})


def _choice(choices, value):
    text = _text(value).strip().lower()
    for code, label in choices.choices:
        if text in {code.lower(), str(label).lower()}:
            return code
    labels = ", ".join(capfirst(str(label)) for label in choices.labels)
    raise CellError(
        _("valeur « %(value)s » inconnue ; valeurs possibles : %(labels)s.") % {"value": value, "labels": labels}
    )


def _emails(value):
    addresses = [part for part in EMAIL_SPLIT.split(_text(value)) if part]
    validator = EmailValidator()
    for address in addresses:
        try:
            validator(address)
        except ValidationError as error:
            raise CellError(_("« %(value)s » n'est pas une adresse e-mail.") % {"value": address}) from error
    return list(dict.fromkeys(address.lower() for address in addresses))


def _number(value):
    text = _text(value).strip()
    if not re.match(ACTION_NUMBER_RE, text):
        raise CellError(
            _("le numéro doit être de la forme 2.3 (chiffres et points), pas « %(value)s ».") % {"value": text}
        )
    return text


def _slug(value):
    text = _text(value).strip()
    try:
        validate_slug(text)
    except ValidationError as error:
        raise CellError(_("lettres, chiffres, tirets ou soulignés seulement, sans espace ni accent.")) from error
    return text


CONVERTERS = {
    "int": _int,
    "decimal": _decimal,
    "date": _date,
    "bool": _bool,
    "emails": _emails,
    "number": _number,
    "slug": _slug,
    "line": lambda value: _text(value).strip(),
    "text": _text,
}


def convert_row(name, number, values, issues, extra_columns=()):
    """{header: typed value} for the sheet's columns; None where a cell is empty or wrong (the error is noted)."""
    row = {"_row": number}
    ok = True
    for col in SHEETS[name]:
        value = values.get(col.header)
        if value is None:
            if col.required:
                issues.append(ImportIssue(_("cette cellule est obligatoire."), name, number, col.header))
                ok = False
            row[col.header] = None
            continue
        converter = CONVERTERS.get(col.kind) if isinstance(col.kind, str) else (lambda v, c=col.kind: _choice(c, v))
        try:
            typed = converter(value)
        except CellError as error:
            issues.append(ImportIssue(str(error), name, number, col.header))
            row[col.header] = None
            ok = False
            continue
        if col.max_length and isinstance(typed, str) and len(typed) > col.max_length:
            issues.append(
                ImportIssue(
                    _("%(length)s caractères : %(max)s au plus.") % {"length": len(typed), "max": col.max_length},
                    name,
                    number,
                    col.header,
                )
            )
            ok = False
        if col.required and typed == "":
            issues.append(ImportIssue(_("cette cellule est obligatoire."), name, number, col.header))
            ok = False
        row[col.header] = typed
    for header in extra_columns:
        value = values.get(header)
        if value is None:
            row[header] = None
            continue
        try:
            row[header] = _decimal(value)
        except CellError as error:
            issues.append(ImportIssue(str(error), name, number, header))
            row[header] = None
            ok = False
    row["_ok"] = ok
    return row
