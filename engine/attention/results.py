"""What the attention lab's actions return, as plain data (numbers, strings, numpy arrays).

No model, no tensor: a result can be kept, compared and printed as JSON (``to_dict``).
Torch-free: the TUI imports this when it draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..messages import Notice


def _r(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def _grid(rows: Any, digits: int = 4, masked: Any = None) -> list[list[float | None]]:
    out = []
    for i, row in enumerate(rows):
        out.append([None if masked is not None and masked[i][j] else _r(v, digits) for j, v in enumerate(row)])
    return out


@dataclass(frozen=True)
class AttentionResult:
    """Every layer's and head's attention for one input, as the softmax weights and the raw scaled scores."""

    model: str
    tokens: tuple[str, ...]
    """Each token as text (a byte-level piece of a Hangul syllable shows its bytes in hex)."""
    token_ids: tuple[int, ...]
    causal: bool
    """True for a left-to-right model: position i may look only at positions 0..i (the mask M is -inf above
    the diagonal); False for a bidirectional encoder such as BERT."""
    n_layers: int
    n_heads: int
    head_dim: int
    weights: Any
    """numpy (layers, heads, tokens, tokens): softmax(QK^T/sqrt(d) + M), row i = how query i spreads its
    attention over the keys; every row sums to 1."""
    scores: Any | None
    """numpy (layers, heads, tokens, tokens): the raw scaled scores QK^T/sqrt(d) before the mask and softmax
    (None when the architecture's projections are not known to the lab)."""
    scores_check: float | None
    """max |softmax(scores + M) - weights| over every layer and head: how well the scores computed here from
    the query/key projections (with RoPE where the model uses it) reproduce the model's own weights."""
    truncated_from: int | None = None
    """The input's length in tokens when it was longer than the model's context (then it was cut)."""
    notices: tuple[Notice, ...] = ()
    seconds: float = 0.0
    arch: str = ""
    rope: bool = False
    """The model rotates queries and keys by position (RoPE) instead of adding position embeddings."""

    @property
    def size(self) -> int:
        return len(self.tokens)

    def masked(self) -> Any:
        """numpy bool (tokens, tokens): True where the causal mask hides key j from query i (j > i)."""
        import numpy as np

        n = self.size
        return np.triu(np.ones((n, n), dtype=bool), 1) if self.causal else np.zeros((n, n), dtype=bool)

    def map(self, layer: int, head: int | None = None, view: str = "weights") -> Any:
        """One 2-D map: a head's (``head``) or the layer's average over heads (``head=None``)."""
        source = self.scores if view == "scores" else self.weights
        if source is None:
            raise ValueError("no raw scores for this model")
        return source[layer].mean(axis=0) if head is None else source[layer, head]

    def attends_to(self, layer: int, head: int | None = None) -> list[int]:
        """For each query token, the key it gives the most weight (in the head, or the head average)."""
        return [int(j) for j in self.map(layer, head).argmax(axis=-1)]

    def row_sum_error(self) -> float:
        """max |sum of a row - 1| over every map: softmax rows sum to 1."""
        return float(abs(self.weights.sum(axis=-1) - 1).max())

    def to_dict(self, layer: int = 0, head: int | None = None, view: str = "weights",
                full: bool = False) -> dict[str, Any]:
        masked = self.masked()
        out: dict[str, Any] = {
            "model": self.model, "arch": self.arch, "tokens": list(self.tokens), "token_ids": list(self.token_ids),
            "causal": self.causal, "rope": self.rope, "layers": self.n_layers, "heads": self.n_heads,
            "head_dim": self.head_dim, "truncated_from": self.truncated_from,
            "layer": layer, "head": head if head is not None else "average", "view": view,
            "map": _grid(self.map(layer, head, view), masked=masked if view == "scores" else None),
            "attends_to": [{"token": self.tokens[i], "to": self.tokens[j], "index": j}
                           for i, j in enumerate(self.attends_to(layer, head))],
            "row_sum_error": float(f"{self.row_sum_error():.3g}"),
            "scores_check": None if self.scores_check is None else float(f"{self.scores_check:.3g}"),
            "attends_to_by_head": [[self.attends_to(lay, h) for h in range(self.n_heads)]
                                   for lay in range(self.n_layers)],
            "notices": [n.to_dict() for n in self.notices],
            "seconds": round(self.seconds, 4),
        }
        if view == "scores":
            out["map_note"] = "null: hidden by the causal mask (M = -inf there before the softmax)"
        if full:
            out["weights"] = [[_grid(self.weights[lay, h]) for h in range(self.n_heads)]
                              for lay in range(self.n_layers)]
            if self.scores is not None:
                out["scores"] = [[_grid(self.scores[lay, h]) for h in range(self.n_heads)]
                                 for lay in range(self.n_layers)]
        return out


@dataclass(frozen=True)
class PosEncResult:
    """The sinusoidal positional-encoding matrix and how two positions' encodings relate by distance."""

    length: int
    dim: int
    base: float
    matrix: Any
    """numpy (length, dim): PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(pos / base^(2i/d))."""
    distance_dot: tuple[float, ...]
    """PE(p) . PE(p + k) for k = 0, 1, ...: the same for every p (it is sum_i cos(k w_i)), largest at k = 0."""
    dot_spread: float
    """The largest difference of PE(p).PE(p+k) across starting positions p, for any k: ~0, so the dot
    product depends on the distance only."""
    deck_notes: tuple[str, ...] = ()

    def to_dict(self, matrix: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"length": self.length, "dim": self.dim, "base": self.base,
                               "distance_dot": [_r(v, 6) for v in self.distance_dot],
                               "dot_spread": float(f"{self.dot_spread:.3g}"), "deck_notes": list(self.deck_notes)}
        if matrix:
            out["matrix"] = [[_r(v, 6) for v in row] for row in self.matrix]
        return out


@dataclass(frozen=True)
class RopeResult:
    """RoPE on a repeated word: scores of the same content depend on relative position only, and still on
    content."""

    model: str
    layer: int
    head: int
    tokens: tuple[str, ...]
    positions: tuple[int, ...]
    """Where each copy of the word sits (the last token of each copy)."""
    same: Any
    """numpy (n, n): q_i . k_j / sqrt(d) after rotation, for the word at every pair of its positions."""
    by_offset: dict[int, tuple[float, ...]]
    """offset i - j -> every score with that offset: equal (to float precision) for a given offset."""
    offset_spread: float
    """The largest spread (max - min) of the scores that share an offset."""
    unrotated_spread: float
    """The spread of the same scores without rotation: all equal, whatever the offset (no position at all)."""
    other_word: str
    changed: Any
    """numpy (n, n): the same scores with the other word at one position."""
    content_change: float
    """The largest |changed - same| over the pairs that involve the changed position: content still counts."""
    changed_tokens: tuple[str, ...] = ()
    """The input with the other word's last token at copy ``changed_at`` (same positions, new content)."""
    changed_at: int = 0
    notices: tuple[Notice, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "layer": self.layer, "changed_tokens": list(self.changed_tokens),
                "changed_at": self.changed_at, "head": self.head, "tokens": list(self.tokens),
                "positions": list(self.positions), "same": _grid(self.same),
                "by_offset": {str(k): [_r(v, 5) for v in vals] for k, vals in self.by_offset.items()},
                "offset_spread": float(f"{self.offset_spread:.3g}"),
                "unrotated_spread": float(f"{self.unrotated_spread:.3g}"),
                "other_word": self.other_word, "changed": _grid(self.changed),
                "content_change": _r(self.content_change, 5), "notices": [n.to_dict() for n in self.notices]}


@dataclass(frozen=True)
class ShapeRow:
    step: str
    shape: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "shape": list(self.shape)}


