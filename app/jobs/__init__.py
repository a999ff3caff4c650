"""Scheduled work, run by cron as `flask --app wsgi jobs run`; every job is safe to run twice."""
