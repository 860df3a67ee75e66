"""The step-through trainers against independent computations: hand arithmetic from the deck's
examples (FACTS.md), small reference implementations written differently, brute-force
enumeration of every split, and the ``tokenizers`` library's own BPE trainer."""

from __future__ import annotations

import itertools
import json
import math
import threading
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import DojoError
from engine.tokenize.bpe import bpe_steps, count_pairs
from engine.tokenize.steps import StepConfig, run_steps
from engine.tokenize.unigram import initial_counts, unigram_state, unigram_steps
from engine.tokenize.wordfreqs import EXAMPLES, count_words, parse_word_freqs, read_table
from engine.tokenize.wordpiece import wordpiece_steps

DECK_BPE = EXAMPLES["deck-bpe"]
HUG = EXAMPLES["deck-hug"]


# ----- BPE ----------------------------------------------------------------------------------------
def reference_bpe(table, n, marker):
    """Words as space-joined strings; merging is a token-wise rewrite of the joined string."""
    vocab = {" ".join(list(w) + ([marker] if marker else [])): c for w, c in table}
    merges = []
    for _ in range(n):
        counts: dict = {}
        for word, c in vocab.items():
            toks = word.split(" ")
            for pair in zip(toks, toks[1:]):
                counts[pair] = counts.get(pair, 0) + c
        if not counts:
            break
        top = max(counts.values())
        best = next(p for p, c in counts.items() if c == top)
        merges.append((best, top))
        new = {}
        for word, c in vocab.items():
            toks, out = word.split(" "), []
            while toks:
                if len(toks) > 1 and (toks[0], toks[1]) == best:
                    out.append(toks[0] + toks[1])
                    toks = toks[2:]
                else:
                    out.append(toks.pop(0))
            new[" ".join(out)] = c
        vocab = new
    return merges


def test_bpe_deck_example_with_the_end_of_word_marker_matches_facts():
    steps = bpe_steps(DECK_BPE, 10, end_of_word=True)
    assert [(s.left, s.right) for s in steps] == [
        ("e", "s"), ("es", "t"), ("est", "</w>"), ("l", "o"), ("lo", "w"), ("n", "e"), ("ne", "w"),
        ("new", "est</w>"), ("low", "</w>"), ("w", "i")]
    # e+s: newest 6 + widest 3 = 9; l+o: low 5 + lower 2 = 7
    assert [s.count for s in steps[:5]] == [9, 9, 9, 7, 7]
    assert steps[0].tied == 3  # e+s, s+t and t+</w> all count 9; the first counted wins


def test_bpe_without_marker_is_the_decks_printed_vocabulary():
    result = run_steps(StepConfig(algo="bpe", end_of_word=False), DECK_BPE, example="deck-bpe")
    added = result.vocab_at(10)[len(result.initial_vocab):]
    assert added == ("es", "est", "lo", "low", "ne", "new", "newest", "wi", "wid", "widest")
    assert result.initial_vocab == tuple("lowernstid")  # the deck's step-0 vocabulary
    assert all(c["agrees"] for c in result.deck) and len(result.deck) == 10
    assert not [n for n in result.notices if n.key == "tok.deck_slip"]


def test_bpe_with_marker_points_at_the_deck_difference():
    result = run_steps(StepConfig(algo="bpe"), DECK_BPE)
    first = next(c for c in result.deck if not c["agrees"])
    assert first["step"] == 3 and first["ours"] == "est</w>" and first["deck"] == "lo"
    assert any(n.key == "tok.deck_slip" and "</w>" in n.text for n in result.notices)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text("abcde", min_size=1, max_size=6), st.integers(1, 9)), min_size=1, max_size=6,
                unique_by=lambda t: t[0]),
       st.booleans())
def test_bpe_equals_an_independent_implementation(table, marker):
    ours = bpe_steps(table, 8, end_of_word=marker)
    ref = reference_bpe(table, 8, "</w>" if marker else "")
    assert [((s.left, s.right), s.count) for s in ours] == ref


def _library_merges(table, n_merges):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    alphabet = len({ch for w, _ in table for ch in w})
    trainer = trainers.BpeTrainer(vocab_size=alphabet + n_merges, show_progress=False)
    tok.train_from_iterator([w for w, c in table for _ in range(c)], trainer=trainer)
    return [tuple(m) for m in json.loads(tok.to_str())["model"]["merges"]]


