"""The string tables are complete and consistent, and every binding is translated."""

from __future__ import annotations

import importlib
import string

import pytest
from textual.dom import DOMNode

from engine.course.lessons import KNOWN_LABS
from tui import i18n
from tui.app import DojoApp
from tui.labs import PACKAGES, register_strings
from tui.screens.info import LAB_ORDER


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_tables_have_the_same_keys_and_fields() -> None:
    ko, en = i18n.TABLES["ko"], i18n.TABLES["en"]
    assert set(ko) == set(en)
    for key in ko:
        assert _fields(ko[key]) == _fields(en[key]), key


def test_korean_strings_avoid_ambiguous_width_punctuation() -> None:
    # These draw two cells wide in many Korean-locale terminals and break alignment.
    for key, text in i18n.TABLES["ko"].items():
        assert not set(text) & set("—·→←…"), key


def test_t_uses_the_live_language_and_formats() -> None:
    i18n.set_lang("ko")
    assert i18n.t("quiz.score", correct=4, total=6) == "점수: 6문제 중 4개 정답"
    i18n.set_lang("en")
    assert i18n.t("quiz.score", correct=4, total=6) == "Score: 4 of 6 correct"
    assert i18n.pick({"ko": "가", "en": "a"}) == "a"
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    with pytest.raises(ValueError):
        i18n.set_lang("fr")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "C.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
        ({"LC_ALL": "", "LANG": "ko_KR.UTF-8"}, "ko"),
        ({}, "en"),
    ],
)
def test_locale_lang(environ: dict[str, str], expected: str) -> None:
    assert i18n.locale_lang(environ) == expected


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def test_every_binding_has_an_id_and_a_translation() -> None:
    for module in ("home", "info", "lesson", "modals", "quiz"):  # every screen
        importlib.import_module(f"tui.screens.{module}")
    register_strings()
    for package in dict.fromkeys(PACKAGES.values()):  # every lab's screens
        importlib.import_module(f"{package}.screen")
    ours = [c for c in _all_subclasses(DOMNode) if c.__module__.startswith("tui.")] + [DojoApp]
    assert len(ours) > 5
    for cls in ours:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            for lang in i18n.LANGS:
                assert f"key.{binding.id}" in i18n.TABLES[lang]
                if binding.group is not None:
                    assert f"group.{binding.group.description}" in i18n.TABLES[lang]


def test_every_known_lab_has_a_name_and_a_place_in_the_list() -> None:
    assert set(LAB_ORDER) == set(KNOWN_LABS)
    for lab in KNOWN_LABS:
        for lang in i18n.LANGS:
            assert i18n.TABLES[lang][f"lab.{lab}"]
