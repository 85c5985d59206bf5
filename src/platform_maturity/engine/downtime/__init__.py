"""Downtime and uptime from probe results and signals; incidents, escalation and money."""
