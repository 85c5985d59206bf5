"""Use cases: open the workspace and store, call the engine, build view models."""
