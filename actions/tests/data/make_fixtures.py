"""Regenerate the workbooks saved by LibreOffice that the import tests read (actions/tests/test_import_files.py).

    apt-get install -y libreoffice-calc-nogui python3-uno
    .venv/bin/python actions/tests/data/make_fixtures.py

Each workbook is first written by openpyxl (this script, in the project's venv), then opened and saved by
LibreOffice itself through python-uno, which only Debian's own python3 can import: the script runs itself again
with /usr/bin/python3 and `--uno` for that part. On the way, LibreOffice deletes a row, merges cells or renames
sheets as a person would, so the files are what Calc really writes (a `<dimension ref="A1:L1048576"/>` after a
deleted row, `<mergeCells>`, its own styles and date formats). CI does not need LibreOffice: the files are
committed.
"""

import datetime
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"

REFERENT = "ref@haute-vienne.example"
THEMATIC = "theme@haute-vienne.example"

ACTION_HEADERS = [
    "Numéro",
    "Axe",
    "Objectif",
    "Intitulé",
    "Description",
    "Public visé",
    "Date de début",
    "Date de fin",
    "Priorité",
    "Statut",
    "Avancement (%)",
    "Référents",
]


def pacte_sheets():
    """A small valid pacte, 2026-2029: 2 axes, 1 objective, 3 actions, 3 partner roles, 2 indicators."""
    return {
        "Pacte": [
            [
                "Identifiant",
                "Intitulé",
                "Territoire",
                "Première année",
                "Dernière année",
                "Date de signature",
                "Statut",
                "Présentation",
            ],
            ["pti-calc", "PTI 2026-2029", "Haute-Vienne", 2026, 2029, datetime.date(2026, 1, 15), "En cours", None],
        ],
        "Axes": [
            ["Numéro", "Intitulé", "Description", "Référents thématiques"],
            [1, "Lever les freins", "Mobilité, garde d'enfants.", THEMATIC],
            [2, "Accompagner vers l'emploi", None, None],
        ],
        "Objectifs": [["Axe", "Numéro", "Intitulé"], [1, 1, "Mobilité"]],
        "Actions": [
            ACTION_HEADERS,
            [
                "1.1",
                1,
                1,
                "Garage solidaire",
                "Réparations à prix coûtant.",
                None,
                datetime.date(2026, 3, 1),
                datetime.date(2027, 12, 31),
                "Haute",
                "En cours",
                20,
                REFERENT,
            ],
            ["1.2", 1, None, "Auto-école sociale", None, None, None, None, "Normale", "À lancer", 0, REFERENT],
            ["2.1", 2, None, "Parrainage", None, None, None, None, None, None, None, None],
        ],
        "Partenaires": [
            ["Action", "Partenaire", "Type", "Rôle", "Montant (€)"],
            ["1.1", "France Travail", "Institutionnel", "Financeur", 12000.5],
            ["1.1", "Garage Solidaire 87", "Associatif", "Pilote", None],
            ["1.2", "Garage Solidaire 87", "Associatif", "Partenaire opérationnel", None],
        ],
        "Indicateurs": [
            [
                "Action",
                "Indicateur",
                "Unité",
                "Valeur de référence",
                "Plus c'est haut, mieux c'est",
                "Ordre",
                "Cible 2026",
                "Cible 2027",
            ],
            ["1.1", "Véhicules réparés", "véhicules", 0, "Oui", 0, 50, 80],
            ["1.2", "Permis obtenus", "personnes", None, "Oui", 0, 10, None],
        ],
    }


# What LibreOffice does to each workbook before saving it (see `uno_main`).
FIXTURES = {
    # Opened and saved as it is.
    "calc-pacte.xlsx": {},
    # A stray row 3 in the sheet Actions, deleted in Calc: the saved sheet declares A1:L1048576.
    "calc-deleted-row.xlsx": {"insert_action": 2, "delete_rows": [("Actions", 2)]},
    # Actions B3:C3 merged over two values (1.2's axe 1 shown, its objective 1 hidden under the merge), and
    # Partenaires A3:A4 merged over one (« 1.1 » shown for two rows, the cell under it emptied).
    "calc-merged.xlsx": {
        "set": [("Actions", "C3", 1), ("Partenaires", "A4", None)],
        "merge": [("Actions", "B3:C3"), ("Partenaires", "A3:A4")],
    },
    # Sheet names with spaces around them, typed in Calc.
    "calc-padded-names.xlsx": {
        "rename": [("Actions", "Actions "), ("Partenaires", " Partenaires"), ("Axes", " Axes ")]
    },
}


def write_openpyxl(path, insert_action=None):
    import openpyxl

    sheets = pacte_sheets()
    if insert_action is not None:
        stray = ["9.9", 2, None, "Ligne à supprimer", *[None] * (len(ACTION_HEADERS) - 4)]
        sheets["Actions"].insert(insert_action, stray)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
    book.save(path)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for name, edits in FIXTURES.items():
            source = Path(tmp) / f"source-{name}"
            write_openpyxl(source, edits.get("insert_action"))
            jobs.append({"source": str(source), "target": str(HERE / name), **edits})
        job_file = Path(tmp) / "jobs.json"
        job_file.write_text(json.dumps(jobs))
        subprocess.run([SYSTEM_PYTHON, __file__, "--uno", str(job_file), tmp], check=True)
    for name in FIXTURES:
        print(f"{name}: {(HERE / name).stat().st_size} octets")


# --- inside LibreOffice (run by /usr/bin/python3, which has python3-uno) -----------------------------------


def uno_main(job_file, tmp):
    import uno
    from com.sun.star.beans import PropertyValue

    def prop(name, value):
        result = PropertyValue()
        result.Name, result.Value = name, value
        return result

    pipe = f"pti-fixtures-{int(time.time())}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            f"-env:UserInstallation={uno.systemPathToFileUrl(str(Path(tmp) / 'profile'))}",
            f"--accept=pipe,name={pipe};urp;",
        ]
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _attempt in range(120):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for job in json.loads(Path(job_file).read_text()):
            url = uno.systemPathToFileUrl(job["source"])
            document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            sheets = document.Sheets
            for sheet, name, value in job.get("set", []):
                cell = sheets.getByName(sheet).getCellRangeByName(name)
                if value is None:
                    cell.setString("")
                else:
                    cell.setValue(value)
            for sheet, index in job.get("delete_rows", []):
                sheets.getByName(sheet).Rows.removeByIndex(index, 1)
            for sheet, cells in job.get("merge", []):
                sheets.getByName(sheet).getCellRangeByName(cells).merge(True)
            for old, new in job.get("rename", []):
                sheets.getByName(old).setName(new)
            target = uno.systemPathToFileUrl(job["target"])
            document.storeToURL(target, (prop("FilterName", "Calc MS Excel 2007 XML"),))
            document.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge closes as LibreOffice quits
            pass
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--uno"]:
        uno_main(*sys.argv[2:4])
    else:
        main()
