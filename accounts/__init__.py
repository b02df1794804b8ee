"""Households, clients, accounts, the model each account follows, preference menus."""
