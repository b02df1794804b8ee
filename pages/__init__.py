"""Pages that show more than one app: the dashboard, the book, preferences with
their proposal, the audit log, the model pages with their accounts and what-if.
"""
