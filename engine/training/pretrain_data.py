"""Turn the corpus into training batches for the pretraining recipe.

Deterministic by construction: batches come from a ``torch.Generator`` seeded by the
preset, whose state is saved in every checkpoint, so a resumed run draws exactly the
batches an uninterrupted run would have drawn.
"""

from __future__ import annotations


from ..errors import DojoError
from ..text.corpus import DATA_DIR


def clm_blocks(tokenizer, texts: list[str], seq_len: int):
    """Concatenate documents (each followed by the end-of-text token) into one id
    stream and cut it into ``seq_len`` blocks -> LongTensor [n_blocks, seq_len]."""
    import torch

    sep = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    ids: list[int] = []
    for enc in tokenizer.backend_tokenizer.encode_batch(texts, add_special_tokens=False):
        ids.extend(enc.ids)
        ids.append(sep)
    n = len(ids) // seq_len
    if n == 0:
        raise DojoError("the corpus is too small for one training block; use a larger corpus or a shorter seq_len")
    return torch.tensor(ids[: n * seq_len], dtype=torch.long).view(n, seq_len)


def mlm_blocks(tokenizer, texts: list[str], seq_len: int):
    """[CLS] piece [SEP] blocks of ``seq_len`` ids for masked-LM training."""
    import torch

    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    ids: list[int] = []
    for enc in tokenizer.backend_tokenizer.encode_batch(texts, add_special_tokens=False):
        ids.extend(enc.ids)
        ids.append(sep)
    body = seq_len - 2
    n = len(ids) // body
    if n == 0:
        raise DojoError("the corpus is too small for one training block; use a larger corpus or a shorter seq_len")
    t = torch.tensor(ids[: n * body], dtype=torch.long).view(n, body)
    return torch.cat([torch.full((n, 1), cls), t, torch.full((n, 1), sep)], dim=1)


def mask_tokens(input_ids, tokenizer, prob: float, generator):
    """BERT masking: choose ``prob`` of the non-special positions; of those 80% become
    [MASK], 10% a random token, 10% stay. Returns (inputs, labels with -100 elsewhere)."""
    import torch

    inputs = input_ids.clone()
    labels = input_ids.clone()
    special = torch.zeros_like(inputs, dtype=torch.bool)
    for sid in tokenizer.all_special_ids:
        special |= inputs == sid
    chosen = (torch.rand(inputs.shape, generator=generator) < prob) & ~special
    labels[~chosen] = -100
    r = torch.rand(inputs.shape, generator=generator)
    inputs[chosen & (r < 0.8)] = tokenizer.mask_token_id
    rand_pos = chosen & (r >= 0.8) & (r < 0.9)
    random_ids = torch.randint(len(tokenizer), inputs.shape, generator=generator)
    inputs[rand_pos] = random_ids[rand_pos]
    return inputs, labels


def load_instruction_rows(split: str = "train") -> list[dict]:
    path = DATA_DIR / "instructions.jsonl"
    if not path.exists():
        raise DojoError(f"the instruction data {path} is missing; reinstall llm-dojo")
    from .datasets import read_records  # one JSONL reader, with file:line errors

    return [row for _, row in read_records(path) if row.get("split", "train") == split]


def chat_examples(tokenizer, rows: list[dict], max_len: int) -> list[tuple[list[int], list[int]]]:
    """(input_ids, labels) per conversation; labels keep assistant tokens only."""
    out = []
    for row in rows:
        enc = tokenizer.apply_chat_template(
            row["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        ids = list(enc["input_ids"])[:max_len]
        mask = list(enc["assistant_masks"])[:max_len]
        labels = [i if m else -100 for i, m in zip(ids, mask)]
        if any(x != -100 for x in labels):
            out.append((ids, labels))
    return out


def pad_batch(examples, pad_id: int):
    import torch

    width = max(len(ids) for ids, _ in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), -100, dtype=torch.long)
    attn = torch.zeros((len(examples), width), dtype=torch.long)
    for i, (x, y) in enumerate(examples):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        attn[i, : len(x)] = 1
    return ids, labels, attn