@pytest.mark.parametrize("table", [DECK_BPE, HUG, (("시간이", 3), ("시간은", 2), ("화살처럼", 2), ("시각", 1))])
def test_bpe_agrees_with_the_tokenizers_library(table):
    """Every merge the library makes is a most frequent pair at its step (replayed with our
    counting); on untied steps the two trainers make the same merge."""
    library = _library_merges(table, 10)
    words = [(list(w), c) for w, c in table]
    ours = bpe_steps(table, len(library), end_of_word=False)
    diverged = False
    for ((a, b), step) in zip(library, ours):
        pairs = count_pairs(words)
        assert pairs[(a, b)] == max(pairs.values())  # the library's choice is a best pair too
        if not diverged:
            assert step.count == pairs[(a, b)]
            if step.tied == 1:
                assert (step.left, step.right) == (a, b)
            diverged = (step.left, step.right) != (a, b)
        from engine.tokenize.bpe import merge_pair

        words = [(merge_pair(s, a, b), c) for s, c in words]


# ----- WordPiece ----------------------------------------------------------------------------------
def test_wordpiece_deck_example_scores_by_hand():
    steps = wordpiece_steps(HUG, 4)
    assert [(s.left, s.right) for s in steps] == [("##g", "##s"), ("h", "##u"), ("hu", "##gs"), ("hu", "##g")]
    # step 1: ##g+##s occurs in hugs (5); ##g: hug 10 + pug 5 + hugs 5 = 20; ##s: 5 -> 5/(20*5)
    assert steps[0].score == Fraction(5, 20 * 5)
    # step 2: h+##u: 15/(15*36) = 1/36, and five other pairs tie with it
    assert steps[1].score == Fraction(1, 36) and steps[1].tied == 6
    # step 3: hu+##gs 5/(15*5) = 1/15 beats hu+##g 10/(15*15) = 2/45 (the deck shows the latter)
    scores = {(c.left, c.right): c.score for c in steps[2].candidates}
    assert scores[("hu", "##gs")] == Fraction(1, 15) and scores[("hu", "##g")] == Fraction(2, 45)
    assert steps[3].score == Fraction(10, 10 * 15)


def test_wordpiece_names_the_decks_step_three_slip():
    result = run_steps(StepConfig(algo="wordpiece", steps=4), HUG, example="deck-hug")
    slip = [c for c in result.deck if not c["agrees"]]
    assert [c["step"] for c in slip] == [3]
    assert "2/45" in slip[0]["note"] and "1/15" in slip[0]["note"]
    assert any(n.key == "tok.deck_slip" for n in result.notices)


def test_wordpiece_candidates_are_every_pair_with_its_formula():
    steps = wordpiece_steps((("abab", 3), ("ba", 2)), 1)
    for c in steps[0].candidates:
        assert c.score == Fraction(c.pair_freq, c.left_freq * c.right_freq)
    assert {(c.left, c.right) for c in steps[0].candidates} == {("a", "##b"), ("##b", "##a"), ("##a", "##b"),
                                                                 ("b", "##a")}


# ----- Unigram ------------------------------------------------------------------------------------
def brute_best(word, probs):
    best = 0.0
    for cuts in itertools.product([0, 1], repeat=len(word) - 1):
        pieces, start = [], 0
        for i, cut in enumerate(cuts, start=1):
            if cut:
                pieces.append(word[start:i])
                start = i
        pieces.append(word[start:])
        if all(p in probs for p in pieces):
            best = max(best, math.prod(probs[p] for p in pieces))
    return best


def test_unigram_deck_numbers():
    state = unigram_state(HUG)
    assert state.total == 210
    counts = dict(state.counts)
    assert counts["u"] == 36 and counts["hug"] == 15 and "pug" not in counts and len(counts) == 15
    p = {t: c / 210 for t, c in counts.items()}
    assert p["p"] * p["u"] * p["g"] == pytest.approx(0.00132, abs=5e-6)
    assert p["p"] * p["ug"] == p["pu"] * p["g"] == pytest.approx(0.0077, abs=5e-5)
    got = {w.word: (w.tokens, round(w.probability, 6)) for w in state.words}
    assert got == {"hug": (("hug",), 0.071429), "pug": (("pu", "g"), 0.00771), "pun": (("pu", "n"), 0.006168),
                   "bun": (("bu", "n"), 0.001451), "hugs": (("hug", "s"), 0.001701)}
    assert state.words[1].ties == (("p", "ug"),)


