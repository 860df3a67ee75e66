"""Slider response: re-running the sampling stages on cached logits vs one forward pass.

    python bench/slider_response.py [--model llama-3.2-1b-shape|dojo-tiny] [--prompt-tokens 16]
                                    [--device cpu|cuda] [--json]

Moving a slider in the generation lab re-applies repetition penalty -> temperature ->
top-k -> top-p to logits cached from one forward pass (``NextTokenPipeline.stages``).
The claim: for a 128k-token vocabulary that costs under 5% of one forward pass of the
model. The model is a randomly initialised network with Llama 3.2 1B's exact shape
(vocabulary 128,256, hidden 2048, 16 layers, GQA 32/8 heads, tied embeddings): the
smallest real model family with a 128k vocabulary, and forward time does not depend
on the weights' values. ``--model dojo-tiny`` measures the embedded model (8k
vocabulary) instead, when it is built.

Timing: the median over ``--forwards`` forward passes of a ``--prompt-tokens`` prompt
(the pass the panel runs when the prompt changes), and the median over many stage
recomputations with changing settings (what a slider move costs, view included).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LLAMA_32_1B = dict(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                   num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=131072,
                   tie_word_embeddings=True, rope_theta=500000.0)


class _ByteTok:
    """Just enough tokenizer for the pipeline's token texts (ids shown as <id>)."""

    backend_tokenizer = None
    pad_token_id = eos_token_id = None
    model_max_length = 131072
    all_special_ids: list[int] = []

    def decode(self, ids, skip_special_tokens=False):
        return "".join(f"<{i}>" for i in ids)


def build(name: str, device: str):
    import torch

    if name == "dojo-tiny":
        from engine.models.load import load_model

        m = load_model("dojo-tiny", device=device)
        return m.model, m.tokenizer, "dojo-tiny (embedded)"
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(**LLAMA_32_1B)
    with torch.device("meta"):
        model = LlamaForCausalLM(cfg)
    model = model.to_empty(device=device)
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    model.model.rotary_emb = LlamaRotaryEmbedding(cfg).to(device)  # real RoPE buffers, not uninitialised memory
    model.tie_weights()  # to_empty gave the head its own storage; Llama 3.2 shares it with the embeddings
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    return model, _ByteTok(), f"random model of Llama 3.2 1B's shape ({params / 1e9:.2f}B parameters, vocab 128,256)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="llama-3.2-1b-shape", choices=["llama-3.2-1b-shape", "dojo-tiny"])
    ap.add_argument("--prompt-tokens", type=int, default=16)
    ap.add_argument("--forwards", type=int, default=5)
    ap.add_argument("--recomputes", type=int, default=60)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch intra-op threads (default: 1 on a machine with <= 2 cores, see streaming_overhead.py)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import os

    import torch

    torch.set_num_threads(args.threads or (1 if (os.cpu_count() or 1) <= 2 else torch.get_num_threads()))

    from engine.generation.pipeline import NextTokenPipeline

    model, tok, what = build(args.model, args.device)
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, vocab, (args.prompt_tokens,), generator=g).tolist()

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    pipe = NextTokenPipeline(model, tok, ids)  # warm-up pass
    forwards = []
    for _ in range(args.forwards):
        sync()
        t = time.perf_counter()
        pipe = NextTokenPipeline(model, tok, ids)
        sync()
        forwards.append(time.perf_counter() - t)
    settings = [dict(temperature=0.5 + 0.05 * (i % 30), top_k=(0, 10, 50, 100)[i % 4], top_p=(1.0, 0.95, 0.9, 0.5)[i % 4],
                     repetition_penalty=(1.0, 1.2)[i % 2]) for i in range(args.recomputes)]
    pipe.stages(**settings[0])
    recomputes = []
    for s in settings:
        sync()
        t = time.perf_counter()
        pipe.stages(**s)
        sync()
        recomputes.append(time.perf_counter() - t)
    fwd, rec = statistics.median(forwards), statistics.median(recomputes)
    ratio = rec / fwd
    report = {"model": what, "device": args.device, "vocab_size": vocab, "prompt_tokens": args.prompt_tokens,
              "torch_threads": torch.get_num_threads(), "forward_ms_median": round(fwd * 1000, 2),
              "recompute_ms_median": round(rec * 1000, 3), "recompute_ms_max": round(max(recomputes) * 1000, 3),
              "ratio": round(ratio, 4), "target": "< 0.05", "meets_target": ratio < 0.05,
              "forward_passes_during_recomputes": pipe.forward_passes - 1}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"model: {what} on {args.device} ({torch.get_num_threads()} torch threads)")
    print(f"one forward pass ({args.prompt_tokens}-token prompt): median {fwd * 1000:.1f} ms over {args.forwards}")
    print(f"pipeline recompute from cached logits (vocab {vocab:,}): median {rec * 1000:.2f} ms, "
          f"max {max(recomputes) * 1000:.2f} ms over {args.recomputes} slider settings")
    print(f"ratio recompute/forward: {ratio:.2%} (target < 5%: {'met' if ratio < 0.05 else 'NOT met'}); "
          f"forward passes during the recomputes: {pipe.forward_passes - 1}")


if __name__ == "__main__":
    main()
