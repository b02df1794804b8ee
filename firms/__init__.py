"""The tenant: firms, their people and roles, API keys, MFA and the audit log."""
