"""The pure core: framework data, records and an explicit ``now`` in; results out.

Nothing here reads files, talks to a database, looks at the clock or prints.
"""
