"""The signed-in user of a page request, as a real `User` (not Flask-Login's proxy), for
views to hand to services. The API's is `app.api.core.current_api_user` (bearer tokens)."""

from __future__ import annotations

from flask_login import current_user

from app.auth.models import User


def actor() -> User:
    user: User = current_user._get_current_object()
    return user
