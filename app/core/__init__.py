"""Shared plumbing: database base, audit log, workflow runner, money, mail, PDF, permissions."""
