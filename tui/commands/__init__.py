"""The ``llm-dojo`` CLI's commands, one small module per group; each exposes ``register(app)``."""
