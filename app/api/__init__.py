"""The JSON API under /api/v1: bearer tokens, JSON errors, OpenAPI (design.md §5.2).

Each domain keeps its own API blueprint (`app/<domain>/api.py`); this package holds the
shared plumbing and the routes that belong to no domain (me, reference, openapi.json).
"""
