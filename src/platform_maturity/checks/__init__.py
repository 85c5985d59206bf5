"""The check catalog: one YAML file per check, by source, read by ``catalog``."""
