"""The attention lab as plain torch + transformers: capture attention (weights and raw scores),
the sinusoidal positional encoding, RoPE on a repeated word, and the from-scratch encoder
trained with ``transformers.Trainer``.

Each builder takes the lab's own config (:mod:`engine.attention.config`) and returns a
:class:`Snippet` whose file prints its result as JSON, so a test can compare it with
``engine.attention``. Which model code to write (a Llama's ``q_proj``/``k_proj`` and rotary
embedding, a BERT's ``query``/``key``) is decided from the model's ``config.json``, read here,
before any weight loads.
"""

from __future__ import annotations

from typing import Any

from ..attention.config import AttentionConfig, AttentionEncoderConfig, AttentionPosEncConfig, AttentionRopeConfig
from ..errors import DojoError
from .generation import model_path
from .language_model import context_of
from .snippet import Snippet

ENCODERS = frozenset({"bert", "roberta", "xlm-roberta", "electra", "camembert", "distilbert"})
"""Model types whose self-attention has ``query``/``key`` projections (no rotation, no mask)."""
QK_PROJ = frozenset({"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3", "olmo",
                     "olmo2", "granite", "smollm3", "cohere", "starcoder2"})
"""Model types whose attention has ``q_proj``/``k_proj`` and a rotary embedding (RoPE)."""
TOKENIZER_MODEL = "dojo-tiny-mlm"
"""``engine.attention.encoder.TOKENIZER_MODEL`` (that module imports torch; a test keeps the two equal)."""


def _config_of(name: str) -> dict[str, Any]:
    from ..models.resolve import resolve_model

    try:
        return dict(resolve_model(name).config)
    except (DojoError, OSError, ValueError):
        return {}


def _kind(config: dict[str, Any]) -> tuple[bool, str]:
    """(masked LM?, 'qk_proj' | 'query_key' | '') from a ``config.json`` dict."""
    archs = [str(a) for a in config.get("architectures") or []]
    masked = any(a.endswith("ForMaskedLM") for a in archs)
    model_type = str(config.get("model_type", ""))
    if model_type in ENCODERS:
        return masked, "query_key"
    if model_type in QK_PROJ:
        return masked, "qk_proj"
    return masked, ""


