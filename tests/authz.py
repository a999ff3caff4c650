"""The cast of the authorization matrix (design.md §7) and the expected table.

Every route × every role. A route that exists in the app but not in EXPECTED fails the test,
so a new route cannot ship without deciding who may reach it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from werkzeug.datastructures import FileStorage

from app.applications import services as applications
from app.auth import services as auth
from app.auth.models import User
from app.committee import seats
from app.contributions import corrections
from app.contributions import services as contributions
from app.core import uploads
from app.core.database import today
from app.experts import profiles
from app.extensions import db
from app.grants import services as grants
from tests import builders
from tests.factories import Factory

ROLES = (
    "anonymous",
    "applicant",  # the owning State's focal point
    "applicant_other",  # another State's focal point
    "committee",
    "committee_recused",  # a national of the owning State
    "committee_other",  # a seated committee member who sits on none of these ballots
    "secretariat",
    "secretariat2",
    "expert",
    "donor",
    "auditor",
    "admin",
)

OK, LOGIN, DENY, HIDE = "ok", "login", "deny", "hide"


def everyone(outcome: str = OK) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str = OK) -> dict[str, str]:
    return {**dict.fromkeys(ROLES, outcome), "anonymous": LOGIN}


def only(*roles: str, other: str = DENY) -> dict[str, str]:
    table = signed_in(other)
    for role in roles:
        table[role] = OK
    return table


SECRETARIAT = ("secretariat", "secretariat2")
COMMITTEE = ("committee", "committee_recused", "committee_other")
# A committee member sees only the ballots it belongs to (design.md §2); a recused member may
# read its ballot but not act on it.
NOT_ON_BALLOT = {"committee_other": HIDE}
BALLOT_ACTION = {**only(*COMMITTEE), "committee_recused": DENY, **NOT_ON_BALLOT}
APPLICATION_READERS = ("applicant", "applicant_other", *COMMITTEE, *SECRETARIAT, "auditor")
GRANT_READERS = ("applicant", "applicant_other", *SECRETARIAT, "donor", "auditor")
# An application in committee review, as each role reaches it.
REVIEWED = {**only(*APPLICATION_READERS), "applicant_other": HIDE, **NOT_ON_BALLOT}
# The owning State's own draft: others of its role get 404, other roles 403.
OWN_DRAFT_ACTION = {**only("applicant"), "applicant_other": HIDE}
# A draft exists only for its State (and the auditor).
DRAFT_HIDDEN = {
    "applicant_other": HIDE,
    "committee": HIDE,
    "committee_recused": HIDE,
    "committee_other": HIDE,
    "secretariat": HIDE,
    "secretariat2": HIDE,
}
# A mission: seen by the fund, the expert and the State it is for.
MISSION_READERS = ("applicant", "expert", *SECRETARIAT, "auditor")
MISSION = {**only(*MISSION_READERS), "applicant_other": HIDE}
# A report: seen by the fund and the State that writes it.
REPORT_READERS = ("applicant", *SECRETARIAT, "auditor")
REPORT = {**only(*REPORT_READERS), "applicant_other": HIDE}
# An ineligible request never reached the committee.
SCREENED_OUT_HIDDEN = {
    "applicant_other": HIDE,
    "committee": HIDE,
    "committee_recused": HIDE,
    "committee_other": HIDE,
}

# (endpoint, method) -> {role: outcome}
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("public.home", "GET"): everyone(),
    ("public.healthz", "GET"): everyone(),
    ("public.set_language", "POST"): everyone(),
    ("auth.login", "GET"): everyone(),
    ("auth.login", "POST"): everyone(),
    ("auth.verify_totp", "GET"): everyone(),
    ("auth.verify_totp", "POST"): everyone(),
    ("auth.enrol_totp", "GET"): everyone(),
    ("auth.enrol_totp", "POST"): everyone(),
    ("auth.logout", "POST"): everyone(),
    ("auth.register", "GET"): everyone(),
    ("auth.register", "POST"): everyone(),
    ("auth.finish_registration", "GET"): everyone(),
    ("auth.finish_registration", "POST"): everyone(),
    ("auth.forgot_password", "GET"): everyone(),
    ("auth.forgot_password", "POST"): everyone(),
    ("auth.reset_password", "GET"): everyone(),
    ("auth.reset_password", "POST"): everyone(),
    ("auth.accept_invitation", "GET"): everyone(),
    ("auth.accept_invitation", "POST"): everyone(),
    ("auth.account", "GET"): signed_in(),
    ("auth.account", "POST"): signed_in(),
    ("auth.change_password", "POST"): signed_in(),
    ("auth.create_token", "POST"): signed_in(),
    ("auth.revoke_token", "POST"): only("applicant", other=HIDE),
    ("auth.setup_totp", "GET"): signed_in(),
    ("auth.setup_totp", "POST"): signed_in(),
    ("dashboard.index", "GET"): signed_in(),
    ("admin.users", "GET"): only("admin"),
    ("admin.user", "GET"): only("admin"),
    ("admin.user", "POST"): only("admin"),
    ("admin.set_active", "POST"): only("admin"),
    ("admin.reset_totp", "POST"): only("admin"),
    ("admin.invitations", "GET"): only("admin", *SECRETARIAT),
    ("admin.invitations", "POST"): only("admin", *SECRETARIAT),
    ("admin.revoke_invitation", "POST"): only("admin", *SECRETARIAT),
    ("admin.vetting", "GET"): only(*SECRETARIAT),
    ("admin.vet", "POST"): only(*SECRETARIAT),
    ("admin.outbox", "GET"): only("admin", "auditor", *SECRETARIAT),
    ("auditlog.index", "GET"): only("admin", "auditor"),
    ("admin.settings_page", "GET"): only("admin"),
    ("admin.settings_page", "POST"): only("admin"),
    # applications: objects belong to the "applicant" user's State
    ("applications.index", "GET"): only(*APPLICATION_READERS),
    ("applications.new", "GET"): only("applicant", "applicant_other"),
    ("applications.new", "POST"): only("applicant", "applicant_other"),
    ("applications.detail", "GET"): REVIEWED,
    ("applications.changes_view", "GET"): REVIEWED,
    ("applications.submit", "POST"): OWN_DRAFT_ACTION,
    ("applications.withdraw", "POST"): OWN_DRAFT_ACTION,
    ("applications.attachment", "GET"): {**only(*APPLICATION_READERS), **DRAFT_HIDDEN},
    ("applications.decision_letter", "GET"): {**only(*APPLICATION_READERS), **SCREENED_OUT_HIDDEN},
    ("application_editor.edit", "GET"): OWN_DRAFT_ACTION,
    ("application_editor.edit", "POST"): OWN_DRAFT_ACTION,
    ("screening.queue", "GET"): only(*SECRETARIAT),
    ("screening.screen", "GET"): only(*SECRETARIAT),
    ("screening.screen", "POST"): only(*SECRETARIAT),
    ("committee.index", "GET"): only(*COMMITTEE, *SECRETARIAT, "auditor"),
    ("committee.ballot", "GET"): {**only(*COMMITTEE, *SECRETARIAT, "auditor"), **NOT_ON_BALLOT},
    # Posted with valid bodies (BODIES below): the recused member is refused, not just the form.
    ("committee.vote", "POST"): BALLOT_ACTION,
    ("committee.recuse", "POST"): BALLOT_ACTION,
    ("committee.close", "POST"): only(*SECRETARIAT),
    ("committee.reopen", "POST"): only(*SECRETARIAT),
    ("committee.discuss", "POST"): {
        **only(*COMMITTEE, *SECRETARIAT),
        "committee_recused": DENY,
        **NOT_ON_BALLOT,
    },
    ("committee.seat_list", "GET"): only(*SECRETARIAT, "auditor"),
    ("committee.seat_list", "POST"): only(*SECRETARIAT),
    ("committee.end_seat", "POST"): only(*SECRETARIAT),
    ("applications_api.list_applications", "GET"): only(*APPLICATION_READERS),
    ("applications_api.create_application", "POST"): only("applicant", "applicant_other"),
    ("applications_api.get_application", "GET"): REVIEWED,
    ("applications_api.submit_application", "POST"): OWN_DRAFT_ACTION,
    ("committee_api.screen_application", "POST"): only(*SECRETARIAT),
    ("committee_api.recusal", "POST"): BALLOT_ACTION,
    ("committee_api.vote", "POST"): BALLOT_ACTION,
    ("committee_api.decision", "POST"): only(*SECRETARIAT),
    ("committee_api.ballot", "GET"): {
        **only(*COMMITTEE, *SECRETARIAT, "auditor"),
        **NOT_ON_BALLOT,
    },
    # The decided request: its ballot's members read the letter; the other State does not.
    ("applications_api.decision_letter", "GET"): REVIEWED,
    # grants: one active grant of the "applicant" user's State, with a pending release
    ("grants.index", "GET"): only(*GRANT_READERS),
    ("grants.detail", "GET"): {**only(*GRANT_READERS), "applicant_other": HIDE},
    ("grants.agreement", "GET"): {
        **only("applicant", *SECRETARIAT, "auditor"),
        "applicant_other": HIDE,
    },
    ("grants.accept", "POST"): OWN_DRAFT_ACTION,
    ("grants.manage", "POST"): only(*SECRETARIAT),
    ("grants.create_release", "POST"): only(*SECRETARIAT),
    # The release was prepared by "secretariat": only a second officer may approve it.
    ("grants.approve_release", "POST"): {**only("secretariat2"), "secretariat": DENY},
    ("grants.cancel_release", "POST"): only(*SECRETARIAT),
    ("contributions.index", "GET"): only("donor", *SECRETARIAT, "auditor"),
    ("contributions.new", "GET"): only(*SECRETARIAT),
    ("contributions.new", "POST"): only(*SECRETARIAT),
    ("contributions.detail", "GET"): only("donor", *SECRETARIAT, "auditor"),
    ("contributions.pledge_payment", "POST"): only(*SECRETARIAT),
    ("contributions.request_correction", "POST"): only(*SECRETARIAT),
    # "secretariat" asked for the correction: only a second officer may confirm it.
    ("contributions.confirm_correction", "POST"): {**only("secretariat2"), "secretariat": DENY},
    ("contributions.withdraw_correction", "POST"): only(*SECRETARIAT),
    ("contributions.cancel_pledge", "POST"): only(*SECRETARIAT),
    ("contributions.receipt", "GET"): only("donor", *SECRETARIAT, "auditor"),
    ("contributions.statement", "GET"): only("donor"),
    ("contributions.give", "GET"): only("donor"),
    ("contributions.give", "POST"): only("donor"),
    ("contributions.pay", "GET"): only("donor"),
    ("ledger.fund", "GET"): everyone(),
    ("ledger.index", "GET"): only("donor", *SECRETARIAT, "auditor"),
    ("ledger.export", "GET"): only("donor", *SECRETARIAT, "auditor"),
    ("opendata.index", "GET"): everyone(),
    ("opendata.iati_xml", "GET"): everyone(),
    ("opendata.threesixtygiving_json", "GET"): everyone(),
    ("opendata.threesixtygiving_csv", "GET"): everyone(),
    ("stripe.webhook", "POST"): everyone(),  # authenticated by Stripe's signature, not a role
    ("grants_api.get_grant", "GET"): {**only(*GRANT_READERS), "applicant_other": HIDE},
    # The body may be empty (design.md §5.2): another State's focal point gets 404.
    ("grants_api.accept", "POST"): OWN_DRAFT_ACTION,
    ("grants_api.agreement", "GET"): {
        **only("applicant", *SECRETARIAT, "auditor"),
        "applicant_other": HIDE,
    },
    ("grants_api.create_disbursement", "POST"): only(*SECRETARIAT),
    ("grants_api.approve", "POST"): {**only("secretariat2"), "secretariat": DENY},
    ("contributions_api.record", "POST"): only(*SECRETARIAT),
    ("contributions_api.donate", "POST"): only("donor"),
    ("contributions_api.request_correction", "POST"): only(*SECRETARIAT),
    ("contributions_api.confirm_correction", "POST"): {
        **only("secretariat2"),
        "secretariat": DENY,
    },
    ("contributions_api.cancel_pledge", "POST"): only(*SECRETARIAT),
    ("ledger_api.fund", "GET"): everyone(),  # design.md §5.2: totals also public
    ("ledger_api.ledger_entries", "GET"): only("donor", *SECRETARIAT, "auditor"),
    # roster: the "expert" user is active and has an offer (and a completed mission) on the
    # "applicant" user's State's grant
    ("experts.profile", "GET"): only("expert"),
    ("experts.profile", "POST"): only("expert"),
    ("experts.expertise", "POST"): only("expert"),
    ("experts.add_language", "POST"): only("expert"),
    ("experts.remove_language", "POST"): only("expert"),
    ("experts.add_period", "POST"): only("expert"),
    ("experts.remove_period", "POST"): only("expert"),
    ("experts.upload_cv", "POST"): only("expert"),
    ("experts.cv", "GET"): only("expert", *SECRETARIAT, "auditor"),
    ("roster.roster", "GET"): only(*SECRETARIAT, "auditor"),
    ("roster.expert", "GET"): only(*SECRETARIAT, "auditor"),
    ("roster.vet", "POST"): only(*SECRETARIAT),
    ("roster.set_active", "POST"): only(*SECRETARIAT),
    ("roster.match", "GET"): only(*SECRETARIAT),
    ("deployments.index", "GET"): only(*MISSION_READERS, "applicant_other"),
    ("deployments.new", "GET"): only(*SECRETARIAT),
    ("deployments.new", "POST"): only(*SECRETARIAT),
    ("deployments.detail", "GET"): MISSION,
    ("deployments.accept", "POST"): only("expert"),
    ("deployments.decline", "POST"): only("expert"),
    ("deployments.consent", "POST"): OWN_DRAFT_ACTION,
    ("deployments.refuse", "POST"): OWN_DRAFT_ACTION,
    ("deployments.report", "GET"): only("expert"),
    ("deployments.report", "POST"): only("expert"),
    ("deployments.review", "POST"): only(*SECRETARIAT),
    ("deployments.cancel", "POST"): only(*SECRETARIAT),
    ("deployments.rate", "POST"): OWN_DRAFT_ACTION,
    ("deployments.pay", "POST"): only(*SECRETARIAT),
    ("deployments.attachment", "GET"): MISSION,
    ("experts_api.my_profile", "GET"): only("expert"),
    ("experts_api.put_profile", "PUT"): only("expert"),
    ("experts_api.vet", "POST"): only(*SECRETARIAT),
    ("roster_api.search", "GET"): only(*SECRETARIAT),
    ("deployments_api.propose", "POST"): only(*SECRETARIAT),
    ("deployments_api.get_deployment", "GET"): MISSION,
    ("deployments_api.accept", "POST"): only("expert"),
    ("deployments_api.decline", "POST"): only("expert"),
    ("deployments_api.consent", "POST"): OWN_DRAFT_ACTION,  # (its body may be empty)
    ("deployments_api.refuse", "POST"): OWN_DRAFT_ACTION,  # (its body may be empty)
    ("deployments_api.report", "POST"): only("expert"),
    ("deployments_api.review", "POST"): only(*SECRETARIAT),
    ("deployments_api.cancel", "POST"): only(*SECRETARIAT),
    ("deployments_api.rate", "POST"): only("applicant", "applicant_other"),
    ("deployments_api.pay", "POST"): only(*SECRETARIAT),
    # reports: the grant's interim report is accepted (with a file, a draft story and a
    # published one); its final report is due
    ("reports.index", "GET"): only(*REPORT_READERS, "applicant_other"),
    ("reports.detail", "GET"): REPORT,
    ("reports.write", "POST"): OWN_DRAFT_ACTION,
    ("reports.review", "POST"): only(*SECRETARIAT),
    ("reports.reschedule", "POST"): only(*SECRETARIAT),
    ("reports.add", "POST"): only(*SECRETARIAT),
    ("reports.follow_up", "POST"): OWN_DRAFT_ACTION,
    ("reports.attachment", "GET"): REPORT,
    ("reports.new_story", "GET"): only(*SECRETARIAT),
    ("reports.new_story", "POST"): only(*SECRETARIAT),
    ("reports.edit_story", "GET"): only(*SECRETARIAT),
    ("reports.edit_story", "POST"): only(*SECRETARIAT),
    ("reports.stories_index", "GET"): only(*REPORT_READERS, "applicant_other"),
    ("reports.story", "GET"): REPORT,
    ("reports.story_photo", "GET"): REPORT,
    ("reports.request_story_consent", "POST"): only(*SECRETARIAT),
    ("reports.consent_story", "POST"): OWN_DRAFT_ACTION,
    ("reports.decline_story", "POST"): OWN_DRAFT_ACTION,
    ("reports.withdraw_story", "POST"): {
        **only("applicant", *SECRETARIAT),
        "applicant_other": HIDE,
    },
    ("reports_api.get_report", "GET"): REPORT,
    ("reports_api.submit", "POST"): only("applicant", "applicant_other"),  # body checked first
    ("reports_api.review", "POST"): only(*SECRETARIAT),
    ("transparency.stories_index", "GET"): everyone(),
    ("transparency.story", "GET"): everyone(),
    ("transparency.story_photo", "GET"): everyone(),
    ("transparency.projects_index", "GET"): everyone(),
    ("transparency.project", "GET"): everyone(),  # the grant is accepted, so published
    ("transparency.annual_report", "GET"): everyone(),
    ("transparency.annual_report_pdf", "GET"): everyone(),  # public data only (docs/reports.md)
    ("api.me", "GET"): signed_in(),
    ("api.reference_data", "GET"): signed_in(),
    ("api.openapi", "GET"): everyone(),
}


@dataclass
class Cast:
    users: dict[str, User]
    tokens: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)


def build_cast(factory: Factory) -> Cast:
    users = {
        "applicant": factory.user("applicant", state="FJI"),
        "applicant_other": factory.user("applicant", state="MWI"),
        "committee": factory.user("committee", state="KEN", region="african"),
        "committee_recused": factory.user("committee", state="FJI", region="asia_pacific"),
        "committee_other": factory.user("committee", state="NLD", region="weog"),
        "secretariat": factory.user("secretariat"),
        "secretariat2": factory.user("secretariat"),
        "expert": factory.user("expert"),
        "donor": factory.user("donor"),
        "auditor": factory.user("auditor"),
        "admin": factory.user("admin"),
    }
    tokens = {role: factory.token(user) for role, user in users.items()}
    session = db.session()
    unvetted = factory.user("donor", vetted=False)
    invitation, _ = auth.invite(
        session, users["admin"], email="invitee@test.example", role="applicant", state_iso3="FJI"
    )
    api_token, _ = auth.create_api_token(session, users["applicant"], "matrix")
    start = today() - timedelta(days=10)
    seat = seats.add_seat(session, users["secretariat"], users["committee"], term_start=start)
    seats.add_seat(session, users["secretariat"], users["committee_recused"], term_start=start)
    fiji = users["applicant"]
    draft = builders.application(fiji)
    stored = applications.add_attachment(
        session, fiji, draft, FileStorage(io.BytesIO(builders.PDF), "note.pdf")
    )
    submitted = builders.application(fiji, "submitted")
    reviewed = builders.application(fiji, "in_review", secretariat=users["secretariat"])
    ineligible = builders.application(fiji, "ineligible", secretariat=users["secretariat"])
    # Money: a transfer and a pledge from the donor, a pending card gift, an active grant with
    # a release waiting for its second officer.
    transfer = contributions.record_bank(
        session, users["secretariat"], users["donor"], "50000", "USD", reference="M-1"
    )
    pledge = contributions.record_pledge(
        session, users["secretariat"], users["donor"], "1000", "USD"
    )
    gift = contributions.start_card_gift(session, users["donor"], "10")
    mistaken = contributions.record_bank(
        session, users["secretariat"], users["donor"], "100", "USD", reference="M-2"
    )
    corrections.request_correction(session, users["secretariat"], mistaken, "matrix: twice")
    wanted = builders.expert_spec()
    approved = builders.application(
        fiji,
        "approved",
        secretariat=users["secretariat"],
        votes={users["committee"]: "approve"},
        budget=wanted.budget,
        expertise=wanted.expertise,
    )
    grant = grants.grant_for_application(session, approved)
    grants.accept(session, fiji, grant, name="A", title="B")
    release = grants.create_disbursement(session, users["secretariat"], grant, "100")
    session.commit()
    # Roster: the expert is vetted, has a CV, an offer and a completed mission with a file.
    expert = builders.expert(factory, user=users["expert"])
    profiles.attach_cv(
        session, users["expert"], expert, FileStorage(io.BytesIO(builders.PDF), "cv.pdf")
    )
    offer = builders.deployment(
        grant, expert, users["secretariat"], start=today() + timedelta(days=3), days=2
    )
    done = builders.deployment(
        grant, expert, users["secretariat"], status="completed", applicant=fiji, days=1
    )
    report_file = uploads.store(
        session, FileStorage(io.BytesIO(builders.PDF), "agenda.pdf"), uploaded_by_id=expert.user_id
    )
    done.files.append(report_file)
    session.commit()
    # Reports: the interim accepted (with a file), a draft story and a published one.
    interim = builders.reviewed_report(grant, fiji, users["secretariat"])
    interim.files.append(
        uploads.store(session, FileStorage(io.BytesIO(builders.PDF), "register.pdf"))
    )
    draft_story = builders.story(interim, users["secretariat"])
    public_story = builders.story(interim, users["secretariat"], applicant=fiji)
    # Seated after every ballot above was opened: on none of them.
    seats.add_seat(session, users["secretariat"], users["committee_other"], term_start=start)
    session.commit()
    objects = {
        "user_id": users["donor"].id,
        "unvetted_id": unvetted.id,
        "invitation_id": invitation.id,
        "token_id": api_token.id,
        "draft": draft.id,
        "file": stored.id,
        "submitted": submitted.id,
        "reviewed": reviewed.id,
        "ineligible": ineligible.id,
        "approved": approved.id,
        "seat": seat.id,
        "grant": grant.id,
        "grant_reference": grant.reference,
        "release": release.id,
        "transfer": transfer.id,
        "pledge": pledge.id,
        "mistaken": mistaken.id,
        "gift": gift.id,
        "expert": expert.id,
        "period": expert.availability[0].id,
        "offer": offer.id,
        "done": done.id,
        "report_file": report_file.id,
        "final_report": builders.report_of(grant, "final").id,
        "interim_report": interim.id,
        "interim_file": interim.files[0].id,
        "draft_story": draft_story.id,
        "public_story": public_story.id,
    }
    return Cast(users=users, tokens=tokens, objects=objects)


# endpoint -> URL arguments, from the cast's objects
URL_ARGS: dict[str, Any] = {
    "auth.reset_password": lambda o: {"token": "not-a-valid-token"},
    "auth.accept_invitation": lambda o: {"token": "not-a-valid-token"},
    "auth.finish_registration": lambda o: {"token": "not-a-valid-token"},
    "auth.revoke_token": lambda o: {"token_id": o["token_id"]},
    "admin.user": lambda o: {"user_id": o["user_id"]},
    "admin.set_active": lambda o: {"user_id": o["user_id"]},
    "admin.reset_totp": lambda o: {"user_id": o["user_id"]},
    "admin.vet": lambda o: {"user_id": o["unvetted_id"]},
    "admin.revoke_invitation": lambda o: {"invitation_id": o["invitation_id"]},
    "applications.detail": lambda o: {"application_id": o["reviewed"]},
    "applications.changes_view": lambda o: {"application_id": o["reviewed"]},
    "applications.submit": lambda o: {"application_id": o["draft"]},
    "applications.withdraw": lambda o: {"application_id": o["draft"]},
    "applications.attachment": lambda o: {"application_id": o["draft"], "file_id": o["file"]},
    "applications.decision_letter": lambda o: {"application_id": o["ineligible"]},
    "application_editor.edit": lambda o: {"application_id": o["draft"], "section": "overview"},
    "screening.screen": lambda o: {"application_id": o["submitted"]},
    "committee.ballot": lambda o: {"application_id": o["reviewed"]},
    "committee.vote": lambda o: {"application_id": o["reviewed"]},
    "committee.recuse": lambda o: {"application_id": o["reviewed"]},
    "committee.close": lambda o: {"application_id": o["reviewed"]},
    "committee.reopen": lambda o: {"application_id": o["reviewed"]},
    "committee.discuss": lambda o: {"application_id": o["reviewed"]},
    "committee.end_seat": lambda o: {"seat_id": o["seat"]},
    "applications_api.get_application": lambda o: {"application_id": o["reviewed"]},
    "applications_api.submit_application": lambda o: {"application_id": o["draft"]},
    "committee_api.screen_application": lambda o: {"application_id": o["submitted"]},
    "committee_api.recusal": lambda o: {"application_id": o["reviewed"]},
    "committee_api.vote": lambda o: {"application_id": o["reviewed"]},
    "committee_api.decision": lambda o: {"application_id": o["reviewed"]},
    "committee_api.ballot": lambda o: {"application_id": o["reviewed"]},
    "applications_api.decision_letter": lambda o: {"application_id": o["approved"]},
    "grants.detail": lambda o: {"grant_id": o["grant"]},
    "grants.agreement": lambda o: {"grant_id": o["grant"]},
    "grants.accept": lambda o: {"grant_id": o["grant"]},
    "grants.manage": lambda o: {"grant_id": o["grant"], "action": "resume"},
    "grants.create_release": lambda o: {"grant_id": o["grant"]},
    "grants.approve_release": lambda o: {"disbursement_id": o["release"]},
    "grants.cancel_release": lambda o: {"disbursement_id": o["release"]},
    "contributions.new": lambda o: {"kind": "bank"},
    "contributions.detail": lambda o: {"contribution_id": o["transfer"]},
    "contributions.pledge_payment": lambda o: {"contribution_id": o["pledge"]},
    "contributions.request_correction": lambda o: {"contribution_id": o["transfer"]},
    "contributions.confirm_correction": lambda o: {"contribution_id": o["mistaken"]},
    "contributions.withdraw_correction": lambda o: {"contribution_id": o["mistaken"]},
    "contributions.cancel_pledge": lambda o: {"contribution_id": o["pledge"]},
    "contributions_api.request_correction": lambda o: {"contribution_id": o["transfer"]},
    "contributions_api.confirm_correction": lambda o: {"contribution_id": o["mistaken"]},
    "contributions_api.cancel_pledge": lambda o: {"contribution_id": o["pledge"]},
    "contributions.receipt": lambda o: {"contribution_id": o["transfer"]},
    "contributions.pay": lambda o: {"contribution_id": o["gift"]},
    "grants_api.get_grant": lambda o: {"grant_id": o["grant"]},
    "grants_api.accept": lambda o: {"grant_id": o["grant"]},
    "grants_api.agreement": lambda o: {"grant_id": o["grant"]},
    "grants_api.create_disbursement": lambda o: {"grant_id": o["grant"]},
    "grants_api.approve": lambda o: {"disbursement_id": o["release"]},
    "experts.remove_language": lambda o: {"code": "en"},
    "experts.remove_period": lambda o: {"period_id": o["period"]},
    "experts.cv": lambda o: {"expert_id": o["expert"]},
    "roster.expert": lambda o: {"expert_id": o["expert"]},
    "roster.vet": lambda o: {"expert_id": o["expert"]},
    "roster.set_active": lambda o: {"expert_id": o["expert"], "action": "deactivate"},
    "roster.match": lambda o: {"grant_id": o["grant"]},
    "deployments.new": lambda o: {"grant_id": o["grant"], "expert": o["expert"]},
    "deployments.detail": lambda o: {"deployment_id": o["offer"]},
    "deployments.accept": lambda o: {"deployment_id": o["offer"]},
    "deployments.decline": lambda o: {"deployment_id": o["offer"]},
    "deployments.consent": lambda o: {"deployment_id": o["offer"]},
    "deployments.refuse": lambda o: {"deployment_id": o["offer"]},
    "deployments.report": lambda o: {"deployment_id": o["offer"]},
    "deployments.review": lambda o: {"deployment_id": o["offer"]},
    "deployments.cancel": lambda o: {"deployment_id": o["offer"]},
    "deployments.rate": lambda o: {"deployment_id": o["done"]},
    "deployments.pay": lambda o: {"deployment_id": o["done"]},
    "deployments.attachment": lambda o: {"deployment_id": o["done"], "file_id": o["report_file"]},
    "experts_api.vet": lambda o: {"expert_id": o["expert"]},
    "deployments_api.propose": lambda o: {"grant_id": o["grant"]},
    "deployments_api.get_deployment": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.accept": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.decline": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.consent": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.refuse": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.report": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.review": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.cancel": lambda o: {"deployment_id": o["offer"]},
    "deployments_api.rate": lambda o: {"deployment_id": o["done"]},
    "deployments_api.pay": lambda o: {"deployment_id": o["done"]},
    "reports.detail": lambda o: {"report_id": o["final_report"]},
    "reports.write": lambda o: {"report_id": o["final_report"]},
    "reports.review": lambda o: {"report_id": o["final_report"]},
    "reports.reschedule": lambda o: {"report_id": o["final_report"]},
    "reports.add": lambda o: {"grant_id": o["grant"]},
    "reports.follow_up": lambda o: {"report_id": o["interim_report"]},
    "reports.attachment": lambda o: {
        "report_id": o["interim_report"],
        "file_id": o["interim_file"],
    },
    "reports.new_story": lambda o: {"report_id": o["interim_report"]},
    "reports.edit_story": lambda o: {"story_id": o["draft_story"]},
    "reports.story": lambda o: {"story_id": o["draft_story"]},
    "reports.story_photo": lambda o: {"story_id": o["draft_story"]},
    "reports.request_story_consent": lambda o: {"story_id": o["draft_story"]},
    "reports.consent_story": lambda o: {"story_id": o["draft_story"]},
    "reports.decline_story": lambda o: {"story_id": o["draft_story"]},
    "reports.withdraw_story": lambda o: {"story_id": o["draft_story"]},
    "reports_api.get_report": lambda o: {"report_id": o["final_report"]},
    "reports_api.submit": lambda o: {"report_id": o["final_report"]},
    "reports_api.review": lambda o: {"report_id": o["final_report"]},
    "transparency.story": lambda o: {"story_id": o["public_story"]},
    "transparency.story_photo": lambda o: {"story_id": o["public_story"]},
    "transparency.project": lambda o: {"reference": o["grant_reference"]},
    "transparency.annual_report_pdf": lambda o: {"year": today().year},
}

# endpoint -> a valid body, posted by every role (form data for pages, JSON for the API), so
# that the refusal tested is the rule's, not the form validation's
BODIES: dict[str, dict[str, Any]] = {
    "committee.vote": {"choice": "approve", "comment": "matrix"},
    "committee.recuse": {"reason": "matrix: a conflict"},
    "committee.discuss": {"body": "matrix: a question"},
    "committee_api.vote": {"choice": "approve", "comment": "matrix"},
    "committee_api.recusal": {"reason": "matrix: a conflict"},
}
