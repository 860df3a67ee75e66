"""The long fuzzing run: every fuzz test in ``tests/fuzz`` with a large example budget.

    python bench/fuzz.py [--examples 2000] [-k chat]

CI runs the same tests with 25 examples each (``LLM_DOJO_FUZZ_EXAMPLES`` unset); this
script sets ``LLM_DOJO_FUZZ_EXAMPLES`` and prints, per test, how many examples ran and
how long they took, then whether anything was found. A finding is printed by Hypothesis
as the smallest failing input: turn it into a regular test, then fix the engine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="Hypothesis examples per test")
    parser.add_argument("-k", default="", help="only the fuzz tests whose name matches (pytest -k)")
    args = parser.parse_args()
    env = {**os.environ, "LLM_DOJO_FUZZ_EXAMPLES": str(args.examples), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/fuzz",
           "--hypothesis-show-statistics", "-W", "ignore::DeprecationWarning"] + (["-k", args.k] if args.k else [])
    started = time.monotonic()
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    test = None
    for line in res.stdout.splitlines():
        if line.startswith("tests/fuzz/") and "::" in line:
            test = line.split("::")[-1].rstrip(":")
        elif test and "passing" in line and "failing" in line:
            print(f"{test:55s} {line.strip()}")
    tail = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else res.stderr[-500:]
    print(f"{args.examples} examples per test, {wall:.0f} s wall: {tail}")
    if res.returncode != 0:
        print(res.stdout[-6000:])
    return res.returncode


if __name__ == "__main__":
    sys.exit(main())
