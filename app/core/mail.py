"""Mail through an outbox table: queued inside the transaction, sent only after it commits.

`queue()` renders the message (in the recipient's language) and adds an outbox row to the
current session. Session events remember which rows were committed; `deliver_committed()`
sends exactly those, after the commit, from the request teardown or the CLI. Rows that fail
stay unsent and `deliver_pending()` (run by `flask jobs run`) retries them. Without
MAIL_SERVER the message is printed instead: that is development mode, and the secretariat
can read the outbox page.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.database import Base, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Mail carrying a link that acts for its recipient (set a password, accept an invitation
# with the role it grants). The outbox page never shows their bodies: the secretariat, the
# auditor and the admin read the outbox, and the link would let them take over an account
# or join with a role they were not given. Once handed to SMTP the body is dropped too.
PERSONAL_LINK_KINDS = frozenset({"password_reset", "invitation", "registration_link"})
PERSONAL_LINK_REMOVED = "[This message held a personal link. It was removed once sent.]\n"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_unsent", "sent_at", "attempts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    to_user_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime | None]
    transport: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def holds_personal_link(self) -> bool:
        return self.kind in PERSONAL_LINK_KINDS


def queue(
    session: Session,
    recipient: Any,
    kind: str,
    context: Mapping[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Render `templates/mail/<kind>.txt` in the recipient's language and queue it.

    The template sets `subject` with `{% set subject = ... %}`; the rest is the body.
    With a `dedupe_key`, a message already queued under that key is not queued again.
    """
    if dedupe_key is not None:
        existing = session.execute(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return None
    address = recipient if isinstance(recipient, str) else recipient.email
    user_id = None if isinstance(recipient, str) else getattr(recipient, "id", None)
    locale = (None if isinstance(recipient, str) else getattr(recipient, "locale", None)) or "en"
    ctx = {"recipient": recipient, **dict(context or {})}
    template = current_app.jinja_env.get_template(f"mail/{kind}.txt")
    # Links in mail always point at BASE_URL, never at the Host header of the request.
    with (
        current_app.test_request_context(base_url=current_app.config["BASE_URL"]),
        force_locale(locale),
    ):
        module = template.make_module({**_globals(), **ctx})
        subject = " ".join(str(getattr(module, "subject", "")).split()) or "SPTF"
        body = str(module).strip() + "\n"
        body += render_template("mail/_footer.txt", **ctx)
    message = OutboxMessage(
        to_address=address,
        to_user_id=user_id,
        kind=kind,
        subject=subject,
        body=body,
        locale=locale,
        dedupe_key=dedupe_key,
    )
    session.add(message)
    return message


def _globals() -> dict[str, Any]:
    return {"base_url": current_app.config["BASE_URL"].rstrip("/")}


# -- remember which outbox rows were committed ---------------------------------------------


@event.listens_for(Session, "after_flush")
def _collect_new(session: Session, _flush_context: Any) -> None:
    new_ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new_ids:
        session.info.setdefault("outbox_pending", []).extend(new_ids)


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    pending = session.info.pop("outbox_pending", None)
    if pending:
        session.info.setdefault("outbox_committed", []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop("outbox_pending", None)


# -- delivery ------------------------------------------------------------------------------


def deliver_committed(session: Session, *, echo: bool = True) -> int:
    """Send the messages committed by this session's last commits. Returns how many sent."""
    ids = session.info.pop("outbox_committed", None)
    if not ids:
        return 0
    return _deliver(session, select(OutboxMessage).where(OutboxMessage.id.in_(ids)), echo=echo)


def deliver_pending(session: Session, limit: int = 500) -> int:
    """Send anything unsent (retries). Safe to run from several processes at once."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return _deliver(session, stmt)


def _deliver(session: Session, stmt: Any, *, echo: bool = True) -> int:
    sent = 0
    messages = session.execute(stmt.with_for_update(skip_locked=True)).scalars().all()
    for message in messages:
        if message.sent_at is not None:
            continue
        message.attempts += 1
        try:
            message.transport = send(message, echo=echo)
            message.sent_at = utcnow()
            message.last_error = None
            if message.holds_personal_link and message.transport == "smtp":
                message.body = PERSONAL_LINK_REMOVED
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("mail to %s failed: %s", message.to_address, exc)
    session.commit()
    return sent


def send(message: OutboxMessage, *, echo: bool = True) -> str:
    """Hand one message to SMTP, or print it when no server is configured."""
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="sptf")
    email.set_content(message.body)
    if not cfg.get("MAIL_SERVER"):
        if echo and not cfg.get("TESTING"):
            print(f"\n--- mail (development: not sent) ---\n{email}", file=sys.stderr)
        return "console"
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)
    return "smtp"
