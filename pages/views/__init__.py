"""Web pages of the accounts app, one module per area (views stay thin: selectors read,
services write)."""
