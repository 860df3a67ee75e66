"""The attention lab's encoder page as plain torch + transformers + evaluate: an encoder
block written from scratch (token and position embeddings, multi-head attention, feed-forward,
layer norm, residuals), stacked under a classification head and trained through
``transformers.Trainer`` with accuracy and F1 from the project's metric modules, beside the
pretrained dojo-tiny-mlm with a fresh head on the same split.

:func:`encoder_snippet` takes the lab's :class:`AttentionEncoderConfig`; the file prints
both runs' losses and held-out scores as JSON.
"""

from __future__ import annotations

from ..attention.config import AttentionEncoderConfig
from ..errors import DojoError
from .generation import model_path
from .snippet import Snippet

TOKENIZER_MODEL = "dojo-tiny-mlm"
"""``engine.attention.encoder.TOKENIZER_MODEL`` (that module imports torch; a test keeps the two equal)."""


ENCODER_CLASSES = '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        self.heads, self.d_k = heads, d_model // heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(0.0)

    def split(self, x):  # (B, T, d_model) -> (B, heads, T, d_k)
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.d_k).transpose(1, 2)

    def forward(self, x, key_mask):  # key_mask (B, T): True for real tokens, False for padding
        q, k, v = self.split(self.w_q(x)), self.split(self.w_k(x)), self.split(self.w_v(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
        scores = scores.masked_fill(~key_mask[:, None, None, :], float("-inf"))  # padding is never attended to
        weights = torch.softmax(scores, dim=-1)
        out = weights @ v
        b, _, t, _ = out.shape
        concat = out.transpose(1, 2).reshape(b, t, self.heads * self.d_k)
        return self.w_o(self.dropout(concat))


class FeedForward(nn.Module):  # max(0, x W1 + b1) W2 + b2, the same at every position
    def __init__(self, d_model, ff_dim):
        super().__init__()
        self.w1, self.w2 = nn.Linear(d_model, ff_dim), nn.Linear(ff_dim, d_model)
        self.dropout = nn.Dropout(0.0)

    def forward(self, x):
        return self.w2(self.dropout(torch.relu(self.w1(x))))


class EncoderLayer(nn.Module):  # post-norm: LayerNorm(x + MHA(x)), then LayerNorm(h + FFN(h))
    def __init__(self, d_model, heads, ff_dim, dropout=0.1):
        super().__init__()
        self.attention = MultiHeadAttention(d_model, heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, ff_dim)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, key_mask):
        h = self.norm1(x + self.dropout(self.attention(x, key_mask)))
        return self.norm2(h + self.dropout(self.ff(h)))


class Embeddings(nn.Module):  # token embedding + learned position embedding (BERT's way)
    def __init__(self, vocab, d_model, max_length, pad_id, dropout=0.1):
        super().__init__()
        self.token = nn.Embedding(vocab, d_model, padding_idx=pad_id)
        self.position = nn.Embedding(max_length, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids):
        pos = self.position(torch.arange(ids.shape[1], device=ids.device))[None]
        return self.dropout(self.norm(self.token(ids) + pos))


class Encoder(nn.Module):
    def __init__(self, vocab, d_model, heads, layers, ff_dim, max_length, pad_id, dropout=0.1):
        super().__init__()
        self.embeddings = Embeddings(vocab, d_model, max_length, pad_id, dropout)
        self.layers = nn.ModuleList(EncoderLayer(d_model, heads, ff_dim, dropout) for _ in range(layers))

    def forward(self, ids, key_mask):
        x = self.embeddings(ids)
        for layer in self.layers:
            x = layer(x, key_mask)
        return x


class EncoderClassifier(nn.Module):  # encoder + mean over the real tokens + a linear head
    def __init__(self, vocab, pad_id, labels=2):
        super().__init__()
        self.encoder = Encoder(vocab, D_MODEL, HEADS, LAYERS, FF_DIM, MAX_LENGTH, pad_id)
        self.head = nn.Linear(D_MODEL, labels)

    def forward(self, input_ids, attention_mask=None, labels=None):
        mask = attention_mask.bool() if attention_mask is not None else torch.ones_like(input_ids, dtype=torch.bool)
        x = self.encoder(input_ids, mask)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        logits = self.head(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)  # Trainer reads out["loss"]
        return out
'''

KO_READER = '''
def sentences():
    """(train, test) lists of (text, label): the file's own split."""
    train, test = [], []
    for line in open(DATA, encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            (test if row["split"] == "test" else train).append((row["text"], LABELS.index(row["label"])))
    return train, test
'''

EN_READER = '''
def sentences():
    """(train, test) lists of (text, label): every fifth line held out."""
    train, test = [], []
    with open(DATA, "rb") as f:
        lines = f.read().decode("cp1252").splitlines()
    for n, line in enumerate(lines, 1):
        tag, _, text = line.strip().partition(" ")
        (test if n % 5 == 0 else train).append((text.strip(), {"__label__neg": 0, "__label__pos": 1}[tag]))
    return train, test
'''

ENCODER_RUN = '''
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER)
train_rows, test_rows = sentences()


def encode(rows):
    enc = tokenizer([t for t, _ in rows], truncation=True, max_length=MAX_LENGTH)
    return Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                              "labels": [y for _, y in rows]})