@dataclass(frozen=True)
class ClassifierRun:
    """One model trained on one split: the loss per logging step and the held-out scores."""

    name: str
    parameters: int
    losses: tuple[tuple[int, float], ...]
    """(step, training loss) as Trainer logged them."""
    eval_loss: float
    accuracy: float
    f1: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "parameters": self.parameters,
                "losses": [{"step": s, "loss": _r(v)} for s, v in self.losses],
                "eval_loss": _r(self.eval_loss), "accuracy": _r(self.accuracy), "f1": _r(self.f1),
                "seconds": round(self.seconds, 2)}


@dataclass(frozen=True)
class EncoderResult:
    """The from-scratch encoder: checks against torch, shapes at every sub-layer, training beside a
    pretrained encoder."""

    config: dict[str, Any]
    data: str
    train_size: int
    test_size: int
    sdpa_error: float
    """max |ours - torch.nn.functional.scaled_dot_product_attention|"""
    mha_error: float
    """max |our multi-head attention - torch.nn.MultiheadAttention| with the same weights"""
    shapes: tuple[ShapeRow, ...]
    scratch: ClassifierRun
    pretrained: ClassifierRun | None = None
    majority: float = 0.5
    """Held-out accuracy of always answering the most common training label (the floor to beat)."""
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "data": self.data, "train_size": self.train_size,
                "test_size": self.test_size, "sdpa_error": float(f"{self.sdpa_error:.3g}"),
                "mha_error": float(f"{self.mha_error:.3g}"), "shapes": [s.to_dict() for s in self.shapes],
                "scratch": self.scratch.to_dict(),
                "pretrained": None if self.pretrained is None else self.pretrained.to_dict(),
                "majority": _r(self.majority), "notices": [n.to_dict() for n in self.notices]}
