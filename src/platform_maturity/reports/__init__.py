"""Outputs: render view models to terminal, HTML, Markdown and JSON."""