def capture_snippet(config: AttentionConfig, text: str, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """One forward pass with eager attention and ``output_attentions=True``; the chosen layer's raw
    scaled scores QK^T/sqrt(d) from hooks on its query and key projections (RoPE applied for a Llama),
    checked against the weights; the map the lab shows (one head or the heads' average)."""
    masked, kind = _kind(_config_of(config.model))
    auto = "AutoModelForMaskedLM" if masked else "AutoModelForCausalLM"
    lines = ["import json", "", "import torch", f"from transformers import {auto}, AutoTokenizer"]
    if kind == "qk_proj":
        lines.append("from transformers.models.llama.modeling_llama import apply_rotary_pos_emb")
    lines += ["", "", f"MODEL = {model_path(config.model)!r}  # {config.model}",
              "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
              "# eager attention: the only implementation that builds the weight matrix (SDPA and flash never do)",
              f"model = {auto}.from_pretrained(MODEL, dtype=torch.{dtype}, attn_implementation='eager').to({device!r})",
              "model.eval()",
              f"text = {text!r}",
              f"LAYER, HEAD = {config.layer}, {config.head!r}  # HEAD None: the average over the layer's heads",
              f"VIEW = {'scores' if config.scores else 'weights'!r}  # 'weights': softmax; 'scores': QK^T/sqrt(d)",
              "", ""]
    if kind:
        q, k = ("q_proj", "k_proj") if kind == "qk_proj" else ("query", "key")
        lines += ["# catch the layer's query and key projections on their way out (for the raw scores)",
                  f"attn = [m for m in model.modules() if hasattr(m, {q!r}) and hasattr(m, {k!r})][LAYER]",
                  "caught = {}",
                  "", "",
                  "def keep(name):",
                  "    def hook(module, args, output):",
                  "        caught[name] = output.detach()",
                  "    return hook",
                  "", "",
                  f"hooks = [attn.{q}.register_forward_hook(keep('q')), attn.{k}.register_forward_hook(keep('k'))]"]
    lines += ["input_ids = tokenizer(text, return_tensors='pt').input_ids.to(model.device)",
              f"input_ids = input_ids[:, :{context_of(config.model)!r}]  # at most the model's context"
              if context_of(config.model) else "",
              "with torch.inference_mode():",
              "    out = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True,",
              "                use_cache=False)"]
    if kind:
        lines.append("for hook in hooks:\n    hook.remove()")
    lines += ["# out.attentions: one (batch, heads, tokens, tokens) tensor per layer; every row sums to 1",
              "weights = out.attentions[LAYER][0].float()",
              "T = input_ids.shape[1]"]
    result = ["'tokens': tokenizer.convert_ids_to_tokens(input_ids[0].tolist())",
              "'token_ids': input_ids[0].tolist()", "'weights': weights.tolist()"]
    if kind:
        head_dim = "attn.head_dim" if kind == "qk_proj" else "attn.attention_head_size"
        lines += ["with torch.inference_mode():",
                  f"    head_dim = {head_dim}",
                  "    q = caught['q'].view(1, T, -1, head_dim)",
                  "    k = caught['k'].view(1, T, -1, head_dim)"]
        if kind == "qk_proj":
            lines += ["    if hasattr(attn, 'q_norm'):  # some models normalise q and k per head",
                      "        q, k = attn.q_norm(q), attn.k_norm(k)",
                      "    q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()  # (1, heads, T, head_dim)",
                      "    # RoPE: rotate each query and key by an angle proportional to its position",
                      "    rotary = next(m for name, m in model.named_modules() if name.endswith('rotary_emb'))",
                      "    cos, sin = rotary(q, torch.arange(T, device=q.device)[None])",
                      "    q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())",
                      "    if k.shape[1] != q.shape[1]:  # grouped-query attention: a key head serves several query heads",
                      "        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)"]
        else:
            lines += ["    q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()  # (1, heads, T, head_dim)"]
        lines += ["    scores = (q @ k.transpose(-1, -2))[0] * head_dim ** -0.5  # QK^T / sqrt(d), before mask and softmax"]
        if masked:
            lines += ["    mask = torch.zeros(T, T, device=scores.device)  # an encoder sees both sides: no mask"]
        else:
            lines += ["    # causal mask M: -inf above the diagonal, a token never sees the ones after it",
                      "    mask = torch.triu(torch.full((T, T), float('-inf'), device=scores.device), 1)"]
        lines += ["    check = (torch.softmax(scores + mask, dim=-1) - weights).abs().max()  # softmax(scores + M) = weights",
                  "source = scores if VIEW == 'scores' else weights"]
        result += ["'scores': scores.tolist()", "'scores_check': float(check)"]
    else:
        lines += ["# this architecture fuses its projections: only the softmax weights are shown",
                  "source = weights"]
    lines += ["shown = source.mean(dim=0) if HEAD is None else source[HEAD]",
              "attends = weights.mean(dim=0) if HEAD is None else weights[HEAD]"]
    result += ["'map': shown.tolist()", "'attends_to': attends.argmax(dim=-1).tolist()"]
    lines += ["print(json.dumps({" + ",\n                  ".join(result) + "}, ensure_ascii=False))"]
    which = "the heads' average" if config.head is None else f"head {config.head}"
    return Snippet(f"Attention of {config.model}, layer {config.layer}, {which}", "\n".join(lines),
                   ("torch", "transformers"))


def posenc_snippet(config: AttentionPosEncConfig) -> Snippet:
    """The sinusoidal matrix and PE(p).PE(p+k) against the distance k (and its spread over p)."""
    lines = ["import json", "", "import numpy as np", "", "",
             f"LENGTH, DIM, BASE = {config.length}, {config.dim}, {float(config.base)!r}", "", "",
             "# PE[pos, 2i] = sin(pos / BASE^(2i/DIM)), PE[pos, 2i+1] = cos(pos / BASE^(2i/DIM)), i < DIM/2",
             "pos = np.arange(LENGTH, dtype=np.float64)[:, None]",
             "i = np.arange(DIM // 2, dtype=np.float64)[None, :]",
             "angle = pos / np.power(BASE, 2 * i / DIM)",
             "pe = np.zeros((LENGTH, DIM))",
             "pe[:, 0::2] = np.sin(angle)",
             "pe[:, 1::2] = np.cos(angle)",
             "", "",
             "# PE(p).PE(p+k) = sum_i cos(k w_i): it depends on the distance k only, not on p",
             "gram = pe @ pe.T",
             "dots = [float(gram[0, k]) for k in range(LENGTH)]",
             "spread = max(float(np.ptp(np.diagonal(gram, offset=k))) for k in range(LENGTH))",
             "print(json.dumps({'matrix': pe.tolist(), 'distance_dot': dots, 'dot_spread': spread}))"]
    return Snippet(f"Sinusoidal positional encoding, {config.length} positions x {config.dim} dimensions",
                   "\n".join(lines), ("numpy",))


def rope_snippet(config: AttentionRopeConfig, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """The rotated q.k/sqrt(d) of one word against itself at every pair of positions, without the
    rotation, and with another word put in (the lab's RoPE page)."""
    _, kind = _kind(_config_of(config.model))
    if kind != "qk_proj":
        raise DojoError.keyed("att.no_rope", model=config.model)
    lines = ["import json", "", "import torch", "from transformers import AutoModelForCausalLM, AutoTokenizer",
             "from transformers.models.llama.modeling_llama import apply_rotary_pos_emb", "", "",
             f"MODEL = {model_path(config.model)!r}  # {config.model}",
             "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
             f"model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.{dtype}).to({device!r})",
             "model.eval()",
             f"WORD, OTHER, REPEATS = {config.word.strip()!r}, {config.other.strip()!r}, {config.repeats}",
             f"LAYER, HEAD = {config.layer}, {config.head}",
             "attn = [m for m in model.modules() if hasattr(m, 'q_proj') and hasattr(m, 'k_proj')][LAYER]",
             "rotary = next(m for name, m in model.named_modules() if name.endswith('rotary_emb'))",
             "head_dim = attn.head_dim", "", "",
             "def word_ids(word, repeats):",
             "    \"\"\"The word repeated, and the index of each copy's last token (the same id every time).\"\"\"",
             "    for lead in ('', ' '):  # byte-level BPE: ' apple' and 'apple' are different tokens",
             "        ids, ends = [], []",
             "        for n in range(repeats):",
             "            ids += tokenizer((' ' if n else lead) + word, add_special_tokens=False).input_ids",
             "            ends.append(len(ids) - 1)",
             "        if len({ids[e] for e in ends}) == 1:",
             "            return ids, ends",
             "    raise SystemExit(f'{word!r} does not tokenize the same way every time')",
             "", "",
             "def scores(ids, ends, rotate=True):",
             "    \"\"\"q_i . k_j / sqrt(d) of the chosen head, for the copies' last tokens.\"\"\"",
             "    caught = {}",
             "",
             "    def keep(name):",
             "        def hook(module, args, output):",
             "            caught[name] = output.detach()",
             "        return hook",
             "",
             "    hooks = [attn.q_proj.register_forward_hook(keep('q')), attn.k_proj.register_forward_hook(keep('k'))]",
             "    x = torch.tensor([ids], device=model.device)",
             "    with torch.inference_mode():",
             "        model(input_ids=x, use_cache=False)",
             "        for hook in hooks:",
             "            hook.remove()",
             "        T = len(ids)",
             "        q = caught['q'].view(1, T, -1, head_dim)",
             "        k = caught['k'].view(1, T, -1, head_dim)",
             "        if hasattr(attn, 'q_norm'):",
             "            q, k = attn.q_norm(q), attn.k_norm(k)",
             "        q, k = q.transpose(1, 2).float(), k.transpose(1, 2).float()",
             "        if rotate:  # RoPE: each position turns q and k by its own angle",
             "            cos, sin = rotary(q, torch.arange(T, device=x.device)[None])",
             "            q, k = apply_rotary_pos_emb(q, k, cos.float(), sin.float())",
             "        kh = HEAD // (q.shape[1] // k.shape[1])  # the key head this query head reads",
             "        s = q[0, HEAD] @ k[0, kh].T * head_dim ** -0.5",
             "    e = torch.tensor(ends)",
             "    return s[e][:, e].double()",
             "", "",
             "ids, ends = word_ids(WORD, REPEATS)",
             "same = scores(ids, ends)",
             "flat = scores(ids, ends, rotate=False)  # without the rotation every pair scores the same",
             "by_offset = {off: [float(same[i, i - off]) for i in range(off, REPEATS)] for off in range(REPEATS)}",
             "lower = torch.tril_indices(REPEATS, REPEATS)",
             "unrotated = flat[lower[0], lower[1]]",
             "# the same positions with one copy replaced by OTHER: only the content changes",
             "at = min(2, REPEATS - 1)",
             "ids2 = list(ids)",
             "other_ids = tokenizer(' ' + OTHER, add_special_tokens=False).input_ids",
             "first = ends[at - 1] + 1 if at else 0",
             "if len(other_ids) == ends[at] - first + 1:",
             "    ids2[first:ends[at] + 1] = other_ids",
             "else:",
             "    ids2[ends[at]] = other_ids[-1]",
             "changed = scores(ids2, ends)",
             "change = max(abs(float(changed[i, j] - same[i, j])) for i in range(REPEATS) for j in range(i + 1)",
             "             if at in (i, j))",
             "print(json.dumps({'tokens': tokenizer.convert_ids_to_tokens(ids), 'positions': ends,",
             "                  'same': same.tolist(), 'by_offset': by_offset,",
             "                  'offset_spread': max(max(v) - min(v) for v in by_offset.values()),",
             "                  'unrotated_spread': float(unrotated.max() - unrotated.min()),",
             "                  'changed': changed.tolist(), 'content_change': change}, ensure_ascii=False))"]
    return Snippet(f"RoPE on {config.word.strip()!r} x {config.repeats} with {config.model}, layer {config.layer} "
                   f"head {config.head}", "\n".join(lines), ("torch", "transformers"))


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
