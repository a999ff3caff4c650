"""`flask --app wsgi demo`: idempotent demonstration data for every role."""
