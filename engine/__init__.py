"""LLM Dojo engine: every lab's computation, free of any user interface.

The engine is reachable from Python, from the CLI and from the TUI. It never imports
``textual`` or ``rich`` (a test enforces this), and heavy libraries (torch,
transformers, gensim, konlpy) are imported inside the functions that need them so
that importing ``engine`` stays cheap.
"""

__version__ = "0.1.0"
