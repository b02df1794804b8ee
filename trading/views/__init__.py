"""Web pages of the trading app: proposals (advisors), blotters (traders), runs (operations)."""
