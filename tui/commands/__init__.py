"""The ``llm-dojo`` CLI's commands, one small module per group; each exposes ``register(app)``.

A new lab adds its module's name to :data:`MODULES` (``tui/cli.py`` registers them in
this order, which is the order ``llm-dojo --help`` lists them).
"""

MODULES: tuple[str, ...] = ("system", "train", "progress", "generate", "runs", "embed", "tokenize", "chat", "evaluate", "hub", "applications", "attention", "lm")
