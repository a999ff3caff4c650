"""Deployments: an expert sent to a State under a grant. The secretariat proposes, the
expert accepts, the State consents, the expert reports, the secretariat completes it, and
the fee and travel are paid from the grant (design.md §3.4)."""
