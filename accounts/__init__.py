"""Firms (the tenants), people and their roles, households, clients, accounts, preferences, audit."""
