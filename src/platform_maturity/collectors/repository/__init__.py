"""The repository collector: detectors (data) over a git repository's files and history."""
