"""Detached training runs: a run is a directory that a worker process fills and any
front end (CLI, TUI) reads. See ``store`` for the layout, ``launcher`` to start one,
``control`` to stop, resume and follow one."""
