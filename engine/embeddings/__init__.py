"""Word embeddings, trained and judged: one-hot vs dense, Word2Vec, FastText, GloVe.

One module per question a student asks:

* ``config``    what can I set? (:class:`TrainConfig`, :class:`QueryConfig`; torch- and gensim-free)
* ``corpus``    which text, split how? (gensim's Lee corpus, KoNLPy's Korean texts, a file)
* ``train``     train CBOW, skip-gram or FastText with gensim, epoch by epoch (events, cancel)
* ``glove``     GloVe's weighted least squares, written out in torch
* ``store``     saved vectors, reloadable (word2vec / Facebook binary formats, no pickle)
* ``query``     nearest words, similarity, analogies, the odd one out, unseen words
* ``evaluate``  wordsim353, simlex999 and questions-words with gensim's evaluators
* ``cooc``      co-occurrence counts and GloVe's probability-ratio table
* ``onehot``    one-hot vectors times W are embedding rows
* ``contextual`` the same word in two sentences through dojo-tiny
* ``pca``       a 2D map of chosen words

Only the light modules are imported here, so the TUI starts without gensim.
"""

from .config import ALGORITHMS, CORPORA, QueryConfig, TrainConfig

__all__ = ["ALGORITHMS", "CORPORA", "QueryConfig", "TrainConfig"]
