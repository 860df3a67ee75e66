"""Streaming overhead: tokens/s of our streamed path vs a plain ``model.generate``.

    python bench/streaming_overhead.py [--tokens 200] [--pairs 7] [--device cpu|cuda] [--json]

Both arms decode greedily with the same settings and exactly ``--tokens`` new tokens
(``min_new_tokens`` = ``max_new_tokens``, so an early EOS cannot flatter either).
Runs are interleaved in pairs (plain then streamed, streamed then plain, ...) so a
machine whose speed drifts (other jobs, thermal limits) affects both alike; the
figure is the median over pairs of streamed/plain tokens/s. The target is >= 0.97.
"Streamed" is ``run_stream`` as the CLI and the TUI call it: every token becomes an
event with its text delta (incremental detokenization) and id, on the generating
thread (they show text only, so they ask for no log-probabilities). Measured
alongside, relative to the same pair's plain run: the same with each token's
log-probability, with log-probability and the top-5 alternatives,
``stream_generate`` (events with both, through a worker thread, as a generator) and
transformers' ``TextIteratorStreamer``.

Model: the embedded dojo-tiny when it is built; otherwise a randomly initialised
model of dojo-tiny's exact shape (speed does not depend on the weights' values)
with dojo-tiny's tokenizer when its training checkpoint has one, else the test
fixture's tokenizer. The script prints which.

Threads: both arms run with the same torch intra-op thread count (our streamed path
carries the caller's count into its generate thread). On a 2-core machine shared
with other jobs, two OpenMP threads spinning against each other made a plain
``generate`` in the main thread about 10x slower than with one (measured: 19 vs
207 tokens/s), which would swamp the overhead being measured, so the default there
is one thread; ``--threads`` overrides.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROMPT = "The history of the city begins"


def dojo_tiny_or_same_shape(device: str):
    """(model, tokenizer, description)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from engine.models.load import load_model
    from engine.models.resolve import EMBEDDED_DIR, embedded_models
    from engine.training.presets import get_preset

    if "dojo-tiny" in embedded_models():
        m = load_model("dojo-tiny", device=device)
        return m.model, m.tokenizer, "dojo-tiny (embedded, trained)"
    preset = get_preset("dojo-tiny")
    tok_dir = EMBEDDED_DIR / "dojo-tiny" / "checkpoints" / "tokenizer"
    if tok_dir.is_dir():
        tok, what = AutoTokenizer.from_pretrained(tok_dir), "dojo-tiny's tokenizer (from its training checkpoint)"
    else:
        import tempfile

        from tests.conftest import make_tiny_llama

        tok = AutoTokenizer.from_pretrained(make_tiny_llama(Path(tempfile.mkdtemp()) / "m"))
        what = "the test fixture's byte-level BPE tokenizer"
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=preset.hidden, intermediate_size=preset.intermediate,
                      num_hidden_layers=preset.layers, num_attention_heads=preset.heads,
                      num_key_value_heads=preset.heads, max_position_embeddings=preset.max_positions,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    model = LlamaForCausalLM(cfg).to(device).eval()
    params = sum(p.numel() for p in model.parameters())
    return model, tok, f"random model of dojo-tiny's shape ({params / 1e6:.1f}M parameters) with {what}"


