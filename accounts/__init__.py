"""Firms (the tenants), people and roles, households, clients, accounts, preferences, audit."""
