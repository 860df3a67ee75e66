"""The course's lessons: content, not code.

Each ``NN-slug/`` folder holds ``lesson.toml``, ``ko.md``, ``en.md`` and
``quiz.toml`` (see ``FORMAT.md``). This file only exists so the folder ships inside
the installed distribution; :data:`ROOT` is where the loader looks.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
