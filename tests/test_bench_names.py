"""A bench script runs as ``python bench/NAME.py``, which puts ``bench/`` first on ``sys.path``:
a script named like an installed module (``multiprocess``, ``datasets``...) would shadow it for
every other bench, which then fails on import. None may."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_no_bench_script_shadows_an_importable_module():
    clashes = [p.name for p in sorted(BENCH.glob("*.py"))
               if p.stem in sys.stdlib_module_names or importlib.util.find_spec(p.stem) is not None]
    assert not clashes, f"rename these bench scripts, they shadow modules: {clashes}"
