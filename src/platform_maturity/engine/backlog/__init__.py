"""The security backlog, computed: SLA clocks, attainment, expected loss, review agendas."""
