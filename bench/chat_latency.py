"""Chat latency: Enter to first token, adapter switch vs reload, chat vs plain generate tokens/s.

    python bench/chat_latency.py [--runs 7] [--tokens 64] [--threads N] [--json]

* **Enter to first token**: from calling ``ChatSession.reply`` (what Enter does: the
  conversation rendered by the chat template, tokenized, context checked, the active
  adapter switched on) to the first streamed token, after the model is loaded and one
  warm-up reply; the median of ``--runs``. dojo-tiny always (target < 300 ms on a CPU);
  SmolLM2-135M-Instruct too when it is in the local Hugging Face cache (target < 1 s),
  else the script says it was skipped.
* **Adapter switch vs reload**: two LoRA adapters (made here with peft on dojo-tiny,
  rank 8 on q/k/v/o) on one base. Switch: one greedy forward pass with adapter A, then
  with adapter B (the cost of ``set_adapter`` is inside a reply), and the switch alone
  (enable, set, disable, no forward); reload: a fresh
  ``load_model`` + ``PeftModel.from_pretrained`` of the adapter. Memory: bytes of the
  parameters before and after loading both adapters (the base is not copied), and
  whether the model object is still the same.
* **Chat vs plain tokens/s**: the same conversation's ids through ``api.generate`` (the
  ``generate`` command's path) and through ``ChatSession.reply``, exactly ``--tokens``
  new tokens each (``min_new_tokens``), interleaved in pairs; the median of chat/plain
  (target >= 0.97).

Threads: one torch thread on a machine with <= 2 cores (see bench/streaming_overhead.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def param_bytes(model) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


def first_token_ms(session, runs: int) -> float:
    from engine.chat.conversation import Conversation

    times = []
    for i in range(runs + 1):
        session.conversation = Conversation(system="You are a helpful assistant.", model=session.model_name)
        start = time.perf_counter()
        seen: list[float] = []
        session.reply("What is a language model? Answer briefly.",
                      on_event=lambda e: seen.append(time.perf_counter()) if not seen else None)
        if i:  # the first is the warm-up
            times.append((seen[0] - start) * 1000)
    return statistics.median(times)


def make_adapters(base_dir: str, folder: Path) -> list[Path]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = []
    for seed, name in ((1, "kind"), (2, "terse")):
        base = AutoModelForCausalLM.from_pretrained(base_dir)
        torch.manual_seed(seed)
        pm = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                             init_lora_weights=False))
        pm.save_pretrained(folder / name)
        out.append(folder / name)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads or (1 if (os.cpu_count() or 1) <= 2 else torch.get_num_threads()))
    from engine.chat.session import ChatSession
    from engine.generation.api import generate
    from engine.generation.params import SamplingParams
    from engine.models.cache import ModelCache
    from engine.models.load import load_model
    from engine.models.resolve import cached_repo_ids, resolve_model

    report: dict = {"threads": torch.get_num_threads()}
    cache = ModelCache()
    t0 = time.perf_counter()
    session = ChatSession.open("dojo-tiny", params=SamplingParams(max_new_tokens=16), cache=cache)
    report["dojo_tiny_load_s"] = round(time.perf_counter() - t0, 3)
    report["dojo_tiny_first_token_ms"] = round(first_token_ms(session, args.runs), 1)

    smol = "HuggingFaceTB/SmolLM2-135M-Instruct"
    if smol in cached_repo_ids():
        s2 = ChatSession.open(smol, params=SamplingParams(max_new_tokens=16), cache=ModelCache(capacity=1))
        report["smollm2_first_token_ms"] = round(first_token_ms(s2, args.runs), 1)
        del s2
    else:
        report["smollm2_first_token_ms"] = None
        report["smollm2_note"] = f"skipped: {smol} is not in the local Hugging Face cache"

    # adapters: switch vs reload
    base_dir = str(resolve_model("dojo-tiny").path)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_adapters(base_dir, Path(tmp))
        model_before = session.loaded.model
        bytes_before = param_bytes(model_before)
        for p in paths:
            session.add_adapter(str(p))
        bytes_after = param_bytes(session.loaded.model)
        ids = session.loaded.tokenizer.encode("hello world", add_special_tokens=False)
        x = torch.tensor([ids])
        switch = []
        for _ in range(args.runs):
            for name in ("kind", "terse"):
                start = time.perf_counter()
                with session.adapters.active_model(name) as m, torch.no_grad():
                    m(x)
                switch.append((time.perf_counter() - start) * 1000)
        only = []
        for _ in range(args.runs * 20):
            for name in ("kind", "terse"):
                start = time.perf_counter()
                with session.adapters.active_model(name):
                    pass
                only.append((time.perf_counter() - start) * 1e6)
        reload = []
        from peft import PeftModel

        for _ in range(max(3, args.runs // 2)):
            start = time.perf_counter()
            fresh = load_model("dojo-tiny")
            pm = PeftModel.from_pretrained(fresh.model, str(paths[1])).eval()
            with torch.no_grad():
                pm(x)
            reload.append((time.perf_counter() - start) * 1000)
            del pm, fresh
        report.update({
            "switch_ms": round(statistics.median(switch), 2), "switch_only_us": round(statistics.median(only), 1), "reload_ms": round(statistics.median(reload), 1),
            "reload_over_switch": round(statistics.median(reload) / statistics.median(switch), 1),
            "param_bytes_base": bytes_before, "param_bytes_with_2_adapters": bytes_after,
            "adapter_bytes_share": round((bytes_after - bytes_before) / bytes_before, 4),
            "same_model_object": session.loaded.model is model_before, "cache_loads": cache.loads,
        })
    session.adapters.use(None)

    # chat vs plain generate tokens/s
    from engine.chat.conversation import Conversation, prompt_for_reply

    n = args.tokens
    session.params = SamplingParams(max_new_tokens=n)
    session.extra_generate_kwargs = {"min_new_tokens": n}
    ratios, chat_tps, plain_tps = [], [], []
    for i in range(args.runs):
        session.conversation = Conversation(system="You are a helpful assistant.", model="dojo-tiny")
        session.conversation.add_user("Tell me a story.")
        prompt = prompt_for_reply(session.conversation, session.loaded.tokenizer, session.context, n)
        session.conversation.messages.pop()

        def plain() -> float:
            r = generate(session.loaded.model, session.loaded.tokenizer, prompt.ids, session.params,
                         on_event=lambda e: None, extra_generate_kwargs={"min_new_tokens": n})
            return r.tokens_per_second

        def chat() -> float:
            r = session.reply("Tell me a story.", on_event=lambda e: None)
            session.conversation.messages.clear()
            return r.result.tokens_per_second

        if i % 2 == 0:
            p, c = plain(), chat()
        else:
            c, p = chat(), plain()
        plain_tps.append(p)
        chat_tps.append(c)
        ratios.append(c / p)
    report.update({"plain_tokens_per_s": round(statistics.median(plain_tps), 1),
                   "chat_tokens_per_s": round(statistics.median(chat_tps), 1),
                   "chat_over_plain": round(statistics.median(ratios), 3), "tokens": n})
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"Enter to first token, dojo-tiny: {report['dojo_tiny_first_token_ms']} ms (target < 300 ms)")
    smol_ms = report["smollm2_first_token_ms"]
    print(f"Enter to first token, SmolLM2-135M-Instruct: "
          f"{report.get('smollm2_note') if smol_ms is None else f'{smol_ms} ms (target < 1000 ms)'}")
    print(f"adapter switch: {report['switch_only_us']} us alone, {report['switch_ms']} ms with a forward pass; "
          f"reload base + adapter + forward: {report['reload_ms']} ms ({report['reload_over_switch']}x)")
    print(f"parameters: {report['param_bytes_base']:,} B base, {report['param_bytes_with_2_adapters']:,} B with two "
          f"adapters (+{report['adapter_bytes_share']:.1%}); same model object: {report['same_model_object']}, "
          f"loads: {report['cache_loads']}")
    print(f"chat / plain generate tokens/s: {report['chat_over_plain']} "
          f"({report['chat_tokens_per_s']} vs {report['plain_tokens_per_s']}, {n} tokens, target >= 0.97)")


if __name__ == "__main__":
    main()
