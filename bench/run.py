"""Run the performance benchmark (design.md §7) against a database filled by bench/generate.py.

What it does, in one run:
1. Starts gunicorn on SPTF (`wsgi:app`, production settings) and, with the same gunicorn
   configuration, on a hello-world Flask view (bench/hello.py).
2. Signs in as each role through the real sign-in pages (password, then TOTP for the
   secretariat, committee and admin users, whose secret generate.py set).
3. Drives 16 concurrent connections at every list page and dashboard with wrk, and at the
   hello view, and reports p50/p95/p99 latency, throughput and the ratio of each page's
   throughput to hello-world's.
4. Counts the SQL statements of one request per page, in-process (the app's test client and
   an SQLAlchemy listener), on the full database and on a small one (--small-database-url):
   a fixed number of queries means the two counts are equal.
5. Streams the ledger CSV export: time, size, Python heap peak (tracemalloc, in-process) on
   both databases, and the gunicorn worker's resident memory before and during the download.

Production configuration works over loopback as it is: the session cookie is marked Secure,
but this client sends it by hand (browsers would not over plain HTTP). The script passes a
random SECRET_KEY; rate limits count failed sign-ins only, so they never trigger here. The
TOTP replay guard refuses a code of an already used time step, so the script clears
`users.totp_last_counter` of the bench users before signing in (a rerun within 30 seconds
would otherwise be refused).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sptf_bench \\
      .venv/bin/python bench/run.py --small-database-url postgresql://postgres@127.0.0.1:5432/sptf_bench_small
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from generate import BENCH_PASSWORD, BENCH_TOTP_SECRET, BENCH_USERS  # noqa: E402

from app.auth import totp  # noqa: E402

BAR_P95_MS = 100.0
COOKIE = "sptf_session"


@dataclass
class Page:
    role: str  # a key of BENCH_USERS, or "anonymous"
    path: str
    note: str = ""


@dataclass
class Result:
    role: str
    path: str
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: int = 0
    ratio: float = 0.0
    queries_full: int | None = None
    queries_small: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        fixed = self.queries_small is None or self.queries_full == self.queries_small
        return self.p95_ms < BAR_P95_MS and fixed and not self.errors


def pages(match_grant: int) -> list[Page]:
    return [
        Page("anonymous", "/"),
        Page("anonymous", "/fund"),
        Page("anonymous", "/stories"),
        Page("secretariat", "/dashboard"),
        Page("secretariat", "/applications"),
        Page("secretariat", "/screening"),
        Page("secretariat", "/ballots"),
        Page("secretariat", "/grants"),
        Page("secretariat", "/contributions"),
        Page("secretariat", "/ledger"),
        Page("secretariat", "/roster"),
        Page("secretariat", f"/grants/{match_grant}/experts", "matching"),
        Page("secretariat", "/deployments"),
        Page("secretariat", "/reports"),
        Page("secretariat", "/stories/manage"),
        Page("committee", "/dashboard"),
        Page("committee", "/ballots"),
        Page("committee", "/applications"),
        Page("applicant", "/dashboard"),
        Page("applicant", "/applications"),
        Page("applicant", "/grants"),
        Page("applicant", "/deployments"),
        Page("applicant", "/reports"),
        Page("donor", "/dashboard"),
        Page("donor", "/contributions"),
        Page("donor", "/ledger"),
        Page("donor", "/grants"),
        Page("auditor", "/dashboard"),
        Page("auditor", "/applications"),
        Page("auditor", "/ledger"),
        Page("auditor", "/audit"),
        Page("expert", "/dashboard"),
        Page("expert", "/deployments"),
        Page("admin", "/dashboard"),
        Page("admin", "/admin/users"),
    ]


# -- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    app: str, chdir: Path, env: dict[str, str], workers: int, ready: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + ready, timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn {app} did not start")
        yield base, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- signing in ----------------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """Just enough of a browser: keeps the session cookie by hand (it is Secure)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = ""
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "sptf-bench"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        if COOKIE in response.cookies:
            self.cookie = response.cookies[COOKIE]
        self.http.cookies.clear()
        return response

    def form(self, path: str, data: dict[str, str]) -> requests.Response:
        page = self.request("GET", path)
        match = CSRF.search(page.text)
        if not match:
            raise SystemExit(f"no CSRF token on {path} ({page.status_code})")
        return self.request("POST", path, data={**data, "csrf_token": match.group(1)})

    def sign_in(self, email: str) -> None:
        response = self.form("/login", {"email": email, "password": BENCH_PASSWORD})
        if response.headers.get("Location", "").endswith("/login/verify"):
            response = self.form("/login/verify", {"code": totp.code_for(BENCH_TOTP_SECRET)})
        if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
            raise SystemExit(f"sign-in as {email} failed ({response.status_code})")


