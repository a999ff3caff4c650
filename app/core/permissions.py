"""Route guards. Object-level checks live in each domain's services (`get_x_for(user, id)`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import PermissionDenied
from app.core.roles import Role
from app.core.workflow import WorkflowActor
from app.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Signed-in users with one of `roles`; others get 403, anonymous users the sign-in page."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role_enum not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def require_role(actor: WorkflowActor | None, *roles: Role) -> None:
    """The same rule inside a service, against an explicit actor."""
    if actor is None or actor.role_enum not in roles:
        raise PermissionDenied(_("you may not do this"))
