from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import Base, str_enum, utcnow
from app.core.roles import Region, Role
from app.reference.models import State


class User(UserMixin, Base):
    __tablename__ = "users"
    __audit_type__ = "user"
    __table_args__ = (
        CheckConstraint(
            "role <> 'applicant' OR state_iso3 IS NOT NULL", name="applicant_has_state"
        ),
        CheckConstraint("role <> 'committee' OR region IS NOT NULL", name="committee_has_region"),
        CheckConstraint("session_version > 0", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), index=True)
    # An applicant's State is the State it acts for; for everyone else, the nationality.
    state_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"), index=True)
    region: Mapped[Region | None] = mapped_column(str_enum(Region, "user_region"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    vetted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_counter: Mapped[int | None]

    state: Mapped[State | None] = relationship(lazy="joined")

    # -- Flask-Login ---------------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The session version rides along: bumping it signs every session of this user out.
        return f"{self.id}:{self.session_version}"

    @property
    def official_title(self) -> str:
        """How a focal point signs a consent when it gives no title of its own."""
        return f"Focal point, {self.state.name}" if self.state else "Focal point"

    # -- yes/no questions --------------------------------------------------------------

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def needs_totp(self) -> bool:
        return self.role_enum.needs_totp

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def is_vetted(self) -> bool:
        return self.vetted_at is not None

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __str__(self) -> str:
        return self.display_name


class ApiToken(Base):
    """A bearer token for /api/v1. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(Base):
    """A signed, expiring, single-use invitation to join with a given role."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(
            "role <> 'applicant' OR state_iso3 IS NOT NULL", name="applicant_has_state"
        ),
        CheckConstraint("role <> 'committee' OR region IS NOT NULL", name="committee_has_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role, "invitation_role"))
    state_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"))
    region: Mapped[Region | None] = mapped_column(str_enum(Region, "invitation_region"))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
    state: Mapped[State | None] = relationship()

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
