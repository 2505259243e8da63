"""``launchready init``: from a domain to a first manifest."""
