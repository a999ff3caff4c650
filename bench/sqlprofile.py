"""Where a page's time goes in the database: each SQL statement of one request, timed, and
EXPLAIN ANALYZE of the slowest ones.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sptf_bench \\
      .venv/bin/python bench/sqlprofile.py secretariat /dashboard [--explain 2]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import InProcess  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "role", help="secretariat, committee, applicant, donor, auditor, expert, admin or anonymous"
    )
    parser.add_argument("path")
    parser.add_argument(
        "--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest statements"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "").replace("postgresql+psycopg://", "postgresql://")
    target = InProcess(url, secrets.token_urlsafe(48))
    from sqlalchemy import event, text

    from app.extensions import db

    with target.app.app_context():
        engine = db.engine
    timings: list[tuple[float, str, Any]] = []
    started: dict[int, float] = {}

    def before(
        _conn: Any, cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(
        _conn: Any, cursor: Any, statement: str, params: Any, _context: Any, _many: bool
    ) -> None:
        timings.append(
            (time.perf_counter() - started.pop(id(cursor), time.perf_counter()), statement, params)
        )

    client = target.client(args.role)
    client.get(args.path)  # warm
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    began = time.perf_counter()
    response = client.get(args.path)
    total = time.perf_counter() - began
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    sql = sum(t for t, _s, _p in timings)
    print(
        f"{args.role} {args.path}: {response.status_code}, {total * 1000:.1f} ms, "
        f"{len(timings)} statements, {sql * 1000:.1f} ms in SQL"
    )
    for seconds, statement, _params in sorted(timings, key=lambda t: -t[0]):
        print(f"{seconds * 1000:8.1f} ms  {' '.join(statement.split())[:160]}")
    with target.app.app_context(), engine.connect() as conn:
        for _seconds, statement, params in sorted(timings, key=lambda t: -t[0])[: args.explain]:
            print("\n" + " ".join(statement.split()))
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            for (line,) in plan:
                print("   ", line)
            conn.execute(text("ROLLBACK"))


if __name__ == "__main__":
    main()
