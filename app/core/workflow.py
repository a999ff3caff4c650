"""One declarative transition table per workflow, and the one function that applies it.

A table row says: from this status, this action leads to that status, these roles may take
it, and this guard must pass. `Workflow.apply()` is the only code that changes a status: it
checks the role, the current status and the guard, writes the audit event and runs the
row's effects (notifications) — all inside the caller's transaction.

A row whose target is its source is an action the status allows without changing it (a vote
on an open ballot): the same role, status and guard checks, and an audit event without
"from"/"to".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from app.core.i18n import status_word
from app.core.roles import Role


class WorkflowActor(Protocol):
    id: int
    email: str

    @property
    def role_enum(self) -> Role: ...


S = TypeVar("S", bound=StrEnum)
Guard = Callable[[Any, Any], None]
Effect = Callable[[Session, Any, Any], None]


@dataclass(frozen=True)
class Transition(Generic[S]):
    source: S
    action: str
    target: S
    roles: frozenset[Role]
    # A guard raises a DomainError (PermissionDenied, Conflict, ValidationError...) to refuse.
    guard: Guard | None = None
    effects: tuple[Effect, ...] = field(default=())
    # The scheduled job (no user: actor None) may also take this transition.
    system: bool = False
    # The audit event's name, when not "<workflow>.<action>" (a ballot's "vote" is "vote.cast").
    event: str = ""

    @property
    def keeps_status(self) -> bool:
        """An action on the object that leaves its status as it is (a vote on an open ballot)."""
        return self.source == self.target


class Workflow(Generic[S]):
    def __init__(
        self,
        name: str,
        statuses: type[S],
        transitions: Sequence[Transition[S]],
        *,
        status_attr: str = "status",
    ) -> None:
        self.name = name
        self.statuses = statuses
        self.status_attr = status_attr
        self.transitions = tuple(transitions)
        self._by_key: dict[tuple[S, str], Transition[S]] = {}
        for t in self.transitions:
            key = (t.source, t.action)
            if key in self._by_key:
                raise ValueError(f"{name}: duplicate transition {t.source}/{t.action}")
            if not t.roles:
                raise ValueError(f"{name}: {t.source}/{t.action} names no role")
            self._by_key[key] = t

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(t.action for t in self.transitions)

    def status_of(self, obj: Any) -> S:
        return self.statuses(getattr(obj, self.status_attr))

    def find(self, status: S | str, action: str) -> Transition[S] | None:
        return self._by_key.get((self.statuses(status), action))

    def roles_for(self, action: str) -> frozenset[Role]:
        roles: set[Role] = set()
        for t in self.transitions:
            if t.action == action:
                roles |= t.roles
        return frozenset(roles)

    def check(self, obj: Any, action: str, actor: WorkflowActor | None) -> Transition[S]:
        """Return the transition `actor` may take now, or raise the typed reason why not.

        `actor` None is the scheduled job, allowed only where the table says `system`.
        """
        if action not in self.actions:
            raise TransitionNotAllowed(
                _(
                    "unknown %(workflow)s action %(action)s",
                    workflow=self.name,
                    action=repr(action),
                )
            )
        if actor is None:
            return self._check_system(obj, action)
        if actor.role_enum not in self.roles_for(action):
            raise PermissionDenied(
                _(
                    "a %(role)s may not %(action)s a %(workflow)s",
                    role=status_word(actor.role_enum),
                    action=action,
                    workflow=self.name,
                )
            )
        status = self.status_of(obj)
        transition = self.find(status, action)
        if transition is None:
            raise self._not_from(status, action)
        if actor.role_enum not in transition.roles:
            raise PermissionDenied(
                _(
                    "a %(role)s may not %(action)s a %(workflow)s that is %(status)s",
                    role=status_word(actor.role_enum),
                    action=action,
                    workflow=self.name,
                    status=status_word(status),
                )
            )
        if transition.guard is not None:
            transition.guard(obj, actor)
        return transition

    def _check_system(self, obj: Any, action: str) -> Transition[S]:
        status = self.status_of(obj)
        transition = self.find(status, action)
        if transition is None:
            raise self._not_from(status, action)
        if not transition.system:
            raise PermissionDenied(
                _(
                    "%(workflow)s %(action)s needs a person, not the scheduler",
                    workflow=self.name,
                    action=action,
                )
            )
        if transition.guard is not None:
            transition.guard(obj, None)
        return transition

    def _not_from(self, status: S, action: str) -> TransitionNotAllowed:
        return TransitionNotAllowed(
            _(
                "cannot %(action)s a %(workflow)s whose status is %(status)s",
                action=action,
                workflow=self.name,
                status=status_word(status),
            ),
            fields={"status": status.value},
        )

    def can(self, obj: Any, action: str, actor: WorkflowActor) -> bool:
        try:
            self.check(obj, action, actor)
        except DomainError:
            return False
        return True

    def available(self, obj: Any, actor: WorkflowActor) -> list[str]:
        status = self.status_of(obj)
        return [
            t.action
            for t in self.transitions
            if t.source == status and self.can(obj, t.action, actor)
        ]

    def apply(
        self,
        session: Session,
        obj: Any,
        action: str,
        actor: WorkflowActor | None,
        *,
        data: Mapping[str, Any] | None = None,
    ) -> Transition[S]:
        transition = self.check(obj, action, actor)
        before = self.status_of(obj)
        setattr(obj, self.status_attr, transition.target.value)
        moved = (
            {} if transition.keeps_status else {"from": before.value, "to": transition.target.value}
        )
        audit.record(
            session,
            transition.event or f"{self.name}.{action}",
            obj,
            actor=actor,
            data={**moved, **dict(data or {})},
        )
        for effect in transition.effects:
            effect(session, obj, actor)
        return transition

    def table(self) -> Iterable[tuple[str, str, str, list[str]]]:
        """The table as plain rows, for documentation and tests."""
        for t in self.transitions:
            yield t.source.value, t.action, t.target.value, sorted(r.value for r in t.roles)