# -- load ---------------------------------------------------------------------------------------------------

LINE = re.compile(r"BENCH (.*)")


def wrk(url: str, cookie: str, seconds: int, connections: int, threads: int) -> dict[str, int]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "report.lua"),
        "-H",
        "User-Agent: sptf-bench",
    ]
    if cookie:
        command += ["-H", f"Cookie: {COOKIE}={cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    match = LINE.search(out.stdout)
    if not match:
        raise SystemExit(f"wrk printed no result for {url}:\n{out.stdout}\n{out.stderr}")
    return {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}


def measure(url: str, cookie: str, args: argparse.Namespace) -> dict[str, float]:
    wrk(url, cookie, args.warmup, args.connections, args.threads)
    raw = wrk(url, cookie, args.duration, args.connections, args.threads)
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "max_ms": raw["max"] / 1000,
        "errors": raw["status_errors"] + raw["socket_errors"],
    }


# -- query counts and CSV memory, in-process ----------------------------------------------------------------


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


class InProcess:
    """The app in this process, on one database, with a statement counter on its engine."""

    def __init__(self, url: str, secret: str) -> None:
        from sqlalchemy import event

        from app import create_app
        from config import ProductionConfig

        self.app = create_app(
            ProductionConfig,
            SECRET_KEY=secret,
            SQLALCHEMY_DATABASE_URI=sqlalchemy_url(url),
            SESSION_COOKIE_SECURE=False,  # the test client speaks plain http
        )
        self.count = 0
        with self.app.app_context():
            from app.extensions import db

            engine = db.engine

        def counter(*_args: Any) -> None:
            self.count += 1

        event.listen(engine, "before_cursor_execute", counter)
        self.users: dict[str, str] = {}
        with psycopg.connect(url) as conn:
            for key, email in BENCH_USERS.items():
                row = conn.execute(
                    "SELECT id, session_version FROM users WHERE email = %s", (email,)
                ).fetchone()
                if row:
                    self.users[key] = f"{row[0]}:{row[1]}"

    def client(self, role: str) -> Any:
        client = self.app.test_client()
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = self.users[role]
                session["_fresh"] = True
                session["login_at"] = int(time.time())
        return client

    def queries(self, role: str, path: str) -> int:
        client = self.client(role)
        client.get(path)  # warm: first-use caches are not the page's cost
        self.count = 0
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"in-process {role} {path}: {response.status_code}")
        return self.count

    def csv(self, role: str) -> dict[str, float]:
        client = self.client(role)
        tracemalloc.start()
        began = time.perf_counter()
        response = client.get("/ledger.csv", buffered=False)
        size = rows = 0
        for chunk in response.response:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            size += len(data)
            rows += data.count(b"\n")
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "rows": rows - 1,
            "mib": size / 2**20,
            "seconds": time.perf_counter() - began,
            "heap_peak_mib": peak / 2**20,
            "queries": self.count,
        }


