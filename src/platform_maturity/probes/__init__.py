"""Probes: HTTP(S), multi-step flows, health checks, TCP and DNS, and the runner."""
