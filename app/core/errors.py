"""Typed domain errors. Services raise them; the web and API layers map them to responses."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base class: `status` is the HTTP status the web layer answers with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""

    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class TransitionNotAllowed(DomainError):
    """The action is not possible from the object's current status."""

    status = 409
    code = "transition_not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ValidationError(DomainError):
    status = 422
    code = "invalid"
