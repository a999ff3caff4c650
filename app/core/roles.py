"""The seven roles and the five UN regional groups (design.md §2): stable codes, never labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.labels import LabelledEnum


class Role(LabelledEnum):
    APPLICANT = "applicant", _l("State focal point")
    COMMITTEE = "committee", _l("Committee member")
    SECRETARIAT = "secretariat", _l("Secretariat")
    EXPERT = "expert", _l("Expert")
    DONOR = "donor", _l("Donor")
    AUDITOR = "auditor", _l("Auditor")
    ADMIN = "admin", _l("Administrator")

    @property
    def needs_totp(self) -> bool:
        return self in TOTP_ROLES

    @property
    def self_registrable(self) -> bool:
        return self in SELF_REGISTRATION_ROLES


TOTP_ROLES = frozenset({Role.SECRETARIAT, Role.COMMITTEE, Role.ADMIN})
SELF_REGISTRATION_ROLES = frozenset({Role.DONOR, Role.EXPERT})

# Who may invite whom. Roles above `expert` are only ever assigned by someone else.
INVITABLE_BY: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.SECRETARIAT: frozenset({Role.APPLICANT, Role.COMMITTEE, Role.EXPERT, Role.DONOR}),
}


class Region(LabelledEnum):
    AFRICAN = "african", _l("African States")
    ASIA_PACIFIC = "asia_pacific", _l("Asia-Pacific States")
    EASTERN_EUROPEAN = "eastern_european", _l("Eastern European States")
    GRULAC = "grulac", _l("Latin American and Caribbean States")
    WEOG = "weog", _l("Western European and other States")
