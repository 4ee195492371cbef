"""Plans, credit ledger and Stripe state."""
