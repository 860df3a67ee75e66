"""Measure what the pretraining recipe produced, and write the model card from it.

Every figure in an embedded model's card comes from here, computed on held-out
documents the model never saw:

* CLM: perplexity per token and bits per byte, per language, for the trained model,
  the same architecture untrained (same seed), and a unigram baseline (add-one
  smoothed token frequencies of the training text); greedy and sampled
  continuations of an English and a Korean prompt.
* MLM: top-1 accuracy on held-out masked tokens vs. always predicting the most
  frequent training token.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

PROMPTS = {"en": "The history of the", "ko": "대한민국의 국민은"}


def _lm_nll(model, tokenizer, texts: list[str], seq_len: int) -> tuple[float, int]:
    import torch

    from .pretrain_data import clm_blocks

    blocks = clm_blocks(tokenizer, texts, seq_len)
    nll, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(blocks), 8):
            b = blocks[i : i + 8]
            logits = model(input_ids=b).logits[:, :-1].float()
            lp = torch.log_softmax(logits, -1).gather(-1, b[:, 1:, None]).squeeze(-1)
            nll -= float(lp.sum())
            count += lp.numel()
    return nll, count


def _clm_eval(preset, out: Path, corpus, train_texts: list[str]) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .pretrain import build_model
    from .pretrain_data import clm_blocks

    tok = AutoTokenizer.from_pretrained(out)
    trained = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    untrained = build_model(preset, tok).eval()
    counts = Counter(clm_blocks(tok, train_texts, preset.seq_len).flatten().tolist())
    total = sum(counts.values()) + len(tok)
    result: dict = {"heldout": {}}
    for lang in ("en", "ko"):
        texts = corpus.texts("heldout", lang)
        blocks = clm_blocks(tok, texts, preset.seq_len)
        n_bytes_per_token = sum(len(t.encode()) for t in texts) / max(1, sum(len(tok(t)["input_ids"]) for t in texts))
        row = {"tokens": 0}
        for name, model in (("trained", trained), ("untrained", untrained)):
            nll, n = _lm_nll(model, tok, texts, preset.seq_len)
            row[name] = {"perplexity": math.exp(nll / n), "bits_per_byte": nll / n / math.log(2) / n_bytes_per_token}
            row["tokens"] = n
        targets = blocks[:, 1:].flatten().tolist()
        uni = -sum(math.log((counts.get(t, 0) + 1) / total) for t in targets) / len(targets)
        row["unigram"] = {"perplexity": math.exp(uni), "bits_per_byte": uni / math.log(2) / n_bytes_per_token}
        result["heldout"][lang] = row
    samples = {}
    for lang, prompt in PROMPTS.items():
        ids = tok(prompt, return_tensors="pt")
        greedy = trained.generate(**ids, max_new_tokens=40, do_sample=False)
        torch.manual_seed(0)
        sampled = trained.generate(**ids, max_new_tokens=40, do_sample=True, temperature=0.8, top_k=50, top_p=0.95)
        samples[lang] = {
            "prompt": prompt,
            "greedy": tok.decode(greedy[0, ids["input_ids"].shape[1]:], skip_special_tokens=True),
            "sampled": tok.decode(sampled[0, ids["input_ids"].shape[1]:], skip_special_tokens=True),
        }
    chat = tok.apply_chat_template([{"role": "user", "content": "토크나이저가 뭐예요?"}], add_generation_prompt=True, return_tensors="pt", return_dict=True)
    reply = trained.generate(**chat, max_new_tokens=48, do_sample=False)
    samples["chat"] = {"prompt": "토크나이저가 뭐예요?", "greedy": tok.decode(reply[0, chat["input_ids"].shape[1]:], skip_special_tokens=True)}
    result["samples"] = samples
    return result


def _mlm_eval(preset, out: Path, corpus, train_texts: list[str]) -> dict:
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from .pretrain_data import mask_tokens, mlm_blocks

    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForMaskedLM.from_pretrained(out, dtype=torch.float32).eval()
    counts = Counter(mlm_blocks(tok, train_texts, preset.seq_len).flatten().tolist())
    for sid in tok.all_special_ids:
        counts.pop(sid, None)
    most_frequent = counts.most_common(1)[0][0]
    result: dict = {"heldout": {}, "most_frequent_token": tok.convert_ids_to_tokens(most_frequent)}
    for lang in ("en", "ko"):
        blocks = mlm_blocks(tok, corpus.texts("heldout", lang), preset.seq_len)
        gen = torch.Generator().manual_seed(0)
        inputs, labels = mask_tokens(blocks, tok, preset.mask_prob, gen)
        correct = base = n = 0
        with torch.no_grad():
            for i in range(0, len(inputs), 16):
                logits = model(input_ids=inputs[i : i + 16]).logits
                lab = labels[i : i + 16]
                m = lab != -100
                correct += int((logits.argmax(-1)[m] == lab[m]).sum())
                base += int((lab[m] == most_frequent).sum())
                n += int(m.sum())
        result["heldout"][lang] = {"masked_tokens": n, "top1_accuracy": correct / n, "most_frequent_baseline": base / n}
    fills = {}
    for text in ("The capital of France is [MASK].", "대한민국의 [MASK]은 서울이다."):
        enc = tok(text, return_tensors="pt")
        pos = (enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0]
        with torch.no_grad():
            top = model(**enc).logits[0, pos].topk(5).indices.tolist()
        fills[text] = tok.convert_ids_to_tokens(top)
    result["fill_mask"] = fills
    return result


def evaluate_model(preset, out: Path, corpus, train_texts: list[str]) -> dict:
    fn = _clm_eval if preset.kind == "clm" else _mlm_eval
    return fn(preset, out, corpus, train_texts)


def _fmt_table(summary: dict) -> str:
    ev = summary["eval"]
    lines = []
    if summary["preset"]["kind"] == "clm":
        lines += ["| held-out text | tokens | trained ppl | untrained ppl | unigram ppl | trained bits/byte |", "|---|---|---|---|---|---|"]
        for lang, row in ev["heldout"].items():
            lines.append(
                f"| {lang} | {row['tokens']:,} | {row['trained']['perplexity']:.1f} | {row['untrained']['perplexity']:.1f} "
                f"| {row['unigram']['perplexity']:.1f} | {row['trained']['bits_per_byte']:.2f} |"
            )
        lines.append("")
        for lang, s in ev["samples"].items():
            lines.append(f"* {lang} prompt `{s['prompt']}`")
            lines.append(f"  * greedy: {s['greedy']!r}")
            if "sampled" in s:
                lines.append(f"  * sampled (T=0.8, top-k 50, top-p 0.95, seed 0): {s['sampled']!r}")
    else:
        lines += ["| held-out text | masked tokens | top-1 accuracy | most-frequent-token baseline |", "|---|---|---|---|"]
        for lang, row in ev["heldout"].items():
            lines.append(f"| {lang} | {row['masked_tokens']:,} | {row['top1_accuracy']:.3f} | {row['most_frequent_baseline']:.3f} |")
        lines.append("")
        for text, top in ev["fill_mask"].items():
            lines.append(f"* `{text}` -> {', '.join(top)}")
    return "\n".join(lines)


def _vocab_note(p: dict) -> str:
    if p["kind"] == "clm":
        return "byte-level BPE, special tokens included"
    return (f"{p['vocab_size']:,} WordPiece pieces learned, plus the 2,350 common Hangul syllables "
            "and printable ASCII as pieces and ## continuations")


def write_model_card(out: Path, summary: dict) -> None:
    """README.md (model card) and eval.json, both from the numbers just measured."""
    p = summary["preset"]
    stats = summary["corpus"]
    (out / "eval.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    arch = "LlamaForCausalLM (byte-level BPE)" if p["kind"] == "clm" else "BertForMaskedLM (WordPiece)"
    ko_share = stats["ko"]["train_chars"] / max(1, stats["ko"]["train_chars"] + stats["en"]["train_chars"])
    toks = summary.get("train_tokens", {"ko": 0, "en": 0})
    ko_tok_share = toks["ko"] / max(1, toks["ko"] + toks["en"])
    card = f"""---
