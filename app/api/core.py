"""The `api_endpoint` decorator: bearer authentication, role guard, body parsing, errors.

It also records what the OpenAPI document says about the route, so a route cannot exist
without being described. A handler calls a service and returns its answer: a successful
call that may change things is committed by the request's unit of work
(app/core/unit_of_work.py), and a service's refusal is rolled back here and answered as
JSON `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any, TypeVar

from flask import Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic import ValidationError as PydanticValidationError

from app.auth import services as auth_services
from app.auth.models import User
from app.core.audit import audit_origin
from app.core.errors import DomainError
from app.core.numbers import MAX_BIGINT
from app.core.pagination import Page
from app.core.roles import Role
from app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

# Every whole number in a body: within what the database holds (BIGINT), so 2**70 is a 422
# and never an OverflowError in the driver; the services then check the range that makes
# sense (person-days, a rating, an id that exists).
Int = Annotated[StrictInt, Field(ge=-MAX_BIGINT - 1, le=MAX_BIGINT)]


class Strict(BaseModel):
    """A request body: a field the route does not know is refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class ApiMeta:
    summary: str
    roles: frozenset[Role] | None  # None: any signed-in user
    public: bool = False
    body: type[BaseModel] | None = None
    status: int = 200
    response: dict[str, Any] | None = None  # JSON schema of the success body
    media_type: str = "application/json"
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    errors: tuple[int, ...] = (400, 401, 403, 404, 409, 422)


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> Response:
    payload: dict[str, Any] = {"code": code, "message": message}
    if fields:
        payload["fields"] = fields
    response = jsonify(error=payload)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sptf"'
    return response


def page_response(page: Page[Any], items: list[Any]) -> Response:
    """A list's answer: the page's items in their JSON form, and where the page stands
    (`total` stops at 1,000: `total_capped` then says there are more)."""
    return jsonify(
        items=items, page=page.page, pages=page.pages, total=page.total, total_capped=page.capped
    )


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return auth_services.user_for_api_token(db.session(), token.strip())


def current_api_user() -> User:
    user: User = g.api_user
    return user


def _pydantic_fields(exc: PydanticValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in exc.errors():
        location = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(location, item["msg"])
    return fields


def api_endpoint(
    *,
    summary: str,
    roles: Iterable[Role] | None = None,
    public: bool = False,
    body: type[BaseModel] | None = None,
    status: int = 200,
    response: dict[str, Any] | None = None,
    media_type: str = "application/json",
    description: str = "",
    tags: Iterable[str] = (),
) -> Callable[[F], F]:
    meta = ApiMeta(
        summary=summary,
        roles=frozenset(roles) if roles is not None else None,
        public=public,
        body=body,
        status=status,
        response=response,
        media_type=media_type,
        description=description,
        tags=tuple(tags),
    )

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            audit_origin.set("api")
            user = bearer_user()
            if user is None and not public:
                return error_response(401, "unauthorized", "a valid bearer token is required")
            if db.session.dirty:
                # The token's last-used time: bookkeeping, kept even if the call fails.
                db.session.commit()
            g.api_user = user
            if (
                not public
                and meta.roles is not None
                and user is not None
                and user.role_enum not in meta.roles
            ):
                return error_response(403, "forbidden", f"a {user.role_enum.value} may not do this")
            if body is not None:
                # An empty body is an empty object (routes whose fields are all optional).
                data = request.get_json(silent=True) if request.get_data() else {}
                if not isinstance(data, dict):
                    return error_response(400, "bad_request", "the body must be a JSON object")
                try:
                    kwargs["body"] = body.model_validate(data)
                except PydanticValidationError as exc:
                    fields = _pydantic_fields(exc)
                    first = next(iter(fields.items()))
                    return error_response(422, "invalid", f"{first[0]}: {first[1]}", fields)
            try:
                return view(*args, **kwargs)
            except DomainError as error:
                db.session.rollback()
                return error_response(error.status, error.code, error.message, error.fields or None)

        wrapped.api_meta = meta  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
