"""A State's request to the fund: drafting, submission, versions and screening."""
