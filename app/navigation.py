"""The main navigation for each role. Entries whose endpoint does not exist are skipped."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str

    @property
    def active(self) -> bool:
        return request.endpoint == self.endpoint or (
            request.endpoint is not None
            and self.endpoint != "dashboard.index"
            and request.endpoint.split(".")[0] == self.endpoint.split(".")[0]
            and request.endpoint.startswith(self.endpoint.rsplit(".", 1)[0] + ".")
            and self.endpoint.endswith(".index")
        )


DASHBOARD = NavItem(_l("Dashboard"), "dashboard.index")

MENUS: dict[Role | None, list[NavItem]] = {
    None: [
        NavItem(_l("Home"), "public.home"),
        NavItem(_l("The fund"), "ledger.fund"),
        NavItem(_l("Projects"), "transparency.projects_index"),
        NavItem(_l("Stories"), "transparency.stories_index"),
        NavItem(_l("Annual report"), "transparency.annual_report"),
        NavItem(_l("Open data"), "opendata.index"),
    ],
    Role.APPLICANT: [
        DASHBOARD,
        NavItem(_l("Requests"), "applications.index"),
        NavItem(_l("Grants"), "grants.index"),
        NavItem(_l("Reports"), "reports.index"),
        NavItem(_l("Missions"), "deployments.index"),
    ],
    Role.COMMITTEE: [
        DASHBOARD,
        NavItem(_l("Ballots"), "committee.index"),
        NavItem(_l("Requests"), "applications.index"),
    ],
    Role.SECRETARIAT: [
        DASHBOARD,
        NavItem(_l("Screening"), "screening.queue"),
        NavItem(_l("Ballots"), "committee.index"),
        NavItem(_l("Requests"), "applications.index"),
        NavItem(_l("Grants"), "grants.index"),
        NavItem(_l("Reports"), "reports.index"),
        NavItem(_l("Roster"), "roster.roster"),
        NavItem(_l("Missions"), "deployments.index"),
        NavItem(_l("Contributions"), "contributions.index"),
        NavItem(_l("Ledger"), "ledger.index"),
        NavItem(_l("People"), "admin.invitations"),
    ],
    Role.EXPERT: [
        DASHBOARD,
        NavItem(_l("My profile"), "experts.profile"),
        NavItem(_l("Missions"), "deployments.index"),
    ],
    Role.DONOR: [
        DASHBOARD,
        NavItem(_l("Give"), "contributions.give"),
        NavItem(_l("My contributions"), "contributions.index"),
        NavItem(_l("Ledger"), "ledger.index"),
    ],
    Role.AUDITOR: [
        DASHBOARD,
        NavItem(_l("Requests"), "applications.index"),
        NavItem(_l("Ballots"), "committee.index"),
        NavItem(_l("Grants"), "grants.index"),
        NavItem(_l("Reports"), "reports.index"),
        NavItem(_l("Roster"), "roster.roster"),
        NavItem(_l("Missions"), "deployments.index"),
        NavItem(_l("Contributions"), "contributions.index"),
        NavItem(_l("Ledger"), "ledger.index"),
        NavItem(_l("Audit log"), "auditlog.index"),
        NavItem(_l("Outbox"), "admin.outbox"),
    ],
    Role.ADMIN: [
        DASHBOARD,
        NavItem(_l("Users"), "admin.users"),
        NavItem(_l("Invitations"), "admin.invitations"),
        NavItem(_l("Audit log"), "auditlog.index"),
        NavItem(_l("Outbox"), "admin.outbox"),
        NavItem(_l("Settings"), "admin.settings_page"),
    ],
}


def nav_items() -> list[NavItem]:
    role = current_user.role_enum if current_user.is_authenticated else None
    endpoints = current_app.view_functions
    return [item for item in MENUS.get(role, []) if item.endpoint in endpoints]
