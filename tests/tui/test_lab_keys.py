"""Every lab's string tables can be registered together: no key means two things."""

from __future__ import annotations

import importlib

from tui.labs import PACKAGES, SHARED_STRINGS


def test_lab_string_tables_do_not_collide():
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for module in list(SHARED_STRINGS) + [f"{p}.strings" for p in dict.fromkeys(PACKAGES.values())]:
        for lang, table in importlib.import_module(module).STRINGS.items():
            for key, text in table.items():
                if (lang, key) in seen and seen[(lang, key)][1] != text:
                    raise AssertionError(f"{key!r} ({lang}) means {seen[(lang, key)][1]!r} in {seen[(lang, key)][0]} "
                                         f"and {text!r} in {module}: prefix config classes or keys per lab")
                seen[(lang, key)] = (module, text)
