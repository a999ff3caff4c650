"""Contributions: card gifts through Stripe, bank transfers and pledges, receipts, statements."""
