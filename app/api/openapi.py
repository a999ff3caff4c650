"""The OpenAPI 3.1 document, built from the routes that exist and their `api_meta`."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from app.api.core import ApiMeta

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing or invalid bearer token",
    403: "The role or the object does not allow this",
    404: "Not found, or not visible to this user",
    409: "Not allowed from the current status",
    422: "Invalid input; `fields` says which",
}
_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _CONVERTER.finditer(rule):
        schema = {"type": "integer"} if match["conv"] == "int" else {"type": "string"}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m["name"] + "}", rule), params


def api_routes(app: Flask) -> list[tuple[str, str, ApiMeta]]:
    """(rule, method, meta) for every route whose view carries API metadata."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "api_meta", None)
        if meta is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method, meta))
    return routes


def build_spec(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for rule, method, meta in sorted(api_routes(app), key=lambda r: (r[0], r[1])):
        path, params = _path(rule)
        operation: dict[str, Any] = {
            "summary": meta.summary,
            "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
            "tags": list(meta.tags),
            "responses": {},
        }
        if meta.description or meta.roles is not None:
            who = (
                "any signed-in user"
                if meta.roles is None
                else ", ".join(sorted(r.value for r in meta.roles))
            )
            operation["description"] = (meta.description + "\n\n" if meta.description else "") + (
                "Public." if meta.public else f"Who: {who}."
            )
        if params:
            operation["parameters"] = params
        if meta.public:
            operation["security"] = []
        if meta.body is not None:
            schema = meta.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                schemas[name] = definition
            schemas[meta.body.__name__] = schema
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{meta.body.__name__}"}
                    }
                },
            }
        success: dict[str, Any] = {"description": "Success"}
        if meta.media_type == "application/json":
            success["content"] = {
                "application/json": {"schema": meta.response or {"type": "object"}}
            }
        else:
            success["content"] = {
                meta.media_type: {"schema": {"type": "string", "format": "binary"}}
            }
        operation["responses"][str(meta.status)] = success
        for code in meta.errors:
            if meta.public and code in (401, 403):
                continue
            operation["responses"][str(code)] = {
                "description": ERROR_TEXT[code],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SPTF API",
            "version": "1.0.0",
            "description": "Small Projects Trust Fund. Money is a decimal string with its `currency`.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    }
