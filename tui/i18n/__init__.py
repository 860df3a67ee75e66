"""Every UI string in Korean and English, and ``t(key)`` in the live language.

The tables are plain dicts (``ko.py``, ``en.py``) with the same keys, so a missing
translation is a test failure, not a surprise on screen. The live language is one
module-level value: the app sets it (``set_lang``) when it starts and when the user
toggles, then re-renders its screens; widgets only ever call ``t`` and ``pick``.
Lesson content carries its own ``{"ko": ..., "en": ...}`` dicts; ``pick`` chooses from
those with the same rule.

    >>> set_lang("ko"); t("key.app.quit")
    '종료'
    >>> t("quiz.score", correct=4, total=6)
    '점수: 6문제 중 4개 정답'
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from . import en, ko

LANGS = ("ko", "en")
TABLES: dict[str, dict[str, str]] = {"ko": ko.STRINGS, "en": en.STRINGS}

_lang = "en"


def set_lang(lang: str) -> None:
    """Make ``lang`` ("ko" or "en") the live language."""
    global _lang
    if lang not in TABLES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    _lang = lang


def get_lang() -> str:
    return _lang


def add_strings(tables: Mapping[str, Mapping[str, str]]) -> None:
    """Add a lab's own strings (e.g. ``key.<binding id>`` descriptions) to the tables.

    Labs keep their strings beside their widgets and register them here, so one
    lookup (``t``) and one footer mechanism serve the whole app. Both languages must
    bring the same keys, and a key may not change an existing string.
    """
    if {lang: set(tables.get(lang, {})) for lang in LANGS}["ko"] != set(tables.get("en", {})):
        raise ValueError("add_strings: Korean and English must have the same keys")
    for lang in LANGS:
        for key, text in tables[lang].items():
            if TABLES[lang].get(key, text) != text:
                raise ValueError(f"add_strings: {key!r} already means something else in {lang}")
            TABLES[lang][key] = text


def other_lang(lang: str) -> str:
    """The language the toggle switches to."""
    return "en" if lang == "ko" else "ko"


def t(key: str, **values: object) -> str:
    """The string ``key`` in the live language, formatted with ``values``.

    An unknown key raises ``KeyError``: a typo should fail a test, not show a raw key.
    """
    text = TABLES[_lang][key]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """True when ``key`` exists in the live language's table."""
    return key in TABLES[_lang]


def say(item: object) -> str:
    """An engine notice or error in the live language.

    ``item`` has ``key`` and ``args`` (an :class:`engine.messages.Notice`, or a keyed
    ``DojoError`` whose arguments are ``args_``): ``msg.<key>`` from the tables when it
    exists, else the English text the engine wrote (``str(item)``).
    """
    key = getattr(item, "key", None)
    if key and has(f"msg.{key}"):
        args = getattr(item, "args_", None)
        if args is None:
            args = getattr(item, "args", None)
        return t(f"msg.{key}", **(args if isinstance(args, dict) else {}))
    return str(item)


def in_every_lang(key: str, **values: object) -> list[str]:
    """``key`` in every language, Korean first: for notices that must not depend on
    the toggle (the terminal-too-small notice)."""
    return [TABLES[lang][key].format(**values) for lang in LANGS]


def pick(texts: Mapping[str, str]) -> str:
    """Choose from a lesson's ``{"ko": ..., "en": ...}`` dict in the live language."""
    if _lang in texts:
        return texts[_lang]
    return next(iter(texts.values()), "")


def locale_lang(environ: Mapping[str, str] | None = None) -> str:
    """"ko" when the POSIX locale is Korean, else "en".

    POSIX precedence: ``LC_ALL`` overrides ``LC_MESSAGES``, which overrides ``LANG``;
    an empty variable does not count.

        >>> locale_lang({"LANG": "ko_KR.UTF-8"})
        'ko'
        >>> locale_lang({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"})
        'en'
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"
