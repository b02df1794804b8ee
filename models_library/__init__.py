"""The security master, prices, model portfolios and their published versions."""
