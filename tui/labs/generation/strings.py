"""The generation lab's strings (migrating: still defined in tui/widgets/gen_strings.py)."""

STRINGS: dict[str, dict[str, str]] = {"ko": {}, "en": {}}
