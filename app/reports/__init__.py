"""Report-back: each grant's progress reports (narrative, indicators, the status of its
recommendations), their review, and the success stories published with the State's consent
(design.md §3.5)."""
