"""Import a generated 50,000-row UHRI export and report the importer's peak memory.

Issue 13's bar: the export imports in bounded memory, and importing it again changes nothing.
This script builds a workbook in the export's shape (`../shared/uhri/README.md`: the real,
misspelled headers, multi-value cells, Excel serial dates, rows concerning two States, UPR
rows with recommending States, special procedure mandates), imports it once under
`tracemalloc`, then again, and checks the second import changed no row.

    .venv/bin/python bench/import_recommendations.py               # 50,000 rows, SQLite
    .venv/bin/python bench/import_recommendations.py --database postgresql://postgres@127.0.0.1:5432/sptf_bench_import

With --database the database is emptied and migrated first (it must exist). The texts are
unique, as in a real export, so openpyxl's table of shared strings, which it holds whole,
grows with the file: the peak has two parts, that table (bounded by the upload and
unpacking limits) and the rows in flight (one batch, whatever the file's length).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.recommendations.importer import import_workbook  # noqa: E402
from app.recommendations.models import StateRecommendation  # noqa: E402
from app.reference.services import read_csv  # noqa: E402
from config import TestingConfig, database_url  # noqa: E402
from tests.uhri_export import HEADERS, lines  # noqa: E402

TREATY_BODIES = {
    "CAT": "CAT/C/{c}/CO/{n}",
    "CCPR": "CCPR/C/{c}/CO/{n}",
    "CEDAW": "CEDAW/C/{c}/CO/{n}",
    "CERD": "CERD/C/{c}/CO/{n}",
    "CESCR": "E/C.12/{c}/CO/{n}",
    "CRC": "CRC/C/{c}/CO/{n}",
    "CRC-OP-AC": "CRC/C/OPAC/{c}/CO/{n}",
    "CRPD": "CRPD/C/{c}/CO/{n}",
    "CED": "CED/C/{c}/CO/{n}",
    "CMW": "CMW/C/{c}/CO/{n}",
}
VOCABULARY = (
    "ensure adopt strengthen establish guarantee continue consider ratify implement review "
    "amend allocate train investigate prosecute protect promote prevent combat eliminate "
    "national legislation framework policy mechanism institution independent resources "
    "effective access justice women girls children persons disabilities migrants detention "
    "prisons torture violence discrimination education health housing water sanitation "
    "participation freedom expression assembly association defenders journalists minorities "
    "indigenous peoples rural poverty birth registration statelessness trafficking labour "
    "without delay in accordance with international standards all relevant stakeholders"
)


def generate(path: Path, rows: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    words = VOCABULARY.split()
    states = [(s["name"], s["iso3"]) for s in read_csv("states.csv")]
    themes = [r["uhri_label"] for r in read_csv("names/uhri_labels.csv") if r["kind"] == "theme"]
    groups = [r["uhri_label"] for r in read_csv("names/uhri_labels.csv") if r["kind"] == "group"]
    targets = [f"{r['target']} - {r['en']}" for r in read_csv("names/sdg_targets.csv")]
    # "Special Rapporteur on the right to food" is "SR on the right to food" in the Index.
    mandates = [
        f"{r['kind']} {r['en'].split(' ', 2)[2]}" for r in read_csv("names/special_procedures.csv")
    ]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for _ in range(rows):
        name, iso3 = rng.choice(states)
        countries = [name] if rng.random() > 0.05 else [name, rng.choice(states)[0]]
        roll = rng.random()
        row = dict.fromkeys(HEADERS, "")
        if roll < 0.5:
            row["Reccomending Body"] = lines("UPR")
            row["Document Symbol"] = f"A/HRC/{rng.randint(20, 58)}/{rng.randint(1, 20)}"
            row["UPR Reccomending States"] = lines(*(rng.choice(states)[0] for _ in range(2)))
            row["UPR Position"] = rng.choice(["- Supported", "- Noted"])
            row["UPR Session"] = f"{rng.randint(1, 47)} Session"
            row["Type"] = "- Recommendations"
        elif roll < 0.9:
            body = rng.choice(list(TREATY_BODIES))
            row["Reccomending Body"] = lines(body)
            row["Document Symbol"] = TREATY_BODIES[body].format(c=iso3, n=rng.randint(1, 9))
            row["Type"] = rng.choice(["- Recommendations", "- Concerns/Observations"])
        else:
            row["Reccomending Body"] = lines(rng.choice(mandates), "Special Procedures")
            row["Document Symbol"] = f"A/HRC/{rng.randint(20, 58)}/{rng.randint(1, 80)}/Add.1"
            row["Type"] = "- Recommendations"
        row["Text"] = " ".join(rng.choice(words) for _ in range(rng.randint(25, 60))).capitalize()
        row["Countries Concerned"] = lines(*countries)
        row["Themes"] = lines(*rng.sample(themes, rng.randint(1, 3)))
        row["Affected Persons"] = lines(*rng.sample(groups, rng.randint(0, 2)))
        row["Sdgs"] = lines(*rng.sample(targets, rng.randint(0, 2)))
        row["Document Publication Date"] = rng.randint(40000, 46000)
        row["Date of publication on UHRI"] = rng.randint(40000, 46000) + 0.5
        row["OHCHR Annotation Id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        sheet.append([row[h] for h in HEADERS])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database", help="PostgreSQL URL (emptied and migrated); SQLite if absent"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sptf-import-bench-"))
    export = work / "uhri-export.xlsx"
    started = time.perf_counter()
    generate(export, args.rows)
    size = export.stat().st_size
    print(
        f"generated {args.rows:,} rows: {size / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s"
    )

    uri = database_url(args.database) if args.database else f"sqlite:///{work / 'bench.sqlite'}"
    # The upload limit of a real deployment would refuse a file this size: it is lifted here
    # so the benchmark measures the importer, not the limit.
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=uri,
        UPLOAD_FOLDER=str(work / "uploads"),
        MAX_UPLOAD_BYTES=max(size, TestingConfig.MAX_UPLOAD_BYTES),
        MAX_UNCOMPRESSED_BYTES=max(30 * size, TestingConfig.MAX_UNCOMPRESSED_BYTES),
    )
    with app.app_context():
        from flask_migrate import upgrade

        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        data = export.read_bytes()

        tracemalloc.start()
        started = time.perf_counter()
        first = import_workbook(db.session(), None, io.BytesIO(data))
        db.session.commit()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"first import: imported {first.imported:,}, updated {first.updated:,}, "
            f"skipped {first.skipped:,} {dict(first.reasons)}; "
            f"{elapsed:.0f} s under tracemalloc; peak {peak / 1e6:.1f} MB"
        )
        if first.unmapped_bodies or first.unmapped_countries:
            print(f"  unmapped: {dict(first.unmapped_bodies)} {dict(first.unmapped_countries)}")

        R = StateRecommendation
        stamp = db.session.execute(select(func.count(), func.max(R.updated_at))).one()
        started = time.perf_counter()
        again = import_workbook(db.session(), None, io.BytesIO(data))
        db.session.commit()
        elapsed = time.perf_counter() - started
        after = db.session.execute(select(func.count(), func.max(R.updated_at))).one()
        print(
            f"second import: imported {again.imported:,}, updated {again.updated:,}, "
            f"unchanged {again.unchanged:,}; {elapsed:.0f} s"
        )
        unchanged = (again.imported, again.updated) == (0, 0) and tuple(after) == tuple(stamp)
        print(f"re-import changed nothing: {'yes' if unchanged else 'NO'}")
        db.engine.dispose()
    if not unchanged:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
