"""Collectors read one kind of source and emit observations: facts, never verdicts on goals."""
