"""The workflow runner: one table, one apply(), typed errors, audit and effects."""

from dataclasses import dataclass, field
from enum import StrEnum

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.extensions import db


class Door(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    LOCKED = "locked"


@dataclass
class Thing:
    id: int = 7
    status: str = "open"
    heavy: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Person:
    id: int
    email: str
    role_enum: Role


def _refuse_heavy(thing, actor):
    if thing.heavy:
        raise Conflict("too heavy to close")


def _note(session, thing, actor):
    thing.notes.append(f"closed by {actor.email}")


DOORS = Workflow(
    "door",
    Door,
    [
        Transition(
            Door.OPEN, "close", Door.CLOSED, frozenset({Role.SECRETARIAT}), _refuse_heavy, (_note,)
        ),
        Transition(Door.CLOSED, "open", Door.OPEN, frozenset({Role.SECRETARIAT, Role.APPLICANT})),
        Transition(Door.CLOSED, "lock", Door.LOCKED, frozenset({Role.ADMIN})),
    ],
)
STAFF = Person(1, "staff@test.example", Role.SECRETARIAT)
STATE = Person(2, "state@test.example", Role.APPLICANT)


def test_apply_changes_status_audits_and_runs_effects():
    thing = Thing()
    DOORS.apply(db.session(), thing, "close", STAFF, data={"why": "rain"})
    assert thing.status == "closed"
    assert thing.notes == ["closed by staff@test.example"]
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "door.close" and event.object_id == "7"
    assert event.data_dict == {"from": "open", "to": "closed", "why": "rain"}
    assert event.actor_email == "staff@test.example"


def test_role_not_in_the_table_is_permission_denied():
    with pytest.raises(PermissionDenied):
        DOORS.apply(db.session(), Thing(), "close", STATE)


def test_action_from_the_wrong_status_names_the_status():
    with pytest.raises(TransitionNotAllowed, match="status is open") as info:
        DOORS.apply(db.session(), Thing(status="open"), "open", STATE)
    assert info.value.status == 409 and info.value.fields == {"status": "open"}


def test_guard_refusal_leaves_status_unchanged():
    thing = Thing(heavy=True)
    with pytest.raises(Conflict):
        DOORS.apply(db.session(), thing, "close", STAFF)
    assert thing.status == "open" and thing.notes == []


def test_unknown_action_is_refused():
    with pytest.raises(TransitionNotAllowed):
        DOORS.apply(db.session(), Thing(), "explode", STAFF)


def test_available_actions_follow_role_status_and_guard():
    assert DOORS.available(Thing(), STAFF) == ["close"]
    assert DOORS.available(Thing(heavy=True), STAFF) == []
    assert DOORS.available(Thing(status="closed"), STATE) == ["open"]


def test_table_rejects_duplicates():
    with pytest.raises(ValueError, match="duplicate"):
        Workflow("x", Door, [Transition(Door.OPEN, "a", Door.CLOSED, frozenset({Role.ADMIN}))] * 2)
