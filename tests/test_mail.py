"""Mail goes through the outbox and leaves only after the database commit."""

import time

import pytest
from sqlalchemy import func, select

from app.core import mail
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.servers import free_port, smtp_server


def _count() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


def test_queued_mail_is_rendered_in_the_recipients_language(factory, app):
    user = factory.user("donor", locale="fr")
    with app.test_request_context():
        message = mail.queue(db.session(), user, "account_vetted", {"user": user})
    assert message.locale == "fr" and message.to_user_id == user.id
    assert message.subject and user.display_name in message.body
    assert "http://localhost/dashboard" in message.body


def test_mail_of_a_rolled_back_transaction_is_never_sent(factory):
    user = factory.user("donor")
    before = _count()
    mail.queue(db.session(), user, "account_vetted", {"user": user})
    db.session.flush()
    db.session.rollback()
    assert mail.deliver_committed(db.session()) == 0
    assert _count() == before


def test_mail_is_sent_after_commit(factory):
    user = factory.user("donor")
    message = mail.queue(db.session(), user, "account_vetted", {"user": user})
    db.session.flush()
    assert message.sent_at is None
    db.session.commit()
    assert mail.deliver_committed(db.session()) == 1
    db.session.refresh(message)
    assert message.sent_at is not None and message.transport == "console"


def test_dedupe_key_queues_once(factory):
    user = factory.user("donor")
    assert mail.queue(db.session(), user, "account_vetted", {"user": user}, dedupe_key="k1")
    db.session.flush()
    assert mail.queue(db.session(), user, "account_vetted", {"user": user}, dedupe_key="k1") is None


@pytest.fixture
def smtp(app):
    with smtp_server(app) as inbox:
        yield inbox


def test_mail_reaches_a_real_smtp_server(factory, smtp):
    user = factory.user("donor", name="Grace Donor")
    mail.queue(db.session(), user, "account_vetted", {"user": user})
    db.session.commit()
    assert mail.deliver_committed(db.session()) == 1
    deadline = time.time() + 5
    while not smtp.messages and time.time() < deadline:
        time.sleep(0.05)
    (raw,) = smtp.messages
    assert b"Subject: Your SPTF account is confirmed" in raw
    assert user.email.encode() in raw


def test_failed_delivery_stays_queued_for_the_job(factory, app):
    user = factory.user("donor")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        message = mail.queue(db.session(), user, "account_vetted", {"user": user})
        db.session.commit()
        assert mail.deliver_committed(db.session()) == 0
        db.session.refresh(message)
        assert message.sent_at is None and message.attempts == 1 and message.last_error
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert mail.deliver_pending(db.session()) == 1
