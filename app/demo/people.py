"""The demo's people: one or more users for every role, with known sign-ins."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.auth import services as auth
from app.auth import totp
from app.auth.models import User
from app.core.roles import Region, Role

DEMO_PASSWORD = "sptf-demo-password"  # noqa: S105 (printed for demo sign-ins)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    email: str
    name: str
    role: Role
    state: str | None = None
    region: Region | None = None
    vetted: bool = True


PEOPLE = [
    DemoPerson("admin", "admin@sptf.example", "Ingrid Solberg", Role.ADMIN, "NOR"),
    DemoPerson("secretariat", "secretariat@sptf.example", "Amara Diallo", Role.SECRETARIAT, "SEN"),
    DemoPerson("secretariat2", "finance@sptf.example", "Tomás Herrera", Role.SECRETARIAT, "CHL"),
    DemoPerson("auditor", "auditor@sptf.example", "Margit Kovács", Role.AUDITOR, "HUN"),
    DemoPerson(
        "committee_african",
        "committee.african@sptf.example",
        "Wanjiru Kamau",
        Role.COMMITTEE,
        "KEN",
        Region.AFRICAN,
    ),
    DemoPerson(
        "committee_asia_pacific",
        "committee.asia@sptf.example",
        "Rahul Mehta",
        Role.COMMITTEE,
        "IND",
        Region.ASIA_PACIFIC,
    ),
    DemoPerson(
        "committee_eastern_european",
        "committee.eeg@sptf.example",
        "Ana Popescu",
        Role.COMMITTEE,
        "ROU",
        Region.EASTERN_EUROPEAN,
    ),
    DemoPerson(
        "committee_grulac",
        "committee.grulac@sptf.example",
        "Lucía Fernández",
        Role.COMMITTEE,
        "JAM",
        Region.GRULAC,
    ),
    DemoPerson(
        "committee_grulac_alt",
        "committee.grulac.alt@sptf.example",
        "Mateo Silva",
        Role.COMMITTEE,
        "URY",
        Region.GRULAC,
    ),
    DemoPerson(
        "committee_weog",
        "committee.weog@sptf.example",
        "Pieter de Vries",
        Role.COMMITTEE,
        "NLD",
        Region.WEOG,
    ),
    DemoPerson("applicant_fji", "focal.point@fiji.example", "Mere Tuilagi", Role.APPLICANT, "FJI"),
    DemoPerson(
        "applicant_mwi", "focal.point@malawi.example", "Chikondi Banda", Role.APPLICANT, "MWI"
    ),
    DemoPerson(
        "applicant_jam", "focal.point@jamaica.example", "Andre Campbell", Role.APPLICANT, "JAM"
    ),
    DemoPerson(
        "applicant_npl", "focal.point@nepal.example", "Sita Shrestha", Role.APPLICANT, "NPL"
    ),
    DemoPerson(
        "applicant_ecu", "focal.point@ecuador.example", "Diego Paredes", Role.APPLICANT, "ECU"
    ),
    DemoPerson(
        "donor",
        "donor@norway-mfa.example",
        "Norwegian Ministry of Foreign Affairs",
        Role.DONOR,
        "NOR",
    ),
    DemoPerson(
        "donor_foundation", "grants@openrights.example", "Open Rights Foundation", Role.DONOR, "DEU"
    ),
    DemoPerson("donor_person", "maria.rossi@mail.example", "Maria Rossi", Role.DONOR, "ITA"),
    DemoPerson("expert", "expert@roster.example", "Adaeze Okafor", Role.EXPERT, "NGA"),
    DemoPerson(
        "expert_unvetted",
        "new.expert@roster.example",
        "Bilal Haddad",
        Role.EXPERT,
        "LBN",
        vetted=False,
    ),
]


def demo_totp_secret(email: str) -> str:
    """A fixed secret per demo user, so the printed instructions stay valid across runs."""
    digest = hashlib.sha256(f"sptf-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def ensure_people(session: Session) -> dict[str, User]:
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = auth.find_user_by_email(session, person.email)
        if user is None:
            user = auth.create_user(
                session,
                email=person.email,
                role=person.role,
                name=person.name,
                state_iso3=person.state,
                region=person.region,
                password=DEMO_PASSWORD,
                vetted=person.vetted,
            )
        if person.role.needs_totp and not user.has_totp:
            secret = demo_totp_secret(person.email)
            auth.confirm_totp_enrolment(session, user, secret, totp.code_for(secret))
            # Enrolment used the current code; let a sign-in use it too.
            user.totp_last_counter = None
        users[person.key] = user
    return users
