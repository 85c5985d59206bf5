"""Importers: one module per export format, turning a file into normalized records."""
