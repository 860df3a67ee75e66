"""The shipped lessons read well on an 80x24 terminal, in consistent Korean.

Checks on the text itself, each one a problem a reviewer found on screen:
code lines wider than the reading panel (cut off), blank lines in code blocks
(half a screen of nothing), emoji sequences whose width terminals disagree on (the
next character vanished), particles separated from their word by the Markdown
renderer (``**어휘 사전(vocabulary)** 의``), glossary alternatives, and a lab
paragraph that every lesson opens the same way. Markdown is parsed with the parser
the app uses (``tui.widgets.reading``), not by eye.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from engine.course.lessons import load_course
from lessons import ROOT
from tui.screens.lesson import LAB_MARKERS
from tui.widgets.reading import _parser

CODE_WIDTH = 72  # reading panel at 80 columns: 80 - borders - padding - scrollbar
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Width-ambiguous sequences: skin-tone modifiers, zero-width joiner, emoji presentation.
AMBIGUOUS = re.compile("[\U0001F3FB-\U0001F3FF\u200d\ufe0f]")
PARTICLE = (r"(?:은|는|이|가|을|를|의|에|에서|에게|로|으로|와|과|도|만|이란|란|이라는|라는|이라고|"
            r"라고|입니다|이다|처럼|보다|까지|부터|이며|이고|이나|이면|으로는|로는|에는|에서는|이라|"
            r"이자|에도|으로도|로도|이지만|이므로|으로서|로서|와의|과의)")
DETACHED = re.compile(r"^\s+" + PARTICLE + r"(?=[\s.,;:!?)\]·]|$)")
HANGUL_END = re.compile(r"[\uac00-\ud7a3]$")


def _texts() -> list[Path]:
    paths = sorted(ROOT.glob("*/ko.md")) + sorted(ROOT.glob("*/en.md"))
    assert paths, f"no lesson text under {ROOT}"
    return paths


def _code_lines(path: Path):
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if FENCE.match(line):
            inside = not inside
            continue
        if inside:
            yield number, line


def _inlines(path: Path):
    for token in _parser().parse(path.read_text(encoding="utf-8")):
        if token.type == "inline":
            yield token.map[0] + 1 if token.map else 0, token.children or []


def test_code_lines_fit_the_reading_panel_at_80_columns():
    wide = [f"{p.relative_to(ROOT)}:{n}: {cell_len(line)} cells"
            for p in _texts() for n, line in _code_lines(p) if cell_len(line) > CODE_WIDTH]
    assert not wide, f"code lines over {CODE_WIDTH} cells:\n" + "\n".join(wide)


def test_code_blocks_have_no_blank_lines():
    blank = [f"{p.relative_to(ROOT)}:{n}" for p in _texts() for n, line in _code_lines(p) if not line.strip()]
    assert not blank, "blank lines in code blocks:\n" + "\n".join(blank)


def test_no_width_ambiguous_emoji_sequences():
    files = _texts() + sorted(ROOT.glob("*/quiz.toml")) + sorted(ROOT.glob("*/lesson.toml"))
    found = [f"{p.relative_to(ROOT)}:{n}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").split("\n"), start=1)
             if AMBIGUOUS.search(line)]
    assert not found, "skin-tone modifiers, ZWJ or VS16 (terminals disagree on their width):\n" + "\n".join(found)


def test_the_renderer_finds_the_checks_problems():
    """The checks below catch what they are for (so they cannot pass vacuously)."""
    bad = "**어휘 사전(vocabulary)** 의 번호. **BPE(byte-level BPE)**는 토큰."
    children = next(c for t in _parser().parse(bad) if t.type == "inline" for c in [t.children])
    assert any(c.type == "text" and DETACHED.match(c.content) for c in children)
    assert any(c.type == "text" and "**" in c.content for c in children)


def test_no_particle_is_separated_from_its_word():
    problems = []
    for path in sorted(ROOT.glob("*/ko.md")):
        for line, children in _inlines(path):
            for i, child in enumerate(children):
                if child.type == "text" and "**" in child.content:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: '**' shown literally "
                                    f"(bold not closed): {child.content[:40]!r}")
                if i + 1 >= len(children):
                    continue
                after = children[i + 1]
                if child.type in ("strong_close", "code_inline") and after.type == "text" \
                        and DETACHED.match(after.content):
                    problems.append(f"{path.relative_to(ROOT)}:{line}: particle after a space: "
                                    f"{after.content[:20]!r}")
                if child.type == "softbreak" and i > 0 and after.type == "text":
                    before = children[i - 1]
                    ends_word = before.type in ("strong_close", "code_inline") or (
                        before.type == "text" and HANGUL_END.search(before.content))
                    if ends_word and after.content.startswith("("):
                        problems.append(f"{path.relative_to(ROOT)}:{line}: a line break before "
                                        f"'(' renders as a space: {after.content[:20]!r}")
    assert not problems, "\n".join(problems)


def _glossary_rules() -> list[tuple[str, list[str]]]:
    """(avoided word, Korean terms that contain it legitimately) from the glossary's notes."""
    text = (ROOT / "GLOSSARY.md").read_text(encoding="utf-8")
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|") and not line.startswith("|---")]
    korean_terms = [term.strip() for row in rows[1:] if len(row) >= 2 for term in re.split(r"[/,]", row[1])]
    rules = []
    for row in rows[1:]:
        note = row[2] if len(row) > 2 else ""
        match = re.search(r"avoid:\s*([^()]+)", note)
        if not match:
            continue
        for word in (w.strip() for w in match.group(1).split(",")):
            if word:
                rules.append((word, [t for t in korean_terms if word in t and t != word]))
    return rules


def test_glossary_notes_are_read():
    avoided = {word for word, _ in _glossary_rules()}
    assert {"말뭉치", "그레이디언트", "로그 우도", "업무", "단원"} <= avoided, avoided


def test_korean_text_uses_the_glossary_terms():
    files = sorted(ROOT.glob("*/ko.md")) + sorted(ROOT.glob("*/quiz.toml")) + sorted(ROOT.glob("*/lesson.toml"))
    files.append(Path(__file__).resolve().parents[2] / "tui" / "i18n" / "ko.py")
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            for word, allowed in _glossary_rules():
                stripped = line
                for term in allowed:  # "그레이디언트 누적" is the method's name
                    stripped = stripped.replace(term, "")
                if word in stripped:
                    problems.append(f"{path.name}:{number}: '{word}' (see lessons/GLOSSARY.md)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_lesson_has_one_lab_paragraph_with_the_same_heading(lang: str):
    course = load_course()
    assert course.lessons
    for lesson in course.lessons:
        text = "\n".join(step.markdown for step in lesson.steps[lang])
        assert text.count(LAB_MARKERS[lang]) == 1, f"{lesson.id}/{lang}.md: one '{LAB_MARKERS[lang]}' paragraph"


def test_english_glosses_stay_outside_the_bold():
    """``**어휘 사전**(vocabulary)의``: the particle then attaches without breaking the bold."""
    inside = re.compile(r"\*\*[^*\n]*[\uac00-\ud7a3]\([^()*\n]+\)\*\*")
    found = []
    for path in sorted(ROOT.glob("*/ko.md")):
        prose = re.sub(r"^ {0,3}```.*?^ {0,3}```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in inside.finditer(prose)]
    assert not found, "\n".join(found)
