"""The runs list's strings (migrating: still in tui/widgets/run_strings.py)."""

STRINGS: dict[str, dict[str, str]] = {"ko": {}, "en": {}}
