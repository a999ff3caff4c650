"""Open data: the fund's published grants as IATI 2.03 and 360Giving files (DESIGN §3.6)."""
