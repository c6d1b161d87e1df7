"""Every change to stock, by concern: `moves` (postings by people and integrations),
`reservations` (what manufacturing calls), `warehouses`, `rebuild` (projections from the
ledger), on the shared machinery of `ledger`."""
