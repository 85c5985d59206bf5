"""The KPI engine: pure functions from events, a period and an explicit ``now`` to results."""
