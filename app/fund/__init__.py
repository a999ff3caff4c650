"""The fund's read side, built on the ledger and the records behind its postings: the fund
at a glance, the ledger's pages, API and CSV export, its figures over time, and `ledger
verify` with the cross-checks between the ledger and the grants and contributions.

The bookkeeping itself (accounts, postings, balances, the ledger's own invariants) is
app/ledger/, which knows nothing of grants or donors."""
