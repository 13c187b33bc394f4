"""The ``dataready`` command line: one module per command group."""
