"""The ``birdkit`` command line: one module per command, dispatched by ``birdkit.cli.main``."""
