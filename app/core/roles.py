"""The seven roles and the five UN regional groups (DESIGN §2): stable codes, never labels."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    APPLICANT = "applicant"
    COMMITTEE = "committee"
    SECRETARIAT = "secretariat"
    EXPERT = "expert"
    DONOR = "donor"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def needs_totp(self) -> bool:
        return self in TOTP_ROLES

    @property
    def self_registrable(self) -> bool:
        return self in SELF_REGISTRATION_ROLES


ROLE_LABELS = {
    Role.APPLICANT: _l("State focal point"),
    Role.COMMITTEE: _l("Committee member"),
    Role.SECRETARIAT: _l("Secretariat"),
    Role.EXPERT: _l("Expert"),
    Role.DONOR: _l("Donor"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}

TOTP_ROLES = frozenset({Role.SECRETARIAT, Role.COMMITTEE, Role.ADMIN})
SELF_REGISTRATION_ROLES = frozenset({Role.DONOR, Role.EXPERT})

# Who may invite whom. Roles above `expert` are only ever assigned by someone else.
INVITABLE_BY: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.SECRETARIAT: frozenset({Role.APPLICANT, Role.COMMITTEE, Role.EXPERT, Role.DONOR}),
}


class Region(StrEnum):
    AFRICAN = "african"
    ASIA_PACIFIC = "asia_pacific"
    EASTERN_EUROPEAN = "eastern_european"
    GRULAC = "grulac"
    WEOG = "weog"

    @property
    def label(self) -> str:
        return str(REGION_LABELS[self])


REGION_LABELS = {
    Region.AFRICAN: _l("African States"),
    Region.ASIA_PACIFIC: _l("Asia-Pacific States"),
    Region.EASTERN_EUROPEAN: _l("Eastern European States"),
    Region.GRULAC: _l("Latin American and Caribbean States"),
    Region.WEOG: _l("Western European and other States"),
}
