"""The fund's double-entry ledger: accounts, append-only transactions, balances, invariants."""
