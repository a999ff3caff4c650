from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.roles import Region, Role


class SeatKind(LabelledEnum):
    MEMBER = "member", _l("member")
    ALTERNATE = "alternate", _l("alternate")


class CommitteeSeat(Base):
    """One person's term on the committee for a regional group."""

    __tablename__ = "committee_seats"
    __audit_type__ = "seat"
    __table_args__ = (
        CheckConstraint("term_end > term_start", name="term_order"),
        CheckConstraint("ended_on IS NULL OR ended_on >= term_start", name="ended_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    region: Mapped[Region] = mapped_column(str_enum(Region, "seat_region"), index=True)
    kind: Mapped[SeatKind] = mapped_column(str_enum(SeatKind, "seat_kind"), default=SeatKind.MEMBER)
    term_start: Mapped[date]
    term_end: Mapped[date]  # exclusive
    ended_on: Mapped[date | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def effective_end(self) -> date:
        return min(self.term_end, self.ended_on) if self.ended_on else self.term_end

    @property
    def is_held(self) -> bool:
        """Held by an active committee account of the seat's regional group: a holder whose
        role or group was changed, or whose account was switched off, sits on no ballot and
        does not keep the alternate out (the secretariat sees the seat as vacant)."""
        user = self.user
        return user.active and user.role_enum is Role.COMMITTEE and user.region == self.region

    def is_active(self, on: date) -> bool:
        return self.term_start <= on < self.effective_end


class BallotStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class BallotOutcome(LabelledEnum):
    APPROVED = "approved", lazy_pgettext("ballot outcome", "approved")
    REJECTED = "rejected", lazy_pgettext("ballot outcome", "rejected")
    DEFERRED = "deferred", lazy_pgettext("ballot outcome", "deferred")


class Ballot(Base):
    __tablename__ = "ballots"
    __audit_type__ = "ballot"
    __table_args__ = (
        UniqueConstraint("application_id", "number"),
        # At most one open ballot per application.
        Index(
            "uq_ballots_one_open",
            "application_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"),
        CheckConstraint("status = 'open' OR outcome IS NOT NULL", name="closed_has_outcome"),
        Index("ix_ballots_status_deadline", "status", "deadline"),
        Index("ix_ballots_status_closed", "status", "closed_at"),  # latest closed first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int]
    status: Mapped[BallotStatus] = mapped_column(
        str_enum(BallotStatus, "ballot_status"), default=BallotStatus.OPEN
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[datetime]
    reminder_sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the job
    outcome: Mapped[BallotOutcome | None] = mapped_column(str_enum(BallotOutcome, "ballot_outcome"))
    quorum_met: Mapped[bool | None]
    approve_count: Mapped[int] = mapped_column(default=0)
    reject_count: Mapped[int] = mapped_column(default=0)
    abstain_count: Mapped[int] = mapped_column(default=0)
    recused_count: Mapped[int] = mapped_column(default=0)
    not_voting_count: Mapped[int] = mapped_column(default=0)

    application: Mapped[Application] = relationship()
    members: Mapped[list[BallotMember]] = relationship(
        back_populates="ballot", order_by="BallotMember.region", cascade="all, delete-orphan"
    )
    votes: Mapped[list[Vote]] = relationship(back_populates="ballot", cascade="all, delete-orphan")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == BallotStatus.OPEN

    def member_for(self, user: User) -> BallotMember | None:
        return next((m for m in self.members if m.user_id == user.id), None)

    def vote_of(self, member: BallotMember) -> Vote | None:
        return next((v for v in self.votes if v.member_id == member.id), None)


class BallotMember(Base):
    __tablename__ = "ballot_members"
    __table_args__ = (UniqueConstraint("ballot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("committee_seats.id"))
    region: Mapped[Region] = mapped_column(str_enum(Region, "member_region"))
    is_alternate: Mapped[bool] = mapped_column(default=False)
    recused: Mapped[bool] = mapped_column(default=False)
    recusal_kind: Mapped[str | None] = mapped_column(String(20))  # nationality | declared
    recusal_reason: Mapped[str] = mapped_column(Text, default="")
    recused_at: Mapped[datetime | None]

    ballot: Mapped[Ballot] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def recusal_reason_text(self) -> str:
        """The reason as the reader reads it: a recusal for nationality is the rule's own
        words, in the reader's language (the stored text is in whoever opened the ballot's)."""
        if self.recusal_kind == "nationality":
            return str(_l("National of the applicant State"))
        return self.recusal_reason


class VoteChoice(LabelledEnum):
    APPROVE = "approve", _l("approve")
    REJECT = "reject", _l("reject")
    ABSTAIN = "abstain", _l("abstain")


class Vote(Base):
    """A member's current vote on a ballot: one row, changed in place until the close (each
    change is in the audit log)."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("ballot_id", "member_id"),
        CheckConstraint(
            "proposed_amount_minor IS NULL OR proposed_amount_minor > 0", name="proposed_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("ballot_members.id", ondelete="CASCADE"))
    choice: Mapped[VoteChoice] = mapped_column(str_enum(VoteChoice, "vote_choice"))
    comment: Mapped[str] = mapped_column(Text, default="")
    proposed_amount_minor: Mapped[int | None]
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime | None]
    changes: Mapped[int] = mapped_column(default=0)

    ballot: Mapped[Ballot] = relationship(back_populates="votes")
    member: Mapped[BallotMember] = relationship()


class DiscussionPost(Base):
    """The committee's and the secretariat's thread on an application."""

    __tablename__ = "discussion_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
