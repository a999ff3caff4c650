"""Users, roles, sign-in with TOTP, invitations, password resets and API tokens."""
