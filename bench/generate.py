"""Fill a PostgreSQL database with the benchmark's data set (design.md §7, Performance).

At --scale 1.0: the reference data's 193 UN member States (and the two observers), 50,000
applications in every status with their themes, SDGs, recommendations, indicators, budget
lines, frozen versions and ballots; 5,000 grants with tranches, releases, reports and expert
deployments; about 1,000,000 ledger entries (contributions by card, bank transfer and pledge,
fees, refunds, commitments, disbursements, releases) whose transactions balance and whose
accounts' cached balances equal their entries; users for every role; 10,000 experts
(--experts) with languages, themes, mechanisms and availability; and a hash-chained audit
log. `flask ledger verify` and `flask audit verify` pass on the result (this script runs
them at the end).

Rows are computed in Python and written with COPY (psycopg), so the full set takes a few
minutes. The database must be empty and migrated:

    createdb sptf_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sptf_bench .venv/bin/flask --app wsgi db upgrade
    DATABASE_URL=... .venv/bin/python bench/generate.py --scale 1.0

Every bench user signs in with BENCH_PASSWORD; the secretariat, committee and admin users
have TOTP enrolled with BENCH_TOTP_SECRET (bench/run.py computes the codes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.audit import GENESIS_HASH, canonical_record, chain_hash  # noqa: E402
from app.core.dates import add_months  # noqa: E402
from app.reference.services import read_csv  # noqa: E402

BENCH_PASSWORD = "bench-password-0123456789"  # noqa: S105 (a throwaway benchmark database)
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
CURRENCY = "USD"
CEILING_MINOR = 50_000 * 100
LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh", "pt", "sw", "de", "hi", "tr", "uk"]
LANGUAGE_WEIGHTS = [40, 25, 20, 8, 6, 4, 6, 3, 3, 2, 2, 2]
COMMITTEE = [  # region, e-mail key, nationality, kind
    ("african", "african", "KEN", "member"),
    ("asia_pacific", "asia", "IND", "member"),
    ("eastern_european", "eeg", "ROU", "member"),
    ("grulac", "grulac", "JAM", "member"),
    ("weog", "weog", "NLD", "member"),
    ("grulac", "grulac.alt", "URY", "alternate"),
]
# Who bench/run.py signs in as.
BENCH_USERS = {
    "secretariat": "secretariat@bench.example",
    "secretariat2": "finance@bench.example",
    "auditor": "auditor@bench.example",
    "admin": "admin@bench.example",
    "committee": "committee.african@bench.example",
    "applicant": "focal.ken@bench.example",
    "donor": "donor.1@bench.example",
    "expert": "expert.1@bench.example",
}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (postgresql://...)")
    return url.replace("postgresql+psycopg://", "postgresql://").replace(
        "postgres://", "postgresql://", 1
    )


def at(day: date, seconds: int = 43_200) -> datetime:
    """A UTC timestamp on `day` (noon by default), whole seconds."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