def csv_over_http(base: str, cookie: str, master: int) -> dict[str, float]:
    """Download the export through gunicorn while sampling the workers' resident memory."""
    pids = worker_pids(master)
    before = {pid: rss_kib(pid) for pid in pids}
    peak = dict(before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in pids:
                with suppress(OSError):
                    peak[pid] = max(peak[pid], rss_kib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    size = 0
    with requests.get(
        base + "/ledger.csv", headers={"Cookie": f"{COOKIE}={cookie}"}, stream=True, timeout=600
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    growth = max(peak[pid] - before[pid] for pid in pids)
    return {
        "mib": size / 2**20,
        "seconds": seconds,
        "worker_rss_before_mib": max(before.values()) / 1024,
        "worker_rss_growth_mib": growth / 1024,
    }


# -- report ---------------------------------------------------------------------------------------------------------


def table(results: list[Result], hello: dict[str, float]) -> str:
    lines = [
        "| role | page | p50 ms | p95 ms | p99 ms | req/s | × hello | queries (small → full) | bar |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
        f"| — | hello-world | {hello['p50_ms']:.1f} | {hello['p95_ms']:.1f} | {hello['p99_ms']:.1f} "
        f"| {hello['rps']:.0f} | 1.000 | — | |",
    ]
    for r in results:
        queries = (
            f"{r.queries_small} → {r.queries_full}"
            if r.queries_small is not None
            else f"{r.queries_full}"
        )
        verdict = "ok" if r.ok else "**MISS**"
        lines.append(
            f"| {r.role} | `{r.path}` | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.rps:.0f} | {r.ratio:.3f} | {queries} | {verdict} |"
        )
    return "\n".join(lines)


def scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--small-database-url",
        help="a database generated at a small scale, for the query-count comparison",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (2 × cores)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of load before each measurement"
    )
    parser.add_argument("--only", help="a regular expression: measure only the matching paths")
    parser.add_argument(
        "--out", default=str(BENCH / "results"), help="where latest.md and latest.json go"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "").replace("postgresql+psycopg://", "postgresql://")
    if not url.startswith("postgresql://"):
        raise SystemExit("set DATABASE_URL to the generated PostgreSQL database")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    secret = secrets.token_urlsafe(48)
    env = {**os.environ, "SPTF_ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    grant = scalar(url, "SELECT id FROM grants WHERE status = 'active' ORDER BY id LIMIT 1")
    todo = [p for p in pages(grant) if not args.only or re.search(args.only, p.path)]
    started = datetime.now(UTC)
    entries = scalar(url, "SELECT count(*) FROM ledger_entries")
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, {entries:,} ledger entries, "
        f"gunicorn -w {args.workers}, wrk -c{args.connections} -d{args.duration}s",
        flush=True,
    )

    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE users SET totp_last_counter = NULL WHERE email LIKE '%%@bench.example'"
        )

    with gunicorn("hello:app", BENCH, env, args.workers, "/") as (base, _process):
        hello = measure(base + "/", "", args)
    print(f"hello-world: {hello['rps']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms", flush=True)

    results: list[Result] = []
    csv_http: dict[str, float] = {}
    with gunicorn("wsgi:app", ROOT, env, args.workers, "/healthz") as (base, process):
        cookies: dict[str, str] = {"anonymous": ""}
        for role in sorted({p.role for p in todo} | {"secretariat"}):
            if role == "anonymous":
                continue
            browser = Browser(base)
            browser.sign_in(BENCH_USERS[role])
            cookies[role] = browser.cookie
        for page in todo:
            check = Browser(base)
            check.cookie = cookies[page.role]
            response = check.request("GET", page.path)
            if response.status_code != 200:
                raise SystemExit(f"{page.role} {page.path}: {response.status_code} before the load")
            numbers = measure(base + page.path, cookies[page.role], args)
            result = Result(page.role, page.path, **dict(numbers.items()))  # type: ignore[arg-type]
            result.requests = int(numbers["requests"])
            result.errors = int(numbers["errors"])
            result.ratio = result.rps / hello["rps"]
            results.append(result)
            print(
                f"  {page.role:<11} {page.path:<28} p95 {result.p95_ms:7.1f} ms  {result.rps:6.0f} req/s",
                flush=True,
            )
        if not args.only:
            csv_http = csv_over_http(base, cookies["secretariat"], process.pid)
            print(f"  CSV over HTTP: {csv_http}", flush=True)

    print("query counts (in-process)", flush=True)
    full = InProcess(url, secret)
    small = InProcess(args.small_database_url, secret) if args.small_database_url else None
    for result in results:
        result.queries_full = full.queries(result.role, result.path)
        if small is not None:
            path = result.path
            if "/experts" in path:
                small_grant = scalar(
                    args.small_database_url,
                    "SELECT id FROM grants WHERE status = 'active' ORDER BY id LIMIT 1",
                )
                path = f"/grants/{small_grant}/experts"
            result.queries_small = small.queries(result.role, path)
    csv_memory: dict[str, dict[str, float]] = {}
    if not args.only:
        csv_memory["full"] = full.csv("secretariat")
        if small is not None:
            csv_memory["small"] = small.csv("secretariat")
        print(f"  CSV in-process: {csv_memory}", flush=True)

    report = table(results, hello)
    misses = [r for r in results if not r.ok]
    summary = {
        "date": started.isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "ledger_entries": entries,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "hello": hello,
        "pages": [asdict(r) for r in results],
        "csv_http": csv_http,
        "csv_in_process": csv_memory,
        "misses": [f"{r.role} {r.path}" for r in misses],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "latest.md").write_text(report + "\n")
    print()
    print(report)
    print()
    print(
        f"{len(results) - len(misses)} of {len(results)} pages meet the bar (p95 < {BAR_P95_MS:.0f} ms, fixed query count)"
    )
    for r in misses:
        print(
            f"  MISS {r.role} {r.path}: p95 {r.p95_ms:.1f} ms, queries {r.queries_small} → {r.queries_full}"
        )


if __name__ == "__main__":
    main()