train, test = encode(train_rows), encode(test_rows)
accuracy, f1 = evaluate.load(ACCURACY), evaluate.load(F1)


def compute_metrics(pred):
    logits, labels = pred
    guess = [LABELS[i] for i in np.argmax(logits, axis=-1)]
    truth = [LABELS[i] for i in labels]
    return {"accuracy": accuracy.compute(predictions=guess, references=truth)["accuracy"],
            "f1": f1.compute(predictions=guess, references=truth, labels=list(LABELS))["f1"]}


def fit(model, learning_rate, output_dir):
    args = TrainingArguments(output_dir=output_dir, num_train_epochs=EPOCHS, max_steps=MAX_STEPS,
                             per_device_train_batch_size=BATCH_SIZE, per_device_eval_batch_size=64,
                             learning_rate=learning_rate, logging_steps=1, save_strategy="no", eval_strategy="no",
                             report_to=[], use_cpu=True, seed=SEED, disable_tqdm=True, dataloader_num_workers=0,
                             warmup_steps=0, weight_decay=0.01)
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=test,
                      data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=compute_metrics)
    trainer.train()
    scores = trainer.evaluate()
    return {"parameters": sum(p.numel() for p in model.parameters()),
            "losses": [log["loss"] for log in trainer.state.log_history if "loss" in log],
            "eval_loss": scores["eval_loss"], "accuracy": scores["eval_accuracy"], "f1": scores["eval_f1"]}


results = {"train_size": len(train_rows), "test_size": len(test_rows)}
with tempfile.TemporaryDirectory() as workdir:
    torch.manual_seed(SEED)  # the same seed, the same first weights
    results["scratch"] = fit(EncoderClassifier(len(tokenizer), tokenizer.pad_token_id or 0), LEARNING_RATE, workdir)
'''

PRETRAINED_RUN = '''    # beside it, the pretrained encoder with a fresh classification head, on the same split
    torch.manual_seed(SEED)
    pretrained = AutoModelForSequenceClassification.from_pretrained(TOKENIZER, num_labels=2)
    results[PRETRAINED] = fit(pretrained, PRETRAINED_LEARNING_RATE, workdir)
'''


def encoder_snippet(config: AttentionEncoderConfig, *, max_steps: int | None = None) -> Snippet:
    """The from-scratch encoder (and, with ``config.pretrained``, dojo-tiny-mlm) trained through
    ``transformers.Trainer`` on the lab's data, with accuracy and F1 from ``evaluate``.

    ``max_steps``: stop after that many optimizer steps (a quick check); None trains ``config.epochs``."""
    from ..evaluation.metrics import path_of

    if config.data == "ko":
        from ..text.corpus import DATA_DIR

        data, reader = str(DATA_DIR / "sentiment_ko.jsonl"), KO_READER
    else:
        from ..training.datasets import pang_lee_path

        try:
            data = str(pang_lee_path())
        except DojoError:
            raise DojoError.keyed("att.no_data") from None
        reader = EN_READER
    imports = ("AutoModelForSequenceClassification, " if config.pretrained else "") + \
        "AutoTokenizer, DataCollatorWithPadding,\n                          Trainer, TrainingArguments"
    head = ["import json", "import math", "import tempfile", "", "import evaluate", "import numpy as np",
            "import torch", "from datasets import Dataset", "from torch import nn",
            f"from transformers import ({imports})", "", "",
            f"DATA = {data!r}  # {config.data}: the lab's sentences",
            f"TOKENIZER = {model_path(TOKENIZER_MODEL)!r}  # {TOKENIZER_MODEL}'s WordPiece tokenizer",
            "# the metric scripts in evaluate's format, loaded by path (no download)",
            f"ACCURACY = {str(path_of('accuracy'))!r}",
            f"F1 = {str(path_of('f1'))!r}",
            "LABELS = ('negative', 'positive')",
            f"D_MODEL, HEADS, LAYERS, FF_DIM = {config.d_model}, {config.heads}, {config.layers}, {config.ff_dim}",
            f"MAX_LENGTH, BATCH_SIZE, EPOCHS, SEED = {config.max_length}, {config.batch_size}, {config.epochs}, "
            f"{config.seed}",
            f"MAX_STEPS = {max_steps if max_steps is not None else -1}  # -1: train EPOCHS passes",
            f"LEARNING_RATE = {config.learning_rate!r}"]
    if config.pretrained:
        head += [f"PRETRAINED, PRETRAINED_LEARNING_RATE = {TOKENIZER_MODEL!r}, {config.pretrained_learning_rate!r}"]
    code = "\n".join(head) + "\n\n" + ENCODER_CLASSES + "\n" + reader + "\n" + ENCODER_RUN + \
        (PRETRAINED_RUN if config.pretrained else "") + "print(json.dumps(results, indent=1))\n"
    libs = ("torch", "transformers", "datasets", "evaluate")
    return Snippet(f"A transformer encoder from scratch, trained with Trainer on {config.data} sentiment",
                   code, libs)
