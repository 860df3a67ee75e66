"""Does a LoRA adapter carry over to another model with the same shapes? (lesson 8)

Lesson 8 says an adapter trained on base model X, attached to a model Y with the
same layer names and shapes, "often partly carries over" when Y is a close
sibling of X and fades as Y moves away. This measures it on the embedded
dojo-tiny, on CPU, in about a minute per seed:

* X = dojo-tiny; a sentiment LoRA (default r=16, alpha=2r, every linear layer, lr 5e-3;
  the tiny model stays at chance with r=8 on q/v at 1e-3) is trained on it
  with the course's prompt ("text: ...\\nlabel:") and label-word scoring.
* sibling = dojo-tiny after full fine-tuning on other text (the instruction data),
  ``--sibling-steps`` steps: the same base, moved a little.
* far = the same architecture, freshly initialised: same shapes, unrelated weights.

Held-out accuracy (label-word log-likelihood, as the SFT lab measures it) is
printed for each model without and with the adapter, per seed, then the mean.

    python bench/lora_transfer.py --seeds 3

Status (2026-12-03, 2 shared CPU cores, one seed): the adapter did not beat chance on
dojo-tiny in any setting tried (r=8 q/v lr 1e-3 x 8 epochs; r=16 every linear layer
lr 5e-3 x 10 epochs): base 0.500, base+adapter 0.500, sibling+adapter 0.500, far
0.550, far+adapter 0.433 on 60 held-out sentences. So this has not measured transfer
yet, and lesson 8 quotes no figure. Next step: find adapter settings that learn on
dojo-tiny (the full fine-tune of the SFT lab reaches about 0.72), then rerun.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--sibling-steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--r", type=int, default=16)
    parser.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.training.datasets import load_task_data
    from engine.training.sft import PadCollator, encode_sentiment, ensure_pad_token, sentiment_accuracy

    torch.set_num_threads(2)
    base_dir = ROOT / "engine" / "models" / "embedded" / "dojo-tiny"
    tok = AutoTokenizer.from_pretrained(base_dir)
    data = load_task_data("sentiment-ko", "sentiment")
    words, max_len = data.labels, 128
    other = [json.dumps(json.loads(line), ensure_ascii=False)
             for line in (ROOT / "engine" / "data" / "instructions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]

    def load_base():
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        ensure_pad_token(tok, model)
        return model

    def accuracy(model) -> float:
        return sentiment_accuracy(model, tok, data.test, words, max_len)

    def batches(examples, size, rng):
        order = list(range(len(examples)))
        rng.shuffle(order)
        for i in range(0, len(order), size):
            yield [examples[j] for j in order[i : i + size]]

    def note(what: str) -> None:
        print(f"  [{time.time() - t0:6.1f}s] {what}", file=sys.stderr, flush=True)

    t0 = time.time()
    results = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        rng = random.Random(seed)
        started = time.time()
        # The sibling: the base, fully fine-tuned a little on unrelated text.
        sibling = load_base()
        opt = torch.optim.AdamW(sibling.parameters(), lr=3e-4)
        collate = PadCollator(tok.pad_token_id)
        lm = [{"input_ids": ids[:128], "labels": ids[:128]} for ids in
              (tok(text)["input_ids"] for text in other)]
        sibling.train()
        step = 0
        while step < args.sibling_steps:
            for batch in batches(lm, 16, rng):
                loss = sibling(**collate(batch)).loss
                loss.backward()
                opt.step()
                opt.zero_grad()
                step += 1
                if step >= args.sibling_steps:
                    break
        note(f"seed {seed}: sibling trained ({args.sibling_steps} steps)")
        far = AutoModelForCausalLM.from_config(copy.deepcopy(load_base().config))
        far.config.pad_token_id = tok.pad_token_id

        # The adapter, trained on the base only.
        base = load_base()
        lora = get_peft_model(base, LoraConfig(r=args.r, lora_alpha=2 * args.r,
                                               target_modules=args.targets.split(","),
                                               lora_dropout=0.0, task_type="CAUSAL_LM"))
        examples = [encode_sentiment(tok, r["text"], r["label"], max_len) for r in data.train]
        opt = torch.optim.AdamW([p for p in lora.parameters() if p.requires_grad], lr=args.lr)
        lora.train()
        for _ in range(args.epochs):
            for batch in batches(examples, 16, rng):
                loss = lora(**collate(batch)).loss
                loss.backward()
                opt.step()
                opt.zero_grad()
        note(f"seed {seed}: adapter trained ({args.epochs} epochs)")
        row = {"seed": seed, "base": accuracy(load_base()), "base+adapter": accuracy(lora)}
        with tempfile.TemporaryDirectory() as tmp:
            lora.save_pretrained(tmp)
            for name, model in (("sibling", sibling), ("far", far)):
                row[name] = accuracy(model)
                row[f"{name}+adapter"] = accuracy(PeftModel.from_pretrained(model, tmp))
        row["seconds"] = round(time.time() - started, 1)
        results.append(row)
        if not args.json:
            print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                  flush=True)
    keys = [k for k in results[0] if k not in ("seed", "seconds")]
    mean = {k: round(statistics.mean(r[k] for r in results), 3) for k in keys}
    if args.json:
        print(json.dumps({"runs": results, "mean": mean, "held_out": len(data.test)}))
    else:
        print(f"mean over {len(results)} seeds ({len(data.test)} held-out sentences):",
              ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))


if __name__ == "__main__":
    main()
