"""Public pages for anonymous visitors: the home page, health check and language choice."""
