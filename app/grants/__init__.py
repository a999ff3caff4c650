"""Grants: commitment, the agreement and its acceptance, tranches and maker–checker releases."""
