"""socle-bench: simulators of the French e-health socle services."""

__version__ = "0.1.0"
