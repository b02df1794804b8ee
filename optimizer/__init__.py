"""Pure optimization library: one account's plain data in, trades out. No Django."""
