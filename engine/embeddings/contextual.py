"""Contextual embeddings: the same word in two sentences, through a transformer (dojo-tiny).

A static embedding (Word2Vec, FastText, GloVe, and a transformer's own input embedding
table) gives a word one vector whatever the sentence. A transformer's hidden states mix
in the other tokens, so the same word gets a different vector in each sentence. For each
layer (0 = the input embeddings) we average the hidden states of the word's tokens in
each sentence and report the cosine of the two averages: 1.0 at layer 0, lower above.
dojo-tiny is a causal model, so a token sees only the words before it: put the
disambiguating words before the word ("the rural fire", "troops opened fire").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import DojoError


@dataclass(frozen=True)
class ContextResult:
    word: str
    sentences: tuple[str, str]
    tokens: tuple[tuple[str, ...], tuple[str, ...]]
    """The word's tokens in each sentence."""
    layers: tuple[float, ...]
    """Cosine of the word's two vectors at each layer; 0 is the input embedding table (static)."""
    model: str

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "sentences": list(self.sentences), "tokens": [list(t) for t in self.tokens],
                "layers": [{"layer": n, "cosine": round(c, 4)} for n, c in enumerate(self.layers)],
                "static_cosine": round(self.layers[0], 4), "last_layer_cosine": round(self.layers[-1], 4),
                "same_tokens": self.same_tokens, "model": self.model}

    @property
    def same_tokens(self) -> bool:
        """Whether the word became the same tokens in both sentences (then layer 0's cosine is exactly 1: a
        byte-level tokenizer gives a word after a space other tokens than at the start of a sentence)."""
        return self.tokens[0] == self.tokens[1]


def word_tokens(tokenizer: Any, sentence: str, word: str) -> tuple[list[int], list[int]]:
    """(input ids, positions of the tokens that cover the first whole-word ``word``) of ``sentence``."""
    # a whole word first; else the start of one (Korean glues particles on: 배 in 배가)
    match = (re.search(rf"(?<!\w){re.escape(word)}(?!\w)", sentence, flags=re.IGNORECASE)
             or re.search(rf"(?<!\w){re.escape(word)}", sentence, flags=re.IGNORECASE))
    if match is None:
        raise DojoError(f"'{word}' does not occur as a word in the sentence {sentence!r}: use a sentence "
                        "that contains it")
    enc = tokenizer(sentence, return_offsets_mapping=True, add_special_tokens=False)
    positions = [n for n, (a, b) in enumerate(enc["offset_mapping"]) if a < match.end() and b > match.start()]
    return list(enc["input_ids"]), positions


def contextual_similarity(word: str, sentence_a: str, sentence_b: str, model: str = "dojo-tiny",
                          loaded: Any = None) -> ContextResult:
    """Cosine of ``word``'s vectors in the two sentences, per layer (``loaded``: an already loaded model)."""
    import torch

    if not word.strip():
        raise DojoError("the word is empty: give the word to follow through both sentences (for example fire)")
    if loaded is None:
        from ..models.load import load_model

        loaded = load_model(model)
    tok, net = loaded.tokenizer, loaded.model
    vectors = []
    shown = []
    for sentence in (sentence_a, sentence_b):
        ids, positions = word_tokens(tok, sentence, word.strip())
        with torch.no_grad():
            out = net(torch.tensor([ids], device=net.device), output_hidden_states=True)
        vectors.append([h[0, positions].float().mean(0) for h in out.hidden_states])
        shown.append(tuple(tok.decode([ids[p]]) for p in positions))
    cos = tuple(float(torch.nn.functional.cosine_similarity(a, b, dim=0)) for a, b in zip(*vectors))
    return ContextResult(word.strip(), (sentence_a, sentence_b), (shown[0], shown[1]), cos, model)
