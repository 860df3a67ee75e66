"""A transformer encoder built from scratch in torch, checked against torch, trained as a classifier.

The deck's practice ("Transformer Encoder and Sequence Classification"), piece by piece:

* :class:`Embeddings`: token embedding + learned position embedding (BERT's way);
* :func:`scaled_dot_product_attention`: softmax(QK^T/sqrt(d_k) + mask) V, written out;
* :class:`MultiHeadAttention`: W^Q, W^K, W^V split into heads, attention per head, concat, W^O;
* :class:`FeedForward`: max(0, x W1 + b1) W2 + b2, the same at every position;
* :class:`EncoderLayer`: h = LayerNorm(x + MHA(x)); out = LayerNorm(h + FFN(h)) (post-norm, as the
  deck draws it), with dropout on each sub-layer;
* :class:`Encoder` stacks the layers; :class:`EncoderClassifier` mean-pools the tokens that are not
  padding and puts a linear head on top.

:func:`verify` checks our attention against ``torch.nn.functional.scaled_dot_product_attention``
and our multi-head attention against ``torch.nn.MultiheadAttention`` given the same weights;
:func:`trace_shapes` records the tensor shape after every sub-layer; :func:`train_classifiers`
trains ours through ``transformers.Trainer`` (a data collator that pads each batch,
``compute_metrics`` with accuracy and F1 from ``evaluate``) and, beside it,
``AutoModelForSequenceClassification`` on the pretrained dojo-tiny-mlm, on the same split.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..errors import DojoError
from .config import AttentionEncoderConfig
from .results import ClassifierRun, EncoderResult, ShapeRow

TOKENIZER_MODEL = "dojo-tiny-mlm"
"""Both encoders read the same WordPiece tokenizer (dojo-tiny-mlm's, Korean and English)."""
LABELS = ("negative", "positive")

Recorder = list | None


def _note(shapes: Recorder, step: str, t: torch.Tensor) -> None:
    if shapes is not None:
        shapes.append(ShapeRow(step, tuple(t.shape)))


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None,
                                 shapes: Recorder = None) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d_k) + M) v and the weights. ``mask``: True where a key may be seen
    (broadcast to (..., T_q, T_k)); hidden keys get -inf before the softmax."""
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    _note(shapes, "scores QK^T/sqrt(d_k)", scores)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    _note(shapes, "weights softmax(scores + M)", weights)
    out = weights @ v
    _note(shapes, "weights @ V (per head)", out)
    return out, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % heads:
            raise DojoError.keyed("att.heads_divide", d_model=d_model, heads=heads)
        self.heads, self.d_k = heads, d_model // heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d_model) -> (B, heads, T, d_k)"""
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.d_k).transpose(1, 2)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None = None,
                shapes: Recorder = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``key_mask`` (B, T): True for real tokens, False for padding (never attended to)."""
        q, k, v = self.split(self.w_q(x)), self.split(self.w_k(x)), self.split(self.w_v(x))
        _note(shapes, "Q = x W^Q, split into heads", q)
        _note(shapes, "K = x W^K, split into heads", k)
        _note(shapes, "V = x W^V, split into heads", v)
        mask = None if key_mask is None else key_mask[:, None, None, :]
        out, weights = scaled_dot_product_attention(q, k, v, mask, shapes)
        b, _, t, _ = out.shape
        concat = out.transpose(1, 2).reshape(b, t, self.heads * self.d_k)
        _note(shapes, "concat heads", concat)
        out = self.w_o(self.dropout(concat))
        _note(shapes, "concat W^O", out)
        return out, weights


class FeedForward(nn.Module):
    def __init__(self, d_model: int, ff_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.w1, self.w2 = nn.Linear(d_model, ff_dim), nn.Linear(ff_dim, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, shapes: Recorder = None) -> torch.Tensor:
        hidden = torch.relu(self.w1(x))
        _note(shapes, "FFN hidden max(0, x W1 + b1)", hidden)
        out = self.w2(self.dropout(hidden))
        _note(shapes, "FFN out (W2)", out)
        return out


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int, heads: int, ff_dim: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(d_model, heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, ff_dim)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None = None,
                shapes: Recorder = None) -> torch.Tensor:
        attended, _ = self.attention(x, key_mask, shapes)
        h = self.norm1(x + self.dropout(attended))
        _note(shapes, "LayerNorm(x + MHA(x))", h)
        out = self.norm2(h + self.dropout(self.ff(h, shapes)))
        _note(shapes, "LayerNorm(h + FFN(h))", out)
        return out


class Embeddings(nn.Module):
    def __init__(self, vocab: int, d_model: int, max_length: int, pad_id: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.token = nn.Embedding(vocab, d_model, padding_idx=pad_id)
        self.position = nn.Embedding(max_length, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids: torch.Tensor, shapes: Recorder = None) -> torch.Tensor:
        tok = self.token(ids)
        _note(shapes, "token embedding", tok)
        pos = self.position(torch.arange(ids.shape[1], device=ids.device))[None]
        _note(shapes, "position embedding", pos)
        out = self.dropout(self.norm(tok + pos))
        _note(shapes, "token + position (LayerNorm)", out)
        return out


class Encoder(nn.Module):
    def __init__(self, vocab: int, d_model: int, heads: int, layers: int, ff_dim: int, max_length: int,
                 pad_id: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.embeddings = Embeddings(vocab, d_model, max_length, pad_id, dropout)
        self.layers = nn.ModuleList(EncoderLayer(d_model, heads, ff_dim, dropout) for _ in range(layers))

    def forward(self, ids: torch.Tensor, key_mask: torch.Tensor | None = None,
                shapes: Recorder = None) -> torch.Tensor:
        x = self.embeddings(ids, shapes)
        for n, layer in enumerate(self.layers):
            x = layer(x, key_mask, shapes if n == 0 else None)
            if n > 0:
                _note(shapes, f"encoder layer {n}", x)
        return x


class EncoderClassifier(nn.Module):
    """Encoder + mean pooling over real tokens + a linear head: what Trainer trains."""

    def __init__(self, config: AttentionEncoderConfig, vocab: int, pad_id: int, labels: int = 2) -> None:
        super().__init__()
        self.encoder = Encoder(vocab, config.d_model, config.heads, config.layers, config.ff_dim,
                               config.max_length, pad_id)
        self.head = nn.Linear(config.d_model, labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                labels: torch.Tensor | None = None, shapes: Recorder = None) -> dict[str, torch.Tensor]:
        _note(shapes, "input ids", input_ids)
        mask = attention_mask.bool() if attention_mask is not None else torch.ones_like(input_ids, dtype=torch.bool)
        x = self.encoder(input_ids, mask, shapes)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        _note(shapes, "mean over real tokens", pooled)
        logits = self.head(pooled)
        _note(shapes, "classification head (logits)", logits)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


# -- checks against torch ------------------------------------------------------------
def verify(d_model: int = 32, heads: int = 4, length: int = 7, batch: int = 2, seed: int = 0) -> tuple[float, float]:
    """(max |ours - F.scaled_dot_product_attention|, max |our MHA - nn.MultiheadAttention|), same inputs
    and weights, with padding masked in both."""
    gen = torch.Generator().manual_seed(seed)
    d_k = d_model // heads
    q, k, v = (torch.randn(batch, heads, length, d_k, generator=gen) for _ in range(3))
    key_mask = torch.ones(batch, length, dtype=torch.bool)
    key_mask[1, -2:] = False  # the second sentence ends in two padding tokens
    mask = key_mask[:, None, None, :]
    ours, _ = scaled_dot_product_attention(q, k, v, mask)
    theirs = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    sdpa_error = float((ours - theirs).abs().max())

    torch.manual_seed(seed)
    mha = MultiHeadAttention(d_model, heads).eval()
    ref = nn.MultiheadAttention(d_model, heads, batch_first=True).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([mha.w_q.weight, mha.w_k.weight, mha.w_v.weight]))
        ref.in_proj_bias.copy_(torch.cat([mha.w_q.bias, mha.w_k.bias, mha.w_v.bias]))
        ref.out_proj.weight.copy_(mha.w_o.weight)
        ref.out_proj.bias.copy_(mha.w_o.bias)
        x = torch.randn(batch, length, d_model, generator=gen)
        ours_out, ours_w = mha(x, key_mask)
        ref_out, ref_w = ref(x, x, x, key_padding_mask=~key_mask, need_weights=True, average_attn_weights=False)
    mha_error = max(float((ours_out - ref_out).abs().max()), float((ours_w - ref_w).abs().max()))
    return sdpa_error, mha_error


def trace_shapes(config: AttentionEncoderConfig, vocab: int = 1000, pad_id: int = 0, batch: int = 2,
                 length: int = 12) -> tuple[ShapeRow, ...]:
    """The shape after every sub-layer of the first layer (and each later layer's output) for one batch."""
    torch.manual_seed(config.seed)
    model = EncoderClassifier(config, vocab, pad_id).eval()
    shapes: list[ShapeRow] = []
    ids = torch.randint(1, vocab, (batch, length))
    with torch.no_grad():
        model(ids, torch.ones_like(ids), shapes=shapes)
    return tuple(shapes)


# -- data ----------------------------------------------------------------------------
def sentences(data: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(train, test) lists of (text, label 0/1): the Korean set's own split, or every fifth Pang & Lee line
    held out (the split the training lab uses)."""
    from ..training.datasets import pang_lee_path

    train: list[tuple[str, int]] = []
    test: list[tuple[str, int]] = []
    if data == "ko":
        from ..text.corpus import DATA_DIR

        path = DATA_DIR / "sentiment_ko.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                (test if row["split"] == "test" else train).append((row["text"], LABELS.index(row["label"])))
    elif data == "en":
        try:
            path = pang_lee_path()
        except DojoError:
            raise DojoError.keyed("att.no_data") from None
        for n, line in enumerate(path.read_bytes().decode("cp1252").splitlines(), 1):
            tag, _, text = line.strip().partition(" ")
            label = {"__label__neg": 0, "__label__pos": 1}[tag]
            (test if n % 5 == 0 else train).append((text.strip(), label))
    else:
        raise DojoError.keyed("att.data", data=data)
    return train, test


@dataclass(frozen=True)
class EncoderEvent:
    """One logged training step: which model, the step, the total and the loss."""

    model: str
    step: int
    total: int
    loss: float


def _trainer_run(name: str, model: Any, tokenizer: Any, train: Any, test: Any, *, epochs: int, batch_size: int,
                 lr: float, seed: int, on_event: Callable[[EncoderEvent], Any], cancel: threading.Event | None,
                 workdir: str) -> ClassifierRun:
    import numpy as np
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback, TrainingArguments
    from transformers.trainer_callback import PrinterCallback
    from transformers.utils import logging as hf_logging

    from ..evaluation.metrics import load as load_metric

    hf_logging.set_verbosity_error()
    accuracy, f1 = load_metric("accuracy"), load_metric("f1")

    def compute_metrics(pred: Any) -> dict[str, float]:
        logits, labels = pred
        guess = [LABELS[i] for i in np.argmax(logits, axis=-1)]
        truth = [LABELS[i] for i in labels]
        return {"accuracy": accuracy.compute(predictions=guess, references=truth)["accuracy"],
                "f1": f1.compute(predictions=guess, references=truth, labels=list(LABELS))["f1"]}

    losses: list[tuple[int, float]] = []

    class Stream(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))
                on_event(EncoderEvent(name, state.global_step, state.max_steps, float(logs["loss"])))

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if cancel is not None and cancel.is_set():
                control.should_training_stop = True

    args = TrainingArguments(output_dir=workdir, num_train_epochs=epochs, per_device_train_batch_size=batch_size,
                             per_device_eval_batch_size=64, learning_rate=lr, logging_steps=1, save_strategy="no",
                             eval_strategy="no", report_to=[], use_cpu=True, seed=seed, disable_tqdm=True,
                             dataloader_num_workers=0, warmup_steps=0, weight_decay=0.01)
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=test,
                      data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=compute_metrics,
                      callbacks=[Stream()])
    trainer.remove_callback(PrinterCallback)  # the loss goes to on_event, not to stdout
    start = time.perf_counter()
    trainer.train()
    scores = trainer.evaluate()
    seconds = time.perf_counter() - start
    return ClassifierRun(name=name, parameters=sum(p.numel() for p in model.parameters()), losses=tuple(losses),
                         eval_loss=float(scores["eval_loss"]), accuracy=float(scores["eval_accuracy"]),
                         f1=float(scores["eval_f1"]), seconds=seconds)


def train_classifiers(config: AttentionEncoderConfig = AttentionEncoderConfig(), *,
                      on_event: Callable[[EncoderEvent], Any] | None = None,
                      cancel: threading.Event | None = None) -> EncoderResult:
    """Verify, trace, then train the from-scratch encoder (and, with ``config.pretrained``, dojo-tiny-mlm)."""
    import tempfile

    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..models.resolve import resolve_model

    disable_progress_bar()
    emit = on_event or (lambda event: None)
    sdpa_error, mha_error = verify(seed=config.seed)
    train_rows, test_rows = sentences(config.data)
    path = resolve_model(TOKENIZER_MODEL).path
    tokenizer = AutoTokenizer.from_pretrained(path)

    def encode(rows: list[tuple[str, int]]) -> Any:
        enc = tokenizer([t for t, _ in rows], truncation=True, max_length=config.max_length)
        return Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                                  "labels": [y for _, y in rows]})

    train, test = encode(train_rows), encode(test_rows)
    shapes = trace_shapes(config, vocab=len(tokenizer), pad_id=tokenizer.pad_token_id or 0,
                          length=min(12, config.max_length))
    counts = [sum(1 for _, y in train_rows if y == c) for c in (0, 1)]
    majority_label = int(counts[1] > counts[0])
    majority = sum(1 for _, y in test_rows if y == majority_label) / len(test_rows)
    with tempfile.TemporaryDirectory(prefix="dojo-encoder-") as workdir:
        torch.manual_seed(config.seed)
        scratch_model = EncoderClassifier(config, len(tokenizer), tokenizer.pad_token_id or 0)
        scratch = _trainer_run("scratch", scratch_model, tokenizer, train, test, epochs=config.epochs,
                               batch_size=config.batch_size, lr=config.learning_rate, seed=config.seed,
                               on_event=emit, cancel=cancel, workdir=workdir)
        pretrained = None
        if config.pretrained and not (cancel is not None and cancel.is_set()):
            torch.manual_seed(config.seed)
            model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
            pretrained = _trainer_run(TOKENIZER_MODEL, model, tokenizer, train, test, epochs=config.epochs,
                                      batch_size=config.batch_size, lr=config.pretrained_learning_rate, seed=config.seed,
                                      on_event=emit, cancel=cancel, workdir=workdir)
    return EncoderResult(config=config.to_dict(), data=config.data, train_size=len(train_rows),
                         test_size=len(test_rows), sdpa_error=sdpa_error, mha_error=mha_error, shapes=shapes,
                         scratch=scratch, pretrained=pretrained, majority=majority)