language: [ko, en]
library_name: transformers
license: other
---
# {p['name']}

A tiny bilingual {'causal' if p['kind'] == 'clm' else 'masked'} language model that ships inside LLM Dojo, so every lab
works offline on a fresh install. It was trained by the project's own recipe:

    llm-dojo train pretrain --preset {p['name']} --out DIR

* Architecture: {arch}; hidden {p['hidden']}, {p['layers']} layers, {p['heads']} heads,
  vocabulary {summary.get('vocab', p['vocab_size']):,} ({_vocab_note(p)}), {summary['parameters']:,} parameters;
  weights stored as float16.
* Training: {p['steps']} steps of {p['batch_size']} x {p['seq_len']} tokens, AdamW, peak lr {p['lr']},
  warm-up {p['warmup']} then cosine; seed {p['seed']}.{f" Then {p['chat_steps']} steps of chat tuning on the project's instruction pairs (loss on assistant tokens only)." if p['kind'] == 'clm' and p['chat_steps'] else ''}
* Wall time of the whole recipe on this machine: {summary['train_seconds'] / 60:.1f} minutes (training + saving,
  before evaluation), on {__import__('os').cpu_count()} CPU cores.
* Corpus (documents split into train / held-out by document, every {summary['preset']['corpus']['heldout_every']}th held out):
  * English: {stats['en']['train_chars']:,} training characters from {', '.join(stats['en']['sources'])}; {stats['en']['heldout_chars']:,} held out.
  * Korean: {stats['ko']['train_chars']:,} training characters (Korean repeated x{p['corpus']['korean_repeat']}) from {', '.join(stats['ko']['sources'])}; {stats['ko']['heldout_chars']:,} held out.
  * Korean share of training characters: {ko_share:.0%}; of training tokens: {ko_tok_share:.0%}
    ({toks['ko']:,} Korean and {toks['en']:,} English tokens per pass).
  gensim's test data (a Wikipedia excerpt, the Lee news corpus), KoNLPy's corpora (the
  Korean constitution and bills), and the project's own original text (engine/data, lessons).

## Evaluation on held-out text (pretrain_eval.py)

{_fmt_table(summary)}

A model this small knows little; it exists so that tokenizers, generation, sampling,
fine-tuning and evaluation can be seen working end to end on any laptop.
"""
    (out / "README.md").write_text(card, encoding="utf-8")