def test_unigram_viterbi_equals_brute_force_and_pruning_loss_is_real():
    table = (("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5), ("gush", 2))
    start, steps = unigram_steps(table, 3, shrink=0.1)
    probs = {t: c / start.total for t, c in start.counts}
    for w in start.words:
        assert w.probability == pytest.approx(brute_best(w.word, probs), rel=1e-12)
    first = steps[0]
    for cand in first.candidates[:4]:
        without = {t: v for t, v in probs.items() if t != cand.token}
        loss = sum(c * -math.log(brute_best(w, without)) for w, c in table)
        assert cand.loss_increase == pytest.approx(loss - start.loss, abs=1e-9)
    assert first.removed[0] == first.candidates[0].token
    assert all(len(t) > 1 for s in steps for t in s.removed)
    assert initial_counts(table)  # every step keeps single characters
    assert set("hugpnbs") <= set(steps[-1].state.vocab)


def test_unigram_deck_check_says_p_not_neg_log():
    result = run_steps(StepConfig(algo="unigram", steps=2), HUG, example="deck-hug")
    assert all(c["agrees"] for c in result.deck) and len(result.deck) == 5
    assert any(n.key == "tok.deck_neg_log" for n in result.notices)


# ----- configs, tables and bad input --------------------------------------------------------------
def test_run_stops_when_nothing_is_left_and_says_so():
    result = run_steps(StepConfig(algo="bpe", steps=50), (("ab", 1),))
    assert len(result.steps) == 2  # a+b, then ab+</w>
    assert result.notices[0].key == "tok.steps_ran_out"


def test_cancel_stops_between_steps():
    cancel = threading.Event()
    cancel.set()
    assert bpe_steps(DECK_BPE, 10, cancel=cancel) == []


def test_to_dict_is_json():
    for algo in ("bpe", "wordpiece", "unigram"):
        data = json.loads(json.dumps(run_steps(StepConfig(algo=algo, steps=3), HUG).to_dict()))
        assert data["steps_done"] == 3 and data["algo"] == algo


@pytest.mark.parametrize("kwargs, needle", [({"algo": "sentencepiece"}, "bpe, wordpiece, unigram"),
                                            ({"steps": 0}, "1 to 500"), ({"shrink": 1.5}, "0.01 to 0.9")])
def test_bad_configs(kwargs, needle):
    with pytest.raises(DojoError, match=needle):
        StepConfig(**kwargs)


def test_word_freq_file_bad_line_names_the_line():
    with pytest.raises(DojoError, match="line 3"):
        parse_word_freqs("low\t5\n# comment\nlower 2\n")
    with pytest.raises(DojoError, match="line 1: the count 'x'"):
        parse_word_freqs("low\tx\n")
    with pytest.raises(DojoError, match="line 2: the count -1"):
        parse_word_freqs("a\t1\nb\t-1\n")
    with pytest.raises(DojoError, match="no words"):
        parse_word_freqs("\n\n")
    assert parse_word_freqs("시간\t3\r\n화살\t2\n시간\t1\n") == (("시간", 4), ("화살", 2))


def test_text_counting_and_sources(tmp_path):
    assert count_words("시간이 화살처럼 시간이") == (("시간이", 2), ("화살처럼", 1))
    with pytest.raises(DojoError, match="no words"):
        count_words("   \n")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 1".encode("latin-1"))
    with pytest.raises(DojoError, match="not UTF-8"):
        read_table(text=bad)
    with pytest.raises(DojoError, match="no built-in example"):
        read_table(example="deck-nope")
    with pytest.raises(DojoError, match="one source"):
        read_table(example="deck-bpe", text=bad)


def test_the_librarys_wordpiece_trainer_counts_pairs_like_bpe():
    """The docstring's teaching point: tokenizers' WordPieceTrainer does not use the score
    freq(ab)/(freq(a)freq(b)); its first merge on the deck's table is the most *frequent* pair
    (##u ##g, 20), not the best-scoring one (##g ##s, 1/20)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordPieceTrainer(vocab_size=14, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator([w for w, c in HUG for _ in range(c)], trainer=trainer)
    vocab = tok.get_vocab()
    ours = wordpiece_steps(HUG, 1)[0]
    assert (ours.left, ours.right) == ("##g", "##s")
    first_new = min((t for t in vocab if t != "[UNK]" and len(t.replace("##", "")) > 1), key=vocab.get)
    assert first_new == "##ug" and "##gs" not in vocab


def test_the_korean_example_counts_the_constitution():
    from konlpy.corpus import kolaw

    table = read_table(example="kolaw-top20")
    text = kolaw.open("constitution.txt").read()
    runs, run = [], ""
    for ch in text + " ":  # Hangul runs by hand, without a regular expression
        if "가" <= ch <= "힣":
            run += ch
        elif run:
            runs.append(run)
            run = ""
    assert len(table) == 20 and [c for _, c in table] == sorted((c for _, c in table), reverse=True)
    for word, count in table:
        assert runs.count(word) == count
    assert min(c for _, c in table) >= sorted((runs.count(w) for w in set(runs)), reverse=True)[19]
    steps = run_steps(StepConfig(algo="bpe", steps=3, end_of_word=False), table).steps
    assert all(len(s.merged) == 2 for s in steps[:1])  # two syllables first
