"""The secretariat's roster: experts searched and ranked with an explained score (for a
grant's request, its nationals left out), an expert's page with its missions and vetting
(design.md §3.4). The experts' own profiles are app/experts/, their missions app/deployments/."""
