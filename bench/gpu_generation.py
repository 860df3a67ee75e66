"""GPU generation speed against the memory-bandwidth roofline: eager vs static cache + compile.

    python bench/gpu_generation.py [--size auto|1b|3b|8b|14b|32b] [--tokens 256] [--runs 3] [--json]
    python bench/gpu_generation.py --smoke      # a tiny model, any device: checks the script itself

Decoding one token at batch 1 reads every weight once, so no implementation can beat
``HBM bandwidth / weight bytes`` tokens/s; the fraction of that roofline a setup
reaches says how much time goes to overhead (Python, kernel launches, the KV cache)
rather than to moving weights. Arms, each through our streamed path
(``engine.generation.stream``; ``gpu.measure``), greedy, exactly ``--tokens`` tokens:

* eager: the default dynamic KV cache, no compilation;
* static: ``cache_implementation="static"`` (``disable_compile``);
* static+compile: the same, with ``torch.compile`` (mode reduce-overhead: CUDA graphs).

The model is randomly initialised in bf16 with the shape of a real open model
(speed does not depend on the weights' values): ``--size auto`` picks the largest
whose weights fit in 60% of the free GPU memory. Bandwidth is reported twice: the
data-sheet peak and a measured device-to-device copy.

Without CUDA it says so and exits 0 (CI and CPU laptops run it harmlessly).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHAPES = {  # name: (shape of, LlamaConfig fields)
    "1b": ("Llama 3.2 1B", dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                                num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True)),
    "3b": ("Llama 3.2 3B", dict(hidden_size=3072, intermediate_size=8192, num_hidden_layers=28, num_attention_heads=24,
                                num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True)),
    "8b": ("Llama 3.1 8B", dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                                num_attention_heads=32, num_key_value_heads=8, vocab_size=128256)),
    "14b": ("Qwen2.5 14B (as a Llama)", dict(hidden_size=5120, intermediate_size=13824, num_hidden_layers=48,
                                             num_attention_heads=40, num_key_value_heads=8, vocab_size=152064)),
    "32b": ("Qwen2.5 32B (as a Llama)", dict(hidden_size=5120, intermediate_size=27648, num_hidden_layers=64,
                                             num_attention_heads=40, num_key_value_heads=8, vocab_size=152064)),
    "smoke": ("a 2-layer toy", dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                                    num_key_value_heads=2, vocab_size=1000)),
}


class _IdsOnly:
    """The streamed path needs a tokenizer; speed runs only need ids (shown as <id>)."""

    backend_tokenizer = None
    pad_token_id, eos_token_id, bos_token_id = 0, None, None
    all_special_ids: list[int] = []
    model_max_length = 1 << 20

    def decode(self, ids, skip_special_tokens=False):
        return "".join(f"<{i}>" for i in ids)


def param_bytes(fields: dict, dtype_bytes: int = 2) -> int:
    h, i, n, v = fields["hidden_size"], fields["intermediate_size"], fields["num_hidden_layers"], fields["vocab_size"]
    kv = h // fields["num_attention_heads"] * fields["num_key_value_heads"]
    per_layer = h * h * 2 + h * kv * 2 + 3 * h * i + 2 * h
    head = 0 if fields.get("tie_word_embeddings") else v * h
    return (n * per_layer + v * h + head + h) * dtype_bytes


def build(size: str, device: str, dtype):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    label, fields = SHAPES[size]
    cfg = LlamaConfig(max_position_embeddings=8192, **fields)
    with torch.device("meta"):
        model = LlamaForCausalLM(cfg).to(dtype)  # meta tensors: no memory, and the dtype is set before allocating
    model = model.to_empty(device=device)  # the only allocation, already in the target dtype (no fp32 copy)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    model.model.rotary_emb = LlamaRotaryEmbedding(cfg).to(device)
    model.tie_weights()
    model.eval()
    return model, label


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="auto", choices=["auto", *SHAPES])
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--arms", default="eager,static,static+compile")
    ap.add_argument("--smoke", action="store_true", help="tiny model on any device (checks the script)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    if not torch.cuda.is_available() and not args.smoke:
        print("bench/gpu_generation.py needs a CUDA GPU (torch.cuda.is_available() is False here); nothing to measure.")
        return
    from engine.generation.gpu import SpeedOptions, bandwidth_gbps, measure, measure_bandwidth_gbps, roofline

    device = "cuda" if torch.cuda.is_available() else "cpu"
    from engine.device import bf16_native

    dtype = torch.bfloat16 if device == "cuda" and bf16_native(0) else (
        torch.float16 if device == "cuda" else torch.float32)
    size = "smoke" if args.smoke else args.size
    if size == "auto":
        free, total = torch.cuda.mem_get_info()
        fitting = [s for s in ("1b", "3b", "8b", "14b", "32b") if param_bytes(SHAPES[s][1]) <= 0.6 * free]
        size = fitting[-1] if fitting else "1b"
    t = time.perf_counter()
    model, label = build(size, device, dtype)
    built_s = time.perf_counter() - t
    tok = _IdsOnly()
    ids = torch.randint(1, model.config.vocab_size, (args.prompt_tokens,), generator=torch.Generator().manual_seed(0)
                        ).tolist()
    sheet, gpu_name = bandwidth_gbps() if device == "cuda" else (None, device)
    measured = measure_bandwidth_gbps() if device == "cuda" else None
    arms = {"eager": SpeedOptions(), "static": SpeedOptions(static_cache=True),
            "static+compile": SpeedOptions(static_cache=True, compile=True)}
    rows = []
    for name in args.arms.split(","):
        if name == "static+compile" and device != "cuda":
            continue
        t = time.perf_counter()
        try:
            rep = measure(model, tok, ids, max_new_tokens=args.tokens, runs=args.runs, speed=arms[name], label=name)
        except Exception as exc:  # one arm failing (a compile error) must not hide the others
            rows.append({"label": name, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"})
            continue
        row = rep.to_dict()
        row["wall_s_including_warmup"] = round(time.perf_counter() - t, 1)
        for key, bw in (("datasheet", sheet), ("measured_copy", measured)):
            if bw:
                row[f"roofline_{key}"] = roofline(model, rep.tokens_per_second, bw)
        rows.append(row)
    report = {"gpu": gpu_name, "model": f"random {label} shape, {size}", "dtype": str(dtype).replace("torch.", ""),
              "parameters_b": round(sum(p.numel() for p in model.parameters()) / 1e9, 2),
              "weight_gb": round(sum(p.numel() * p.element_size() for p in model.parameters()) / 1e9, 2),
              "build_s": round(built_s, 1), "prompt_tokens": args.prompt_tokens, "new_tokens": args.tokens,
              "bandwidth_gbps": {"datasheet": sheet, "measured_copy": None if measured is None else round(measured)},
              "arms": rows}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['gpu']}: {report['model']} ({report['parameters_b']}B parameters, {report['weight_gb']} GB "
          f"{report['dtype']}); bandwidth data sheet {sheet} GB/s, measured copy {report['bandwidth_gbps']['measured_copy']}"
          f" GB/s")
    for r in rows:
        if "error" in r:
            print(f"  {r['label']:>15}: failed: {r['error']}")
            continue
        roof = r.get("roofline_datasheet") or r.get("roofline_measured_copy") or {}
        frac = f"{roof['fraction_of_roofline']:.0%} of the {roof['roofline_tokens_per_s']} tok/s roofline" if roof else ""
        print(f"  {r['label']:>15}: {r['tokens_per_s']:8.1f} tok/s, first token {r['time_to_first_token_s'] * 1000:7.1f} ms"
              f"  {frac}  (peak memory {r['peak_memory_gb']} GB, {r['wall_s_including_warmup']} s with warm-up)")


if __name__ == "__main__":
    main()
