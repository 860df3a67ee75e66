"""LLM Dojo's terminal fronts: the Textual app and the ``llm-dojo`` command line.

Both are thin: every computation lives in ``engine/``. The app is ``tui.app``
(``run_app(lang)`` opens it), its screens and widgets live in ``screens/`` and
``widgets/``, its styles in ``styles/*.tcss`` and its strings in ``i18n/``.
Importing this package imports nothing heavy.
"""
