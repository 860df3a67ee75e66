"""Show the code: the plain Python that does what a lab just did (issue 21).

Every snippet is built from the same config objects the lab used (``SamplingParams``,
``RunSpec``, ``EvalConfig``...), calls only the public APIs of transformers, peft, trl,
evaluate and tokenizers (never ``engine``), and loads an embedded model by its local
path, so the file runs as is on the student's machine and gives the lab's result.
Tests run a representative snippet of each lab in a subprocess and compare.
"""

from __future__ import annotations

from .snippet import Snippet, save_snippet

__all__ = ["Snippet", "save_snippet"]
