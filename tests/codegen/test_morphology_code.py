"""The morphology lab's code (issue 21): KoNLPy's calls with the lab's options, run on their own, give
the lab's morphemes, tags and nouns; F12 shows them; `morphs --show-code` prints them."""

from __future__ import annotations

import json

import pytest

from engine.codegen.morphology import morphs_snippet, words_snippet
from engine.tokenize.morph import MorphConfig
from tests.cli_helpers import dojo
from tui.i18n import set_lang
from tui.labs.morphology.screen import MorphologyScreen
from tui.widgets.code_panel import CodePanel

from .helpers import LabApp, run_snippet, text_of

TEXT = "아버지가 방에 들어가신다 ㅋㅋ 너무 웃기닼ㅋㅋ"


def java() -> bool:
    from engine.errors import DojoError
    from engine.tokenize.morph import check_java

    try:
        check_java()
        return True
    except DojoError:
        return False


needs_java = pytest.mark.skipif(not java(), reason="KoNLPy's analysers need Java")


@needs_java
@pytest.mark.slow  # Okt's first call takes 5-15 s in each process (the JVM compiles its dictionaries)
def test_snippets_give_the_labs_morphemes_and_word_splits():
    from concurrent.futures import ThreadPoolExecutor

    from engine.tokenize.morph import analyze

    stem, norm = MorphConfig(analyzer="okt", stem=True), MorphConfig(analyzer="okt", norm=True)
    words = "I can't wait!! 시간이 화살처럼 지나간다 :-) #nlp"
    code = [morphs_snippet(TEXT, stem, analyzers=["okt", "hannanum"]).code, morphs_snippet(TEXT, norm).code,
            words_snippet(words).code]
    # one process (one JVM start; each analyser's first call takes seconds) for both snippets, run while the
    # lab analyses here
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_snippet, "\n\n\n".join(code))
        labs = [analyze(TEXT, stem), analyze(TEXT, MorphConfig(analyzer="hannanum", stem=True)), analyze(TEXT, norm)]
        out = running.result()
    both, normed, split = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    got = [both["okt"], both["hannanum"], normed["okt"]]
    for mine, lab in zip(got, labs):
        assert mine == {"morphs": list(lab.morphs), "pos": [list(p) for p in lab.pos], "nouns": list(lab.nouns)}
    assert got[0]["pos"] != got[2]["pos"]  # stem and norm change the analysis

    from engine.tokenize.playground import encode
    from engine.tokenize.words import split_text

    lab = {r.name: r.tokens for r in split_text(words, morphs=None, subwords=("dojo-tiny", "dojo-tiny-mlm")).rows}
    for name in ("whitespace", "treebank", "wordpunct", "regexp", "tweet", "dojo-tiny-mlm"):
        assert split[name] == list(lab[name]), name
    assert split["dojo-tiny:ids"] == encode(words, "dojo-tiny").ids  # byte-level: the lab shows bytes as hex
    assert split["tweet"] != split["treebank"]


@needs_java
async def test_f12_shows_konlpy_for_the_analysis_on_screen(isolated_home):
    set_lang("en")
    app = LabApp(MorphologyScreen({"text": "아버지가 방에 들어가신다", "stem": True}))
    async with app.run_test(size=(100, 32)) as pilot:
        lab = app.screen
        for _ in range(300):
            await pilot.pause(0.1)
            if lab.result is not None and lab.splits is not None:
                break
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CodePanel)
        assert "from konlpy.tag import Okt" in text_of(app)
        assert "tagger.pos(text, norm=False, stem=True)" in app.screen.snippet.code
        assert "tokenize.TweetTokenizer().tokenize" in app.screen.snippet.code  # the splits panel too
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab
        await app.workers.wait_for_complete()


def test_cli_show_code_prints_every_analyser_without_running(isolated_home):
    words = dojo("tokenizer", "words", "시간이 화살처럼", "--analyzer", "none", "--show-code")
    assert words.returncode == 0 and words.stdout.startswith("# Words, NLTK's tokenizers and subwords")
    shown = dojo("morphs", TEXT, "--all", "--stem", "--show-code")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# Korean morphemes with KoNLPy's Okt / Komoran / Hannanum / Kkma (stem)")
    assert "from konlpy.tag import Okt, Komoran, Hannanum, Kkma" in shown.stdout
    # Kkma and Komoran take about ten seconds each to start: the four-analyser file is compiled, not run
    # (the Okt snippet above runs)
    compile(shown.stdout, "morphs.py", "exec")