def attributed_overhead(model, tok, ids, params, n: int, runs: int = 3) -> tuple[float, float]:
    """Time spent inside the code streaming adds to each step, measured directly.

    Wraps the three per-token hooks ``run_stream`` gives ``generate`` with a timer:
    a figure other processes cannot blur, unlike the wall-clock ratio.
    """
    from engine.generation import stream

    spent = [0.0]
    originals = {}

    def timed(cls, name):
        original = getattr(cls, name)
        originals[(cls, name)] = original

        def wrapper(self, *a, **k):
            t = time.perf_counter()
            try:
                return original(self, *a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        setattr(cls, name, wrapper)

    for cls, name in ((stream._Session, "put"), (stream._Recorder, "__call__"), (stream.CancelCriterion, "__call__")):
        timed(cls, name)
    try:
        total = 0.0
        for _ in range(runs):
            t = time.perf_counter()
            stream.run_stream(model, tok, ids, params, lambda ev: None, logprobs=False,
                              extra_generate_kwargs={"min_new_tokens": n})
            total += time.perf_counter() - t
    finally:
        for (cls, name), original in originals.items():
            setattr(cls, name, original)
    return spent[0] / (runs * n) * 1e6, spent[0] / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch intra-op threads for both arms (default: 1 on a machine with <= 2 cores)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import os

    import torch

    threads = args.threads or (1 if (os.cpu_count() or 1) <= 2 else torch.get_num_threads())
    torch.set_num_threads(threads)
    from transformers import TextIteratorStreamer
    from transformers.utils import logging as hf_logging

    from engine.generation.params import SamplingParams
    from engine.generation.stream import GenerationResult, run_stream, stream_generate

    hf_logging.set_verbosity_error()
    model, tok, what = dojo_tiny_or_same_shape(args.device)
    ids = tok.encode(PROMPT)
    x = torch.tensor([ids], device=model.device)
    n = args.tokens
    common = dict(attention_mask=torch.ones_like(x), max_new_tokens=n, min_new_tokens=n, do_sample=False,
                  pad_token_id=tok.pad_token_id)
    params = SamplingParams(max_new_tokens=n)

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    def plain() -> float:
        sync()
        t = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(x, **common)
        sync()
        assert out.shape[1] - len(ids) == n
        return n / (time.perf_counter() - t)

    def ours() -> float:
        """run_stream as the CLI and the TUI call it: an event per token with its text delta and id."""
        texts: list[str] = []
        t = time.perf_counter()
        result = run_stream(model, tok, ids, params, lambda ev: texts.append(ev.text), logprobs=False,
                            extra_generate_kwargs={"min_new_tokens": n})
        elapsed = time.perf_counter() - t
        assert len(result.token_ids) == n and "".join(texts) == result.text
        return n / elapsed

    def logprob() -> float:
        """run_stream with each token's log-probability in its event."""
        t = time.perf_counter()
        result = run_stream(model, tok, ids, params, lambda ev: None, top_n=0,
                            extra_generate_kwargs={"min_new_tokens": n})
        assert len(result.token_ids) == n
        return n / (time.perf_counter() - t)

    def top5() -> float:
        """run_stream with the five most likely alternatives in every event too."""
        t = time.perf_counter()
        result = run_stream(model, tok, ids, params, lambda ev: None, top_n=5,
                            extra_generate_kwargs={"min_new_tokens": n})
        assert len(result.token_ids) == n
        return n / (time.perf_counter() - t)

    def generator() -> float:
        """stream_generate: the same events through a worker thread and a queue."""
        t = time.perf_counter()
        events = list(stream_generate(model, tok, ids, params, extra_generate_kwargs={"min_new_tokens": n}))
        elapsed = time.perf_counter() - t
        assert isinstance(events[-1], GenerationResult) and len(events[-1].token_ids) == n
        return n / elapsed

    def hf_streamer() -> float:
        streamer = TextIteratorStreamer(tok, skip_prompt=True)
        t = time.perf_counter()

        def work():
            with torch.inference_mode():
                model.generate(x, streamer=streamer, **common)

        th = threading.Thread(target=work)
        th.start()
        for _ in streamer:
            pass
        th.join()
        return n / (time.perf_counter() - t)

    def timed(f) -> tuple[float, float]:
        """(tokens/s by the wall clock, tokens/s by this process's CPU time)."""
        cpu = time.process_time()
        wall_tps = f()
        return wall_tps, n / (time.process_time() - cpu)

    for f in (plain, ours, logprob, top5, generator, hf_streamer):  # warm-up: allocator, kernels, tokenizer caches
        f()
    rows, cpu_rows = [], []
    for i in range(args.pairs):
        order = [plain, ours] if i % 2 == 0 else [ours, plain]
        measured = {f.__name__: timed(f) for f in order + [logprob, top5, generator, hf_streamer]}
        rows.append({k: v[0] for k, v in measured.items()})
        cpu_rows.append({k: v[1] for k, v in measured.items()})
    hook_us, hook_share = attributed_overhead(model, tok, ids, params, n)
    ratio = statistics.median(r["ours"] / r["plain"] for r in rows)
    gen_ratio = statistics.median(r["generator"] / r["plain"] for r in rows)
    top5_ratio = statistics.median(r["top5"] / r["plain"] for r in rows)
    lp_ratio = statistics.median(r["logprob"] / r["plain"] for r in rows)
    hf_ratio = statistics.median(r["hf_streamer"] / r["plain"] for r in rows)
    cpu_ratio = statistics.median(r["ours"] / r["plain"] for r in cpu_rows)
    cpu_gen = statistics.median(r["generator"] / r["plain"] for r in cpu_rows)
    cpu_top5 = statistics.median(r["top5"] / r["plain"] for r in cpu_rows)
    cpu_lp = statistics.median(r["logprob"] / r["plain"] for r in cpu_rows)
    cpu_hf = statistics.median(r["hf_streamer"] / r["plain"] for r in cpu_rows)
    report = {
        "model": what, "device": str(model.device), "torch_threads": torch.get_num_threads(),
        "new_tokens": n, "pairs": args.pairs,
        "plain_tokens_per_s_median": round(statistics.median(r["plain"] for r in rows), 1),
        "streamed_tokens_per_s_median": round(statistics.median(r["ours"] for r in rows), 1),
        "ratio_streamed_over_plain_median": round(ratio, 3),
        "ratio_with_logprob_over_plain_median": round(lp_ratio, 3),
        "ratio_with_top5_alternatives_over_plain_median": round(top5_ratio, 3),
        "ratio_generator_over_plain_median": round(gen_ratio, 3),
        "ratio_TextIteratorStreamer_over_plain_median": round(hf_ratio, 3),
        "cpu_time_ratios_median": {"streamed": round(cpu_ratio, 3), "logprob": round(cpu_lp, 3),
                                   "top5": round(cpu_top5, 3),
                                   "generator": round(cpu_gen, 3),
                                   "TextIteratorStreamer": round(cpu_hf, 3)},
        "our_hooks_us_per_token": round(hook_us, 1), "our_hooks_share_of_streamed_run": round(hook_share, 4),
        "load_average": os.getloadavg()[0],
        "target": ">= 0.97", "meets_target": ratio >= 0.97,
    }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"model: {what} on {model.device} ({torch.get_num_threads()} torch threads)")
    print(f"greedy, {n} new tokens, {args.pairs} interleaved pairs")
    for i, r in enumerate(rows, 1):
        print(f"  pair {i:2}: plain {r['plain']:6.1f} tok/s | streamed {r['ours']:6.1f} ({r['ours'] / r['plain']:.3f})"
              f" | +logprob {r['logprob'] / r['plain']:.3f} | +top-5 {r['top5'] / r['plain']:.3f} | generator {r['generator'] / r['plain']:.3f} | HF "
              f"{r['hf_streamer'] / r['plain']:.3f}")
    print(f"median ratio streamed/plain: {ratio:.3f} (target >= 0.97: {'met' if ratio >= 0.97 else 'NOT met'})")
    print(f"median ratio with the log-probability in each event/plain: {lp_ratio:.3f}")
    print(f"median ratio with log-probability and top-5 alternatives/plain: {top5_ratio:.3f}")
    print(f"median ratio generator (stream_generate, worker thread)/plain: {gen_ratio:.3f}")
    print(f"median ratio TextIteratorStreamer/plain: {hf_ratio:.3f} (transformers' own, for reference)")
    print(f"by process CPU time (immune to other jobs' scheduling): streamed {cpu_ratio:.3f}, +logprob "
          f"{cpu_lp:.3f}, +top-5 {cpu_top5:.3f}, generator "
          f"{cpu_gen:.3f}, TextIteratorStreamer {cpu_hf:.3f}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"time inside our per-token hooks (streamer: cancel check, detokenizer, event): "
          f"{hook_us:.1f} us/token = {hook_share:.2%} of a streamed run")


if __name__ == "__main__":
    main()
