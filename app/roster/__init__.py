"""The roster of human rights experts and their deployments to States (DESIGN §3.4)."""