@dataclass
class Tables:
    """Rows per table, in COPY column order."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))

    def define(self, table: str, *columns: str) -> None:
        self.columns[table] = columns

    def add(self, table: str, *values: Any) -> None:
        self.rows[table].append(values)


class Ids:
    def __init__(self) -> None:
        self.values: dict[str, int] = defaultdict(int)

    def next(self, table: str) -> int:
        self.values[table] += 1
        return self.values[table]


class Generator:
    def __init__(self, scale: float, experts: int, seed: int) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = datetime.now(UTC).date()
        self.start = self.today - timedelta(days=365 * 9)
        self.n_applications = max(60, round(50_000 * scale))
        self.n_grants = max(12, round(5_000 * scale))
        self.n_entries = max(2_000, round(1_000_000 * scale))
        self.n_experts = max(30, round(experts * scale))
        self.n_donors = max(8, round(2_000 * scale))
        self.t = Tables()
        self.ids = Ids()
        self.events: list[tuple[date, int, str, dict[str, Any]]] = []  # ledger events
        self.audit: list[tuple[datetime, dict[str, Any]]] = []
        self.sequences: dict[str, int] = defaultdict(int)
        self.password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
        self.states = read_csv("states.csv")
        self.themes = [t["code"] for t in read_csv("themes.csv")]
        self.mechanisms = [m["code"] for m in read_csv("mechanisms.csv")]
        self.region_of = {s["iso3"]: s["region"] for s in self.states}
        self.name_of = {s["iso3"]: s["name"] for s in self.states}
        self._define()

    # -- schema -------------------------------------------------------------------------------

    def _define(self) -> None:
        d = self.t.define
        d(
            "users",
            "id",
            "email",
            "name",
            "role",
            "state_iso3",
            "region",
            "password_hash",
            "locale",
            "active",
            "vetted_at",
            "created_at",
            "session_version",
            "totp_secret",
            "totp_enabled_at",
        )
        d(
            "committee_seats",
            "id",
            "user_id",
            "region",
            "kind",
            "term_start",
            "term_end",
            "end_reason",
            "created_by_id",
            "created_at",
        )
        d(
            "applications",
            "id",
            "reference",
            "state_iso3",
            "created_by_id",
            "status",
            "version",
            "title",
            "summary",
            "objectives",
            "activities",
            "duration_months",
            "implementing_entity",
            "currency",
            "requested_amount_minor",
            "cofinancing_note",
            "expertise_person_days",
            "expertise_languages",
            "consent_official_name",
            "consent_official_title",
            "consent_given_at",
            "consent_user_id",
            "created_at",
            "updated_at",
            "submitted_at",
            "first_submitted_at",
            "screened_at",
            "screening_note",
            "referral",
            "decided_at",
            "decision_reasons",
            "approved_amount_minor",
        )
        d("application_themes", "application_id", "theme_code")
        d("application_expertise_themes", "application_id", "theme_code")
        d("application_sdgs", "application_id", "sdg_number")
        d(
            "application_recommendations",
            "id",
            "application_id",
            "mechanism_code",
            "reference",
            "text",
            "recommending_body",
            "cycle",
        )
        d("application_indicators", "id", "application_id", "result", "name", "baseline", "target")
        d(
            "application_budget_lines",
            "id",
            "application_id",
            "category",
            "description",
            "amount_minor",
        )
        d(
            "application_versions",
            "id",
            "application_id",
            "number",
            "submitted_at",
            "submitted_by_id",
            "snapshot",
        )
        d(
            "ballots",
            "id",
            "application_id",
            "number",
            "status",
            "opened_at",
            "opened_by_id",
            "deadline",
            "closed_at",
            "closed_by_id",
            "outcome",
            "quorum_met",
            "approve_count",
            "reject_count",
            "abstain_count",
            "recused_count",
            "not_voting_count",
        )
        d(
            "ballot_members",
            "id",
            "ballot_id",
            "user_id",
            "seat_id",
            "region",
            "is_alternate",
            "recused",
            "recusal_kind",
            "recusal_reason",
            "recused_at",
        )
        d("votes", "id", "ballot_id", "member_id", "choice", "comment", "cast_at", "changes")
        d(
            "grants",
            "id",
            "application_id",
            "reference",
            "state_iso3",
            "currency",
            "amount_minor",
            "expert_budget_minor",
            "duration_months",
            "status",
            "created_at",
            "committed_at",
            "accepted_at",
            "accepted_by_id",
            "accepted_name",
            "accepted_title",
            "start_date",
            "end_date",
            "status_note",
            "closed_at",
            "final_report_accepted_at",
        )
        d(
            "tranches",
            "id",
            "grant_id",
            "number",
            "percent",
            "amount_minor",
            "condition",
            "condition_met_at",
        )
        d(
            "disbursements",
            "id",
            "grant_id",
            "tranche_id",
            "deployment_id",
            "kind",
            "amount_minor",
            "currency",
            "status",
            "note",
            "payee",
            "created_by_id",
            "created_at",
            "approved_by_id",
            "approved_at",
            "payment_reference",
            "transaction_id",
        )
        d(
            "reports",
            "id",
            "grant_id",
            "kind",
            "due_date",
            "status",
            "achievements",
            "challenges",
            "good_practice",
            "further_needs",
            "submitted_by_id",
            "submitted_at",
            "review_note",
            "reviewed_by_id",
            "reviewed_at",
            "accepted_at",
            "created_at",
        )
        d("report_indicators", "report_id", "indicator_id", "actual", "comment")
        d("report_recommendations", "report_id", "recommendation_id", "status", "evidence")
        d(
            "stories",
            "id",
            "grant_id",
            "report_id",
            "status",
            "title",
            "text",
            "photo_credit",
            "photo_alt",
            "created_by_id",
            "created_at",
            "updated_at",
            "consent_requested_at",
            "consented_by_id",
            "consent_name",
            "consent_title",
            "consented_at",
            "declined_reason",
            "published_at",
            "withdrawn_reason",
        )
        d(
            "experts",
            "id",
            "user_id",
            "status",
            "current_position",
            "summary",
            "years_experience",
            "daily_rate_minor",
            "rate_currency",
            "references",
            "status_note",
            "vetted_by_id",
            "vetted_at",
            "created_at",
            "updated_at",
        )
        d("expert_languages", "expert_id", "code", "level")
        d("expert_themes", "expert_id", "theme_code")
        d("expert_mechanisms", "expert_id", "mechanism_code")
        d("expert_availability", "id", "expert_id", "start_date", "end_date")
        d(
            "deployments",
            "id",
            "reference",
            "grant_id",
            "expert_id",
            "status",
            "terms_of_reference",
            "start_date",
            "end_date",
            "person_days",
            "daily_rate_minor",
            "rate_currency",
            "fx_rate",
            "currency",
            "fee_minor",
            "travel_budget_minor",
            "proposed_by_id",
            "created_at",
            "answered_at",
            "decline_reason",
            "consented_by_id",
            "consent_name",
            "consent_title",
            "consented_at",
            "report_summary",
            "report_activities",
            "report_recommendations_state",
            "report_recommendations_partners",
            "reported_at",
            "review_note",
            "reviewed_by_id",
            "completed_at",
            "cancel_reason",
            "cancelled_at",
            "rating",
            "rating_comment",
            "rated_by_id",
            "rated_at",
        )
        d(
            "contributions",
            "id",
            "donor_id",
            "kind",
            "status",
            "original_amount_minor",
            "original_currency",
            "rate",
            "base_amount_minor",
            "base_currency",
            "received_minor",
            "refunded_minor",
            "fee_minor",
            "reference",
            "note",
            "payment_intent_id",
            "idempotency_key",
            "receipt_number",
            "due_on",
            "recorded_by_id",
            "created_at",
            "received_at",
        )
        d(
            "ledger_accounts",
            "id",
            "code",
            "category",
            "name",
            "currency",
            "donor_id",
            "grant_id",
            "balance_minor",
            "created_at",
        )
        d(
            "ledger_transactions",
            "id",
            "kind",
            "created_at",
            "effective_on",
            "memo",
            "actor_id",
            "external_id",
            "grant_id",
            "donor_id",
        )
        d("ledger_entries", "id", "transaction_id", "account_id", "amount_minor", "currency")
        d("ledger_month_totals", "account_id", "month", "kind", "amount_minor")
        d(
            "audit_events",
            "id",
            "created_at",
            "actor_id",
            "actor_email",
            "origin",
            "action",
            "object_type",
            "object_id",
            "data",
            "prev_hash",
            "hash",
        )

    # -- helpers ---------------------------------------------------------------------------------

    def day_between(self, first: date, last: date) -> date:
        span = max(0, (last - first).days)
        return first + timedelta(days=self.rng.randint(0, span))

    def reference(self, prefix: str, day: date) -> str:
        key = f"{prefix}-{day.year}"
        self.sequences[key] += 1
        return f"{key}-{self.sequences[key]:04d}"

    def audit_event(
        self,
        when: datetime,
        action: str,
        obj_type: str,
        obj_id: Any,
        actor: tuple[int, str] | None,
        data: dict[str, Any],
    ) -> None:
        self.audit.append(
            (
                when,
                {
                    "actor_id": actor[0] if actor else None,
                    "actor_email": actor[1] if actor else None,
                    "origin": "bench",
                    "action": action,
                    "object_type": obj_type,
                    "object_id": str(obj_id),
                    "data": json.dumps(
                        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                    ),
                },
            )
        )

    def user(
        self,
        email: str,
        name: str,
        role: str,
        state: str | None,
        region: str | None = None,
        totp: bool = False,
        vetted: bool = True,
        created: date | None = None,
    ) -> int:
        uid = self.ids.next("users")
        created_at = at(created or self.start)
        self.t.add(
            "users",
            uid,
            email,
            name,
            role,
            state,
            region,
            self.password_hash,
            None,
            True,
            created_at if vetted else None,
            created_at,
            1,
            BENCH_TOTP_SECRET if totp else None,
            created_at if totp else None,
        )
        return uid

    # -- people ----------------------------------------------------------------------------------

    def people(self) -> None:
        self.admin = self.user("admin@bench.example", "Bench Admin", "admin", "NOR", totp=True)
        self.staff = self.user(
            "secretariat@bench.example", "Bench Secretariat", "secretariat", "SEN", totp=True
        )
        self.staff2 = self.user(
            "finance@bench.example", "Bench Finance Officer", "secretariat", "CHL", totp=True
        )
        self.staff_actor = (self.staff, "secretariat@bench.example")
        self.auditor = self.user("auditor@bench.example", "Bench Auditor", "auditor", "HUN")
        self.seats: list[tuple[int, int, str, str]] = []  # seat id, user id, region, kind
        for region, key, nationality, kind in COMMITTEE:
            uid = self.user(
                f"committee.{key}@bench.example",
                f"Committee {key}",
                "committee",
                nationality,
                region,
                totp=True,
            )
            seat = self.ids.next("committee_seats")
            self.t.add(
                "committee_seats",
                seat,
                uid,
                region,
                kind,
                self.today - timedelta(days=700),
                self.today + timedelta(days=400),
                "",
                self.staff,
                at(self.start),
            )
            self.seats.append((seat, uid, region, kind))
        self.members = [s for s in self.seats if s[3] == "member"]
        self.nationality = {
            uid: nat
            for (_r, _k, nat, _kind), (_s, uid, _r2, _k2) in zip(COMMITTEE, self.seats, strict=True)
        }
        self.applicant: dict[str, int] = {}
        for state in self.states:
            iso3 = state["iso3"]
            self.applicant[iso3] = self.user(
                f"focal.{iso3.lower()}@bench.example",
                f"Focal point, {state['name']}",
                "applicant",
                iso3,
            )
        self.donors: list[tuple[int, str]] = []
        for n in range(1, self.n_donors + 1):
            name = f"Donor {n}" if n > 50 else f"Government donor {n}"
            uid = self.user(f"donor.{n}@bench.example", name, "donor", self.pick_state())
            self.donors.append((uid, name))

    def pick_state(self) -> str:
        return self.rng.choice(self.states)["iso3"]

    # -- experts -----------------------------------------------------------------------------------

    def experts(self) -> None:
        self.active_experts: list[tuple[int, str, int]] = []  # id, nationality, daily rate
        for n in range(1, self.n_experts + 1):
            nationality = self.pick_state()
            created = self.day_between(self.start, self.today - timedelta(days=30))
            status = (
                "active"
                if n == 1
                else self.rng.choices(["active", "applied", "rejected", "inactive"], [85, 8, 4, 3])[
                    0
                ]
            )
            uid = self.user(
                f"expert.{n}@bench.example",
                f"Expert {n}",
                "expert",
                nationality,
                vetted=status != "applied",
                created=created,
            )
            eid = self.ids.next("experts")
            rate = self.rng.randrange(300, 900, 25) * 100
            vetted = status != "applied"
            self.t.add(
                "experts",
                eid,
                uid,
                status,
                "Independent consultant",
                "Human rights practitioner with field experience.",
                self.rng.randint(2, 35),
                rate,
                CURRENCY,
                "",
                "",
                self.staff if vetted else None,
                at(created + timedelta(days=7)) if vetted else None,
                at(created),
                at(created + timedelta(days=7)),
            )
            codes = set(self.rng.choices(LANGUAGES, LANGUAGE_WEIGHTS, k=3))
            for code in sorted(codes):
                level = self.rng.choice(["working", "fluent", "native"])
                self.t.add("expert_languages", eid, code, level)
            for theme in self.rng.sample(self.themes, 3):
                self.t.add("expert_themes", eid, theme)
            for mechanism in self.rng.sample(self.mechanisms, 2):
                self.t.add("expert_mechanisms", eid, mechanism)
            first = self.today + timedelta(days=self.rng.randint(-30, 60))
            for k in range(2):
                begin = first + timedelta(days=k * 200)
                self.t.add(
                    "expert_availability",
                    self.ids.next("expert_availability"),
                    eid,
                    begin,
                    begin + timedelta(days=self.rng.randint(60, 180)),
                )
            if status == "active":
                self.active_experts.append((eid, nationality, rate))

    # -- applications --------------------------------------------------------------------------

    def applications(self) -> None:
        n = self.n_applications
        statuses = {  # every status but "approved" and "rejected" is a fixed share
            "draft": 0.12,
            "submitted": 0.006,
            "returned": 0.02,
            "ineligible": 0.16,
            "in_review": 0.004,
            "deferred": 0.03,
            "withdrawn": 0.06,
        }
        plan = ["approved"] * self.n_grants
        for status, share in statuses.items():
            plan += [status] * max(2, round(n * share))
        plan += ["rejected"] * max(2, n - len(plan))
        self.rng.shuffle(plan)
        first_day = self.start + timedelta(days=120)
        # Decisions are spread over time; the grants' ages decide their statuses later.
        self.approved: list[dict[str, Any]] = []
        for status in plan:
            iso3 = self.pick_state()
            if status in ("draft", "submitted", "in_review", "returned"):
                created = self.day_between(self.today - timedelta(days=120), self.today)
            elif status == "approved":
                created = self.day_between(first_day, self.today - timedelta(days=40))
            else:
                created = self.day_between(first_day, self.today - timedelta(days=30))
            self.application(iso3, status, created)

    def application(self, iso3: str, status: str, created: date) -> None:
        rng = self.rng
        aid = self.ids.next("applications")
        applicant = self.applicant[iso3]
        reference = self.reference("SPTF", created)
        themes = rng.sample(self.themes, 2)
        title = (
            f"Implementing recommendations on {themes[0].replace('-', ' ')} in {self.name_of[iso3]}"
        )
        lines = [
            ("experts", "International and national experts", rng.randrange(8_000, 16_000) * 100),
            (
                "training",
                "Workshops for officials and civil society",
                rng.randrange(5_000, 20_000) * 100,
            ),
            ("travel", "Travel and subsistence", rng.randrange(2_000, 10_000) * 100),
        ]
        requested = sum(amount for _c, _d, amount in lines)
        assert requested <= CEILING_MINOR
        submitted = status != "draft"
        first_submitted = created + timedelta(days=rng.randint(5, 20))
        if first_submitted > self.today:
            first_submitted = self.today
        screened = first_submitted + timedelta(days=rng.randint(5, 20))
        decided = screened + timedelta(days=rng.randint(14, 30))
        reached_committee = status in ("in_review", "approved", "rejected", "deferred")
        screened_at = (
            at(screened) if status in ("ineligible", "returned") or reached_committee else None
        )
        if status in ("in_review",):
            screened = min(screened, self.today)
            screened_at = at(screened)
        decided_at = at(decided) if status in ("approved", "rejected") else None
        approved = None
        if status == "approved":
            approved = requested if rng.random() < 0.85 else requested * 8 // 10
        version = 0 if status == "draft" else (2 if status == "returned" else 1)
        if status == "withdrawn" and rng.random() < 0.4:
            version = 0
        duration = rng.choice([6, 9, 12, 12, 18, 24])
        languages = " ".join(sorted(set(rng.choices(LANGUAGES[:7], LANGUAGE_WEIGHTS[:7], k=2))))
        updated = decided if decided_at else (screened if screened_at else created)
        self.t.add(
            "applications",
            aid,
            reference,
            iso3,
            applicant,
            status,
            version,
            title,
            "The State asks for support to implement recommendations it accepted.",
            "Strengthen the capacity of national institutions.",
            "Workshops, legal review, awareness campaign.",
            duration,
            "National Mechanism for Implementation, Reporting and Follow-up",
            CURRENCY,
            requested,
            "",
            rng.choice([10, 15, 20, 30]),
            languages,
            "Minister of Justice",
            "Minister",
            at(created) if submitted else None,
            applicant if submitted else None,
            at(created),
            at(updated),
            at(first_submitted) if version else None,
            at(first_submitted) if version else None,
            screened_at,
            "Eligible."
            if reached_committee
            else ("Not eligible: see referral." if status == "ineligible" else ""),
            "Referred to the Voluntary Fund for Technical Cooperation."
            if status == "ineligible"
            else "",
            decided_at,
            "Decided by the committee." if decided_at else "",
            approved,
        )
        for theme in themes:
            self.t.add("application_themes", aid, theme)
        self.t.add("application_expertise_themes", aid, themes[0])
        for sdg in sorted({16, rng.randint(1, 17)}):
            self.t.add("application_sdgs", aid, sdg)
        recommendations = []
        for k in range(2):
            rid = self.ids.next("application_recommendations")
            recommendations.append(rid)
            self.t.add(
                "application_recommendations",
                rid,
                aid,
                rng.choice(self.mechanisms),
                f"A/HRC/{rng.randint(30, 58)}/{rng.randint(1, 20)} para. {110 + k}",
                "Strengthen the national human rights institution in line with the Paris Principles.",
                "",
                f"cycle {rng.randint(2, 4)}",
            )
        indicators = []
        for k in range(2):
            iid = self.ids.next("application_indicators")
            indicators.append(iid)
            self.t.add(
                "application_indicators",
                iid,
                aid,
                "Officials trained",
                f"Officials trained (group {k + 1})",
                "0",
                str(rng.randint(20, 200)),
            )
        for category, description, amount in lines:
            self.t.add(
                "application_budget_lines",
                self.ids.next("application_budget_lines"),
                aid,
                category,
                description,
                amount,
            )
        for number in range(1, version + 1):
            snapshot = json.dumps(
                {"title": title, "themes": themes, "requested": requested, "version": number},
                sort_keys=True,
            )
            self.t.add(
                "application_versions",
                self.ids.next("application_versions"),
                aid,
                number,
                at(first_submitted, 3600 * number),
                applicant,
                snapshot,
            )
        if version:
            self.audit_event(
                at(first_submitted),
                "application.submit",
                "application",
                aid,
                (applicant, f"focal.{iso3.lower()}@bench.example"),
                {"reference": reference},
            )
        if reached_committee:
            self.ballot(aid, iso3, status, screened, decided)
        if status == "approved":
            self.approved.append(
                {
                    "application_id": aid,
                    "reference": reference,
                    "state": iso3,
                    "amount": approved,
                    "requested": requested,
                    "experts": lines[0][2],
                    "duration": duration,
                    "decided": decided,
                    "indicators": indicators,
                    "recommendations": recommendations,
                }
            )

    def ballot(self, aid: int, iso3: str, status: str, opened: date, decided: date) -> None:
        rng = self.rng
        bid = self.ids.next("ballots")
        is_open = status == "in_review"
        members = []
        for seat, uid, region, _kind in self.members:
            mid = self.ids.next("ballot_members")
            recused = self.nationality[uid] == iso3
            members.append((mid, recused))
            self.t.add(
                "ballot_members",
                mid,
                bid,
                uid,
                seat,
                region,
                False,
                recused,
                "nationality" if recused else None,
                "National of the applicant State" if recused else "",
                at(opened) if recused else None,
            )
        voters = [m for m, recused in members if not recused]
        if is_open:
            choices = ["approve"] * rng.randint(0, 2)
        elif status == "approved":
            choices = ["approve", "approve", "approve", rng.choice(["reject", "abstain"])]
        elif status == "rejected":
            choices = ["reject", "reject", "reject", rng.choice(["approve", "abstain"])]
        else:  # deferred: no quorum
            choices = ["approve"]
        counts = {"approve": 0, "reject": 0, "abstain": 0}
        for member_id, choice in zip(voters, choices, strict=False):
            counts[choice] += 1
            self.t.add(
                "votes",
                self.ids.next("votes"),
                bid,
                member_id,
                choice,
                "",
                at(opened + timedelta(days=2)),
                0,
            )
        voted = sum(counts.values())
        recused_count = len(members) - len(voters)
        outcome = {"approved": "approved", "rejected": "rejected", "deferred": "deferred"}.get(
            status
        )
        closed = at(decided) if not is_open else None
        deadline = (
            at(self.today + timedelta(days=rng.randint(3, 20))) if is_open else at(decided, 80_000)
        )
        self.t.add(
            "ballots",
            bid,
            aid,
            1,
            "open" if is_open else "closed",
            at(opened),
            self.staff,
            deadline,
            closed,
            self.staff if closed else None,
            outcome,
            None if is_open else status != "deferred",
            counts["approve"],
            counts["reject"],
            counts["abstain"],
            0 if is_open else recused_count,
            0 if is_open else len(voters) - voted,
        )

    # -- grants, releases, deployments, reports --------------------------------------------------

    def grants(self) -> None:
        rng = self.rng
        self.approved.sort(key=lambda a: (a["decided"], a["application_id"]))
        newest = max(1, len(self.approved) * 6 // 100)  # awaiting the State's acceptance
        pending_left = max(2, round(20 * self.scale))
        for index, app in enumerate(self.approved):
            gid = self.ids.next("grants")
            amount = app["amount"]
            expert_budget = min(amount, amount * app["experts"] // app["requested"])
            decided: date = app["decided"]
            iso3 = app["state"]
            awaiting = index >= len(self.approved) - newest
            accepted = None if awaiting else decided + timedelta(days=rng.randint(7, 30))
            if accepted is not None and accepted > self.today:
                accepted = self.today
            start = accepted
            end = add_months(start, app["duration"]) if start else None
            status = "awaiting_acceptance"
            if start and end:
                if end < self.today - timedelta(days=60):
                    status = "cancelled" if rng.random() < 0.08 else "completed"
                else:
                    status = "suspended" if rng.random() < 0.03 else "active"
            ref = app["reference"]
            self.grant_events(gid, ref, decided, "commitment", amount)
            self.audit_event(
                at(decided), "grant.create", "grant", gid, self.staff_actor, {"amount": amount}
            )
            tranche_amount = amount - expert_budget
            first = tranche_amount * 60 // 100
            tranche_ids = []
            interim_due = (
                add_months(start, 12 if app["duration"] > 12 else app["duration"] // 2)
                if start
                else None
            )
            interim_ok = bool(
                interim_due
                and (status == "completed" or interim_due + timedelta(days=30) < self.today)
            )
            interim_accepted = (
                interim_due + timedelta(days=20) if interim_ok and interim_due else None
            )
            for number, (percent, part, condition, met) in enumerate(
                [
                    (60, first, "acceptance", accepted),
                    (40, tranche_amount - first, "interim_report", interim_accepted),
                ],
                1,
            ):
                if part <= 0:
                    tranche_ids.append(None)
                    continue
                tid = self.ids.next("tranches")
                tranche_ids.append(tid)
                self.t.add(
                    "tranches", tid, gid, number, percent, part, condition, at(met) if met else None
                )
            paid = 0
            closed = None
            if accepted:
                # First tranche, paid two weeks after acceptance (not always for a cancelled grant).
                if tranche_ids[0] and (status != "cancelled" or rng.random() < 0.5):
                    paid += self.release(
                        gid,
                        ref,
                        iso3,
                        tranche_ids[0],
                        "tranche",
                        first,
                        accepted + timedelta(days=14),
                    )
                if interim_accepted and tranche_ids[1] and status in ("active", "completed"):
                    second = tranche_amount - first
                    if status == "active" and pending_left > 0:
                        pending_left -= 1
                        self.pending_release(gid, iso3, tranche_ids[1], second, interim_accepted)
                    else:
                        paid += self.release(
                            gid,
                            ref,
                            iso3,
                            tranche_ids[1],
                            "tranche",
                            second,
                            interim_accepted + timedelta(days=10),
                        )
                paid += self.deployment(gid, ref, iso3, status, start, end, expert_budget)
                self.reports(gid, app, status, start, end, interim_due, interim_accepted)
                if status in ("completed", "cancelled"):
                    closed = end if status == "completed" else start + timedelta(days=90)
                    closed = min(closed + timedelta(days=30), self.today - timedelta(days=1))
                    if amount - paid > 0:
                        self.grant_events(gid, ref, closed, "release", amount - paid)
            self.t.add(
                "grants",
                gid,
                app["application_id"],
                ref,
                iso3,
                CURRENCY,
                amount,
                expert_budget,
                app["duration"],
                status,
                at(decided),
                at(decided, 50_000),
                at(accepted) if accepted else None,
                self.applicant[iso3] if accepted else None,
                "Minister of Justice" if accepted else "",
                "Minister" if accepted else "",
                start,
                end,
                "Cancelled at the State's request."
                if status == "cancelled"
                else ("Suspended pending an audit." if status == "suspended" else ""),
                at(closed) if closed else None,
                at(closed) if status == "completed" and closed else None,
            )

    def grant_events(
        self,
        gid: int,
        ref: str,
        day: date,
        kind: str,
        amount: int,
        memo: str = "",
        disbursement: int | None = None,
    ) -> None:
        self.events.append(
            (
                day,
                2 if kind == "commitment" else 3,
                kind,
                {
                    "grant": gid,
                    "ref": ref,
                    "amount": amount,
                    "memo": memo,
                    "disbursement": disbursement,
                },
            )
        )

    def release(
        self,
        gid: int,
        ref: str,
        iso3: str,
        tranche: int | None,
        kind: str,
        amount: int,
        day: date,
        deployment: int | None = None,
        payee: str = "",
    ) -> int:
        day = min(day, self.today)
        did = self.ids.next("disbursements")
        payee = payee or f"Government of {self.name_of[iso3]}"
        reference = f"PAY-{ref}-{did}"
        self.disbursement_rows.append(
            [
                did,
                gid,
                tranche,
                deployment,
                kind,
                amount,
                CURRENCY,
                "paid",
                "",
                payee[:200],
                self.staff,
                at(day, 30_000),
                self.staff2,
                at(day),
                reference,
                None,
            ]
        )
        self.grant_events(
            gid,
            ref,
            day,
            "disbursement",
            amount,
            memo=f"{ref} — {kind} to {payee} ({reference})",
            disbursement=did,
        )
        self.audit_event(
            at(day),
            "disbursement.approve",
            "disbursement",
            did,
            (self.staff2, "finance@bench.example"),
            {"payment_reference": reference},
        )
        return amount

    def pending_release(self, gid: int, iso3: str, tranche: int, amount: int, day: date) -> None:
        did = self.ids.next("disbursements")
        self.disbursement_rows.append(
            [
                did,
                gid,
                tranche,
                None,
                "tranche",
                amount,
                CURRENCY,
                "pending_approval",
                "",
                f"Government of {self.name_of[iso3]}",
                self.staff,
                at(day),
                None,
                None,
                "",
                None,
            ]
        )

    def deployment(
        self, gid: int, ref: str, iso3: str, grant_status: str, start: date, end: date, budget: int
    ) -> int:
        """One expert mission for most accepted grants; returns what was paid for it."""
        rng = self.rng
        if rng.random() > 0.8 or not self.active_experts:
            return 0
        for _ in range(5):
            eid, nationality, rate = rng.choice(self.active_experts)
            if nationality != iso3:
                break
        else:
            return 0
        days = min(10, budget // rate)
        if days < 1:
            return 0
        fee = rate * days
        travel = min(budget - fee, 250_000)
        if grant_status == "completed":
            status = "completed"
        elif grant_status in ("cancelled", "suspended"):
            status = rng.choice(["cancelled", "declined"])
        else:
            status = rng.choices(
                ["proposed", "accepted", "scheduled", "reported", "completed"], [2, 2, 4, 1, 3]
            )[0]
        if status in ("reported", "completed") and start + timedelta(days=days + 60) > self.today:
            status = "scheduled"  # too recent a grant for a mission already carried out
        if status in ("proposed", "accepted", "scheduled"):
            begin = self.today + timedelta(days=rng.randint(10, 120))
        else:
            begin = start + timedelta(days=30)
        finish = begin + timedelta(days=days - 1)
        did = self.ids.next("deployments")
        created = min(begin - timedelta(days=20), self.today)
        answered = created + timedelta(days=3) if status != "proposed" else None
        consented = (
            created + timedelta(days=6)
            if status in ("scheduled", "reported", "completed")
            else None
        )
        reported = finish + timedelta(days=10) if status in ("reported", "completed") else None
        completed = finish + timedelta(days=20) if status == "completed" else None
        rating = rng.randint(3, 5) if status == "completed" else None
        self.t.add(
            "deployments",
            did,
            self.reference("DEP", created),
            gid,
            eid,
            status,
            "Advise the ministry on the draft law and train its staff in two workshops.",
            begin,
            finish,
            days,
            rate,
            CURRENCY,
            "1",
            CURRENCY,
            fee,
            travel,
            self.staff,
            at(created),
            at(answered) if answered else None,
            "Not available on those dates." if status == "declined" else "",
            self.applicant[iso3] if consented else None,
            "Minister of Justice" if consented else "",
            "Minister" if consented else "",
            at(consented) if consented else None,
            "Mission carried out as planned." if reported else "",
            "",
            "",
            "",
            at(reported) if reported else None,
            "",
            self.staff if completed else None,
            at(completed) if completed else None,
            "Grant closed." if status == "cancelled" else "",
            at(created + timedelta(days=5)) if status == "cancelled" else None,
            rating,
            "",
            self.applicant[iso3] if rating else None,
            at(completed + timedelta(days=5)) if rating and completed else None,
        )
        if status != "completed":
            return 0
        assert completed is not None
        paid = self.release(
            gid, ref, iso3, None, "expert_fee", fee, completed, did, f"Expert {eid}"
        )
        if travel:
            paid += self.release(
                gid, ref, iso3, None, "travel", travel, completed, did, f"Expert {eid}"
            )
        return paid

    def reports(
        self,
        gid: int,
        app: dict[str, Any],
        status: str,
        start: date,
        end: date,
        interim_due: date | None,
        interim_accepted: date | None,
    ) -> None:
        schedule = [
            ("interim", interim_due, interim_accepted),
            ("final", end, end + timedelta(days=25) if status == "completed" else None),
        ]
        for kind, due, accepted in schedule:
            if due is None:
                continue
            rid = self.ids.next("reports")
            submitted = accepted - timedelta(days=10) if accepted else None
            self.t.add(
                "reports",
                rid,
                gid,
                kind,
                due,
                "accepted" if accepted else "due",
                "Officials trained; draft law tabled." if accepted else "",
                "",
                "",
                "",
                self.applicant[app["state"]] if submitted else None,
                at(submitted) if submitted else None,
                "",
                self.staff if accepted else None,
                at(accepted) if accepted else None,
                at(accepted) if accepted else None,
                at(start),
            )
            if not accepted:
                continue
            for iid in app["indicators"]:
                self.t.add("report_indicators", rid, iid, str(self.rng.randint(10, 150)), "")
            for rec in app["recommendations"]:
                self.t.add(
                    "report_recommendations",
                    rid,
                    rec,
                    self.rng.choice(["in_progress", "partially_implemented", "implemented"]),
                    "",
                )
            if kind == "final" and self.rng.random() < 0.05:
                story_day = accepted + timedelta(days=15)
                self.t.add(
                    "stories",
                    self.ids.next("stories"),
                    gid,
                    rid,
                    "published",
                    f"{self.name_of[app['state']]}: {app['reference']} delivered",
                    "The State reports progress on the recommendations it received.",
                    "",
                    "",
                    self.staff,
                    at(story_day),
                    at(story_day),
                    at(story_day),
                    self.applicant[app["state"]],
                    "Minister of Justice",
                    "Minister",
                    at(story_day + timedelta(days=3)),
                    "",
                    at(story_day + timedelta(days=4)),
                    "",
                )

    # -- contributions -------------------------------------------------------------------------------

    def contributions(self) -> None:
        """Fill the ledger up to its target size with money coming in."""
        rng = self.rng
        grant_entries = sum(
            {"commitment": 2, "release": 2, "disbursement": 4}[kind]
            for _d, _o, kind, _p in self.events
        )
        left = max(100, self.n_entries - grant_entries)
        n_pledges = max(2, left * 2 // 100 // 4)
        n_bank = max(4, left * 10 // 100 // 2)
        n_refunds = max(1, left * 3 // 1000 // 4)
        n_card = max(4, (left - 4 * n_pledges - 2 * n_bank - 2 * n_refunds) // 4)
        governments = self.donors[: max(4, min(50, len(self.donors) // 4))]
        last = self.today - timedelta(days=1)

        def contribution(
            donor: tuple[int, str], kind: str, day: date, amount: int, **extra: Any
        ) -> int:
            cid = self.ids.next("contributions")
            status = extra.get("status", "received")
            received = extra.get("received", amount)
            self.t.add(
                "contributions",
                cid,
                donor[0],
                kind,
                status,
                amount,
                CURRENCY,
                "1",
                amount,
                CURRENCY,
                received,
                extra.get("refunded", 0),
                extra.get("fee", 0),
                extra.get("reference", ""),
                "",
                extra.get("pi"),
                extra.get("pi"),
                self.reference("R", day) if received else None,
                extra.get("due_on"),
                None if kind == "card" else self.staff,
                at(day, 30_000),
                at(day) if received else None,
            )
            return cid

        for k in range(n_bank):
            donor = governments[k % len(governments)]
            day = self.day_between(self.start, last)
            amount = rng.randrange(2_000, 12_000) * 100
            reference = f"BNK-{k + 1:07d}"
            cid = contribution(donor, "bank", day, amount, reference=reference)
            self.events.append(
                (
                    day,
                    0,
                    "contribution",
                    {
                        "donor": donor,
                        "amount": amount,
                        "memo": f"Bank transfer {reference} (USD {amount / 100:.2f})",
                        "external": f"bank:{donor[0]}:{reference}",
                    },
                )
            )
            self.audit_event(
                at(day),
                "contribution.bank",
                "contribution",
                cid,
                self.staff_actor,
                {"base": amount},
            )
        for k in range(n_card):
            donor = rng.choice(self.donors)
            day = self.day_between(self.start, last)
            amount = rng.choice([1_000, 2_500, 5_000, 10_000, 25_000, 50_000])
            fee = amount * 29 // 1000 + 30
            pi = f"pi_bench{k + 1:09d}"
            refunded = k < n_refunds
            contribution(
                donor,
                "card",
                day,
                amount,
                fee=fee,
                pi=pi,
                reference=pi,
                status="refunded" if refunded else "received",
                refunded=amount if refunded else 0,
            )
            self.events.append(
                (
                    day,
                    0,
                    "contribution",
                    {
                        "donor": donor,
                        "amount": amount,
                        "memo": f"Card gift {pi}",
                        "external": f"stripe:{pi}",
                    },
                )
            )
            self.events.append(
                (
                    day,
                    1,
                    "fee",
                    {
                        "donor": donor,
                        "amount": fee,
                        "memo": f"Card fee for {pi}",
                        "external": f"stripe-fee:{pi}",
                    },
                )
            )
            if refunded:
                self.events.append(
                    (
                        min(day + timedelta(days=3), last),
                        4,
                        "refund",
                        {
                            "donor": donor,
                            "amount": amount,
                            "memo": f"Refund of {pi}",
                            "external": f"stripe-refund:{pi}",
                        },
                    )
                )
        for k in range(n_pledges):
            donor = governments[k % len(governments)]
            day = self.day_between(self.start, last - timedelta(days=60))
            amount = rng.randrange(10_000, 100_000) * 100
            full = rng.random() < 0.7
            received = amount if full else amount // 2
            cid = contribution(
                donor,
                "pledge",
                day,
                amount,
                received=received,
                status="received" if full else "pledged",
                reference=f"PLG-{k + 1:05d}",
                due_on=day + timedelta(days=90),
            )
            self.events.append(
                (
                    day,
                    0,
                    "pledge",
                    {"donor": donor, "amount": amount, "memo": f"Pledge PLG-{k + 1:05d}"},
                )
            )
            self.events.append(
                (
                    day + timedelta(days=45),
                    0,
                    "pledge_receipt",
                    {
                        "donor": donor,
                        "amount": received,
                        "memo": f"Payment PAY-{k + 1:05d} on pledge {cid}",
                    },
                )
            )

    # -- the ledger ------------------------------------------------------------------------------------

    def ledger(self) -> None:
        accounts: dict[str, list[Any]] = {}

        def account(
            code: str, category: str, name: str, donor: int | None = None, grant: int | None = None
        ) -> int:
            if code not in accounts:
                accounts[code] = [self.ids.next("ledger_accounts"), category, name, donor, grant, 0]
            return int(accounts[code][0])

        cash = account("cash", "cash", "Fund cash")
        fees = account("fees", "fees", "Payment fees")
        set_aside = account("committed_funds", "committed_funds", "Funds set aside for commitments")

        def donor_account(donor: tuple[int, str], prefix: str, category: str, label: str) -> int:
            return account(
                f"{prefix}:donor:{donor[0]}", category, f"{label} — {donor[1]}", donor=donor[0]
            )

        def grant_account(p: dict[str, Any], prefix: str, category: str, label: str) -> int:
            return account(
                f"{prefix}:grant:{p['grant']}", category, f"{label} — {p['ref']}", grant=p["grant"]
            )

        self.events.sort(key=lambda e: (e[0], e[1]))
        transaction_of: dict[int, int] = {}
        running_cash = 0
        running_free = 0  # cash not set aside
        month_totals: dict[tuple[int, date, str], int] = defaultdict(int)
        for day, order, kind, p in self.events:
            amount = p["amount"]
            if kind == "contribution":
                legs = [
                    (cash, amount),
                    (
                        donor_account(
                            p["donor"], "contributions", "contributions", "Contributions"
                        ),
                        -amount,
                    ),
                ]
            elif kind == "fee":
                legs = [(fees, amount), (cash, -amount)]
            elif kind == "refund":
                legs = [
                    (
                        donor_account(
                            p["donor"], "contributions", "contributions", "Contributions"
                        ),
                        amount,
                    ),
                    (cash, -amount),
                ]
            elif kind == "pledge":
                legs = [
                    (donor_account(p["donor"], "pledges", "pledges", "Pledges"), amount),
                    (
                        donor_account(
                            p["donor"], "contributions", "contributions", "Contributions"
                        ),
                        -amount,
                    ),
                ]
            elif kind == "pledge_receipt":
                legs = [
                    (cash, amount),
                    (donor_account(p["donor"], "pledges", "pledges", "Pledges"), -amount),
                ]
            elif kind == "commitment":
                legs = [
                    (set_aside, amount),
                    (grant_account(p, "commitment", "commitment", "Commitment"), -amount),
                ]
            elif kind == "disbursement":
                legs = [
                    (grant_account(p, "commitment", "commitment", "Commitment"), amount),
                    (set_aside, -amount),
                    (grant_account(p, "disbursements", "disbursements", "Disbursements"), amount),
                    (cash, -amount),
                ]
            else:  # release of an undisbursed commitment
                legs = [
                    (grant_account(p, "commitment", "commitment", "Commitment"), amount),
                    (set_aside, -amount),
                ]
            for account_id, change in legs:
                if account_id == cash:
                    running_cash += change
                    running_free += change
                if account_id == set_aside:
                    running_free -= change
            if running_cash < 0 or running_free < 0:
                raise SystemExit(f"generated money ran out on {day} ({kind}): change the mix")
            tid = self.ids.next("ledger_transactions")
            grant = p.get("grant")
            donor = p.get("donor")
            self.t.add(
                "ledger_transactions",
                tid,
                kind,
                at(day, 40_000 + order),
                day,
                p.get("memo")
                or (
                    f"Commitment to {p['ref']}"
                    if kind == "commitment"
                    else f"Undisbursed commitment of {p.get('ref')} released"
                ),
                None if donor else self.staff,
                p.get("external"),
                grant,
                donor[0] if donor else None,
            )
            for account_id, change in legs:
                self.t.add(
                    "ledger_entries",
                    self.ids.next("ledger_entries"),
                    tid,
                    account_id,
                    change,
                    CURRENCY,
                )
                month_totals[(account_id, day.replace(day=1), kind)] += change
            if p.get("disbursement"):
                transaction_of[p["disbursement"]] = tid
        for (account_id, month, kind), total in month_totals.items():
            if total:
                self.t.add("ledger_month_totals", account_id, month, kind, total)
        balances: dict[int, int] = defaultdict(int)
        for _e, _t, account_id, change, _c in self.t.rows["ledger_entries"]:
            balances[account_id] += change
        for code, (aid, category, name, donor, grant, _b) in accounts.items():
            self.t.add(
                "ledger_accounts",
                aid,
                code,
                category,
                name[:200],
                CURRENCY,
                donor,
                grant,
                balances[aid],
                at(self.start),
            )
        for row in self.disbursement_rows:
            row[15] = transaction_of.get(row[0])
            self.t.add("disbursements", *row)

    def audit_log(self) -> tuple[int, str]:
        self.audit.sort(key=lambda item: item[0])
        previous = GENESIS_HASH
        for n, (when, values) in enumerate(self.audit, 1):
            event = SimpleNamespace(id=n, created_at=when, **values)
            digest = chain_hash(previous, canonical_record(event))  # type: ignore[arg-type]
            self.t.add(
                "audit_events",
                n,
                when,
                values["actor_id"],
                values["actor_email"],
                values["origin"],
                values["action"],
                values["object_type"],
                values["object_id"],
                values["data"],
                previous,
                digest,
            )
            previous = digest
        return len(self.audit), previous

    def build(self) -> tuple[int, str]:
        self.disbursement_rows: list[list[Any]] = []
        steps = [
            self.people,
            self.experts,
            self.applications,
            self.grants,
            self.contributions,
            self.ledger,
        ]
        for step in steps:
            began = time.perf_counter()
            step()
            print(f"  built {step.__name__:<14} {time.perf_counter() - began:6.1f} s", flush=True)
        return self.audit_log()


ORDER = [
    "users",
    "committee_seats",
    "experts",
    "expert_languages",
    "expert_themes",
    "expert_mechanisms",
    "expert_availability",
    "applications",
    "application_themes",
    "application_expertise_themes",
    "application_sdgs",
    "application_recommendations",
    "application_indicators",
    "application_budget_lines",
    "application_versions",
    "ballots",
    "ballot_members",
    "votes",
    "grants",
    "tranches",
    "deployments",
    "reports",
    "report_indicators",
    "report_recommendations",
    "stories",
    "contributions",
    "ledger_accounts",
    "ledger_transactions",
    "ledger_entries",
    "ledger_month_totals",
    "disbursements",
    "audit_events",
]


def load(url: str, gen: Generator, audit_head: tuple[int, str]) -> None:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM users")
        if cur.fetchone()[0]:  # type: ignore[index]
            raise SystemExit(
                "the database is not empty: create a fresh one (createdb) and migrate it"
            )
        for table in ORDER:
            rows = gen.t.rows.get(table, [])
            if not rows:
                continue
            began = time.perf_counter()
            columns = ", ".join(f'"{c}"' for c in gen.t.columns[table])
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            print(
                f"  copied {table:<30} {len(rows):>9,} rows {time.perf_counter() - began:6.1f} s",
                flush=True,
            )
        for table, value in gen.ids.values.items():
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", (value,))
        for name, value in gen.sequences.items():
            cur.execute("INSERT INTO sequences (name, value) VALUES (%s, %s)", (name, value))
        cur.execute("UPDATE audit_head SET last_id = %s, last_hash = %s WHERE id = 1", audit_head)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  vacuum analyze {time.perf_counter() - began:6.1f} s", flush=True)


def verify(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    for group in ("ledger", "audit"):
        began = time.perf_counter()
        result = subprocess.run([*flask, group, "verify"], cwd=ROOT, env=env, check=False)
        print(f"  {group} verify: exit {result.returncode} ({time.perf_counter() - began:.1f} s)")
        if result.returncode:
            raise SystemExit(f"{group} verify failed on the generated data")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies every count (1.0: the design.md §7 data set)",
    )
    parser.add_argument(
        "--experts",
        type=int,
        default=10_000,
        help="experts at scale 1.0 (the roster issue asks 10,000)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--no-verify", action="store_true", help="skip ledger verify and audit verify"
    )
    args = parser.parse_args()
    url = database_url()
    began = time.perf_counter()
    gen = Generator(args.scale, args.experts, args.seed)
    print(f"generating at scale {args.scale} into {url.rsplit('/', 1)[-1]}", flush=True)
    head = gen.build()
    load(url, gen, head)
    counts = {
        t: len(gen.t.rows.get(t, []))
        for t in (
            "applications",
            "grants",
            "ledger_entries",
            "experts",
            "contributions",
            "audit_events",
        )
    }
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if not args.no_verify:
        verify(url)
    print(f"done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
