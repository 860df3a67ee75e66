"""What the embeddings lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "emb.empty_vocab": "min-count {min_count} leaves no word in the vocabulary: the most frequent word of this "
                       "corpus occurs {top} times; use a min-count of {top} or less (5 suits the Lee corpus)",
    "emb.oov": "'{word}' is out of vocabulary (not among the {vocab} words kept by min-count); "
               "did you mean '{suggestion}'?",
    "emb.oov_no_suggestion": "'{word}' is out of vocabulary (not among the {vocab} words kept by min-count), "
                             "and no known word is spelled like it",
    "emb.oov_subwords": "'{word}' was never seen in training: FastText built its vector from character n-grams",
    "emb.repeated_word": "the analogy repeats '{word}': a - b + c needs three different words "
                         "(for example arafat palestinian israeli)",
    "emb.too_few_words": "{op} needs {need} words, got {got}",
    "emb.empty_file": "the corpus file {path} has no words: give a UTF-8 text file with one sentence or "
                      "document per line",
    "emb.not_utf8": "the corpus file {path} is not UTF-8 text (byte {position} cannot be decoded): save it as "
                    "UTF-8 and try again",
    "emb.no_file": "no corpus named '{name}' and no such file: use one of {corpora}, or the path of a UTF-8 "
                   "text file",
    "emb.no_model": "no trained embedding named '{name}': train one first (llm-dojo embed train --name {name}); "
                    "trained: {known}",
    "emb.bad_name": "the name '{name}' cannot be a folder name: use letters, digits, '-' and '_'",
    "emb.cancelled": "training stopped after epoch {epoch} of {epochs}",
    "emb.ngram_range": "min-n {min_n} and max-n {max_n}: FastText needs 1 <= min-n <= max-n (3 and 6 are the "
                       "paper's lengths)",
    "emb.positive": "{name} must be at least {minimum}, got {value}",
    "emb.too_small_vocab": "the corpus has only {words} words after min-count: too few to learn from; lower "
                            "min-count or use a larger corpus",
    "emb.konlpy_failed": "KoNLPy could not start its Java analyser ({error}): install Java 17 (a JDK) and try again",
    "emb.glove_diverged": "GloVe diverged in epoch {epoch} (the loss became NaN): learning rate {lr} is too "
                          "high; try half of it",
    "emb.same_pair": "the two words are the same ('{word}'): pick two different words",
    "emb.no_cooc": "'{word}' never occurs in the corpus, so it has no co-occurrence counts",
}
