"""The audit log: hash chain, append-only in code, and `flask audit verify`."""

import pytest
from sqlalchemy import select, text

from app.core import audit
from app.core.append_only import AppendOnlyViolation
from app.core.audit import AuditEvent, AuditHead
from app.extensions import db


def _events(n: int) -> list[AuditEvent]:
    events = [
        audit.record(db.session(), "test.event", object_type="thing", object_id=i, data={"n": i})
        for i in range(n)
    ]
    db.session.commit()
    return events


def _bypass_triggers() -> None:
    """What an attacker with direct database access could do (rolled back with the test)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        )
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_chain_links_each_event_to_the_previous():
    first, second, third = _events(3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert third.hash == audit.chain_hash(second.hash, third.record())
    assert db.session.get(AuditHead, 1).last_hash == third.hash
    assert list(audit.iter_problems(db.session())) == []


def test_events_cannot_be_changed_through_the_orm():
    (event,) = _events(1)
    event.action = "something.else"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_verify_passes_on_an_intact_log(runner):
    _events(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit log OK" in result.output


def test_verify_names_an_edited_row(runner):
    events = _events(5)
    target = events[2].id
    _bypass_triggers()
    db.session.execute(
        text("UPDATE audit_events SET data = :data WHERE id = :id"),
        {"data": '{"n":999}', "id": target},
    )
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit_events row {target}: hash does not match" in result.output


def test_verify_names_a_deleted_row(runner):
    events = _events(4)
    target = events[1].id
    _bypass_triggers()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": target})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit_events row {target}: missing" in result.output


def test_verify_notices_a_truncated_tail(runner):
    events = _events(3)
    _bypass_triggers()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[-1].id})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit_head" in result.output


def test_verify_notices_a_rewritten_chain_without_the_head(runner):
    """Recomputing every hash after an edit still leaves the head (and later rows) wrong."""
    events = _events(3)
    _bypass_triggers()
    edited = db.session.execute(
        select(AuditEvent).where(AuditEvent.id == events[0].id)
    ).scalar_one()
    db.session.execute(
        text("UPDATE audit_events SET action = 'forged', hash = :h WHERE id = :id"),
        {"id": edited.id, "h": "f" * 64},
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify", "--all"])
    assert result.exit_code == 1
    assert f"audit_events row {edited.id}" in result.output
