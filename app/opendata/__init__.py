"""Open data: the fund's published grants as IATI 2.03 and 360Giving files (design.md §3.6)."""
