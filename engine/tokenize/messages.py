"""What the tokenizer and morphology labs say to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "tok.steps_ran_out": "only {done} of {asked} steps were possible: nothing is left to merge or prune",
    "tok.deck_slip": "the deck differs from its own algorithm here: {where}",
    "tok.deck_neg_log": "the deck's Unigram numbers are probabilities P (products of token probabilities), "
                        "although it labels them -log P",
    "tok.deck.bpe_marker": "step {step}: the deck adds {deck!r}, this run merges {pair} (count {count}) because "
                           "of the </w> marker (the deck's list is the run without it)",
    "tok.deck.bpe_differs": "step {step}: the deck adds {deck!r}, this run merges {pair} (count {count})",
    "tok.deck.wordpiece_slip": "step {step}: the deck merges {deck}, which scores {deck_score}; by the same "
                               "formula {pair} scores {score}, higher",
    "tok.deck.unigram_p": "{word}: the deck prints {printed} and calls it -log P; it is P (-log P = {neg_log})",
    "tok.deck.unigram_tie": "{word}: the deck prints {printed} and calls it -log P; it is P (-log P = {neg_log}); "
                            "equally likely splits: {ties}",
    "tok.deck.unigram_differs": "{word}: the deck prints {printed}, the computation gives {p}",
    "tok.empty_text": "the text is empty: type something to tokenize",
    "tok.truncated": "the text is {chars:,} characters; the view shows the first {shown:,} (counts cover all of it)",
    "tok.surrogates": "{n} unpaired surrogate code point(s) (half of an emoji, or bytes that were not UTF-8) "
                      "cannot be encoded; each became U+FFFD",
    "tok.unknown_tokenizer": "no tokenizer called {name!r}; available here: {names}",
    "tok.vocab_below_alphabet": "vocab size {vocab} is smaller than the {alphabet} characters the alphabet "
                                "needs (plus special tokens); use at least {need}",
    "tok.vocab_not_reached": "the vocabulary stopped at {got} tokens (asked for {asked}): this corpus has "
                             "no more pieces frequent enough to add",
    "morph.unknown_analyzer": "no morphological analyzer {name!r}; use one of {names}",
    "morph.no_java": "KoNLPy's analyzers run on Java, which was not found ({detail}); install a JDK (e.g. "
                     "'sudo apt install openjdk-17-jdk') or set JAVA_HOME; the rest of the lab still works",
    "morph.no_mecab": "Mecab is not installed (it needs mecab-ko and mecab-ko-dic); use okt, komoran, "
                      "hannanum or kkma",
    "morph.okt_only": "norm and stem are Okt's options; {analyzer} ignores them",
    "words.needs_data": "NLTK's {name} needs the '{package}' data, which is not installed and cannot be "
                        "downloaded here; with internet: python -m nltk.downloader {package}",
    "morph.empty_text": "the text is empty: type a Korean sentence to analyse",
}
