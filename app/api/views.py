"""Routes that belong to no single domain: who am I, reference data, the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from app.api.core import api_endpoint, current_api_user
from app.api.openapi import build_spec
from app.extensions import db
from app.reference import services as reference

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ME_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string"},
        "state": {"type": ["string", "null"]},
        "region": {"type": ["string", "null"]},
    },
}


@bp.get("/me")
@api_endpoint(summary="The user this token belongs to", tags=["account"], response=ME_SCHEMA)
def me() -> Response:
    user = current_api_user()
    return jsonify(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role_enum.value,
        state=user.state_iso3,
        region=user.region.value if user.region else None,
    )


@bp.get("/reference")
@api_endpoint(summary="States, themes, mechanisms and SDGs", tags=["reference"])
def reference_data() -> Response:
    return jsonify(reference.reference_payload(db.session()))


@bp.get("/openapi.json")
@api_endpoint(summary="This document", public=True, tags=["meta"])
def openapi() -> Response:
    return jsonify(build_spec(current_app))
