"""Transactions, tax lots, cash, and everything that trades: runs, proposals, blotters."""
