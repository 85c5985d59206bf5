"""The ``maturity`` command: thin adapters over the use cases in ``services``."""
