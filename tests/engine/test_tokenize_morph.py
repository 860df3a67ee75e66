"""KoNLPy analysers against KoNLPy's own calls, the Java-missing message, NLTK's tokenizers against
NLTK itself, and the vocabulary/OOV table against a hand count."""

from __future__ import annotations

import pytest

from engine.errors import DojoError
from engine.tokenize import morph
from engine.tokenize.morph import MorphConfig, analyze
from engine.tokenize.words import _capped, split_text, vocab_table

LESSON = "아버지가 방에 들어가신다"


@pytest.mark.slow
def test_okt_and_komoran_match_konlpy_and_the_lesson():
    import locale

    from konlpy.tag import Komoran, Okt

    encoding = locale.getpreferredencoding(False)
    okt = analyze(LESSON, MorphConfig(analyzer="okt"))
    assert locale.getpreferredencoding(False) == encoding  # starting the JVM must not reset the locale
    assert okt.pos == tuple(Okt().pos(LESSON)) and okt.nouns == ("아버지", "방")
    assert okt.morphs[:4] == ("아버지", "가", "방", "에")
    stemmed = analyze(LESSON, MorphConfig(analyzer="okt", stem=True))
    assert stemmed.pos[-1] == ("들어가다", "Verb") and stemmed.stem  # the dictionary form
    normed = analyze("아버지가 방에 들어가신닼ㅋㅋ", MorphConfig(analyzer="okt", norm=True))
    assert ("ㅋㅋ", "KoreanParticle") in normed.pos and "닼" not in normed.morphs
    komoran = analyze(LESSON, MorphConfig(analyzer="komoran", stem=True))
    assert komoran.pos == tuple(Komoran().pos(LESSON))
    assert ("들어가", "VV") in komoran.pos and komoran.notices[0].key == "morph.okt_only"


def test_java_missing_is_one_clear_line(monkeypatch):
    import jpype

    def no_jvm():
        raise jpype.JVMNotFoundException("No JVM shared library file (libjvm.so) found. Try setting up JAVA_HOME")

    monkeypatch.setattr(jpype, "getDefaultJVMPath", no_jvm)
    monkeypatch.setattr(morph, "_made", {})
    with pytest.raises(DojoError) as err:
        analyze(LESSON, MorphConfig(analyzer="kkma"))
    assert err.value.key == "morph.no_java" and "openjdk-17" in str(err.value) and "\n" not in str(err.value)
    # the rest of the lab still works: word splitters and subwords, with the morpheme row explaining
    rows = {r.name: r for r in split_text(LESSON).rows}
    assert rows["morphs:okt"].tokens is None and rows["morphs:okt"].notice.key == "morph.no_java"
    assert rows["whitespace"].tokens == ("아버지가", "방에", "들어가신다") and rows["dojo-tiny"].tokens


@pytest.mark.parametrize("bad, needle", [("", "empty"), ("  \n ", "empty"), ("가" * 20_001, "at most 20,000")])
def test_bad_texts(bad, needle):
    with pytest.raises(DojoError, match=needle):
        analyze(bad)


def test_unknown_analyzer():
    with pytest.raises(DojoError, match="no morphological analyzer 'mecab2'.*okt, komoran"):
        MorphConfig(analyzer="mecab2")


def test_mecab_missing_says_what_to_install():
    try:
        import konlpy.tag

        konlpy.tag.Mecab()
        pytest.skip("Mecab is installed here")
    except Exception:
        pass
    with pytest.raises(DojoError, match="mecab-ko"):
        analyze(LESSON, MorphConfig(analyzer="mecab"))


def test_nltk_rows_equal_nltk_and_punkt_is_explained():
    from nltk.tokenize import TreebankWordTokenizer, TweetTokenizer, WordPunctTokenizer

    text = "I can't believe it's 3.50$! @user :-) 아버지가 방에 들어가신다."
    rows = {r.name: r for r in split_text(text, morphs=None).rows}
    assert rows["treebank"].tokens == tuple(TreebankWordTokenizer().tokenize(text))
    assert rows["wordpunct"].tokens == tuple(WordPunctTokenizer().tokenize(text))
    assert rows["tweet"].tokens == tuple(TweetTokenizer().tokenize(text))
    assert "@user" in rows["tweet"].tokens and ("ca", "n't") == rows["treebank"].tokens[1:3]
    try:
        import nltk

        nltk.data.find("tokenizers/punkt_tab/english/")
    except LookupError:
        assert rows["punkt"].tokens is None and "punkt_tab" in rows["punkt"].notice.text


def test_vocab_table_counts_by_hand():
    from engine.tokenize.train import corpus_texts

    table = vocab_table("ko", max_chars=5000, subwords=("dojo-tiny",))
    train = _capped(corpus_texts("kolaw", "train") + corpus_texts("kobill", "train"), 5000)
    held = _capped(corpus_texts("kolaw", "heldout") + corpus_texts("kobill", "heldout"), 5000)
    words = [w for t in train for w in t.split()]
    held_words = [w for t in held for w in t.split()]
    row = next(r for r in table.rows if r.name == "whitespace")
    assert (row.train_tokens, row.vocab) == (len(words), len(set(words)))
    assert row.oov == sum(1 for w in held_words if w not in set(words))
    rates = {r.name: r.oov_rate for r in table.rows}
    assert rates["whitespace"] > rates["characters"] and rates["dojo-tiny"] == 0.0
    with pytest.raises(DojoError, match="ko or en"):
        vocab_table("fr")
