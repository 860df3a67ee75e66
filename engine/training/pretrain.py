"""The pretraining recipe that builds the embedded models (``dojo-tiny``, ``dojo-tiny-mlm``).

A plain PyTorch loop rather than ``Trainer``: the recipe is a lesson in itself
("pretraining is next-token prediction on a lot of text"), it must be deterministic
under a seed, resumable from its own checkpoint, and it yields typed events so the
CLI (rich) and, later, the run system render progress without the recipe printing.

    corpus -> tokenizer -> blocks -> [pretrain steps] -> [chat steps (CLM)] -> save -> evaluate

>>> for ev in pretrain(get_preset("dojo-micro"), Path("/tmp/m")):   # doctest: +SKIP
...     print(ev)
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import DojoError
from . import pretrain_data as data
from .presets import PretrainPreset


@dataclass(frozen=True)
class StageEvent:
    stage: str  # corpus | tokenizer | pretrain | chat | save | evaluate
    detail: str = ""


@dataclass(frozen=True)
class StepEvent:
    stage: str
    step: int
    total: int
    loss: float
    lr: float
    tokens_per_s: float
    eta_s: float


@dataclass(frozen=True)
class DoneEvent:
    out_dir: Path
    seconds: float
    summary: dict


class PretrainInterrupted(DojoError):
    """Ctrl-C: the last checkpoint is kept and the message says how to resume."""

    exit_code = 130


CKPT = "checkpoints/last.pt"


def _check_out_dir(out: Path, overwrite: bool, resume: bool) -> None:
    if resume:
        if not (out / CKPT).exists():
            raise DojoError(f"nothing to resume in {out}: no {CKPT}; start without --resume")
        return
    if out.exists() and not out.is_dir():
        raise DojoError(f"{out} exists and is not a directory; choose another --out")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise DojoError(f"{out} exists and is not empty; pass --overwrite to replace it, or --resume to continue it")
        shutil.rmtree(out)


def build_model(preset: PretrainPreset, tokenizer):
    """A freshly initialised model of the preset's architecture (seeded)."""
    import torch

    torch.manual_seed(preset.seed)
    if preset.kind == "clm":
        from transformers import LlamaConfig, LlamaForCausalLM

        config = LlamaConfig(
            vocab_size=len(tokenizer), hidden_size=preset.hidden, intermediate_size=preset.intermediate,
            num_hidden_layers=preset.layers, num_attention_heads=preset.heads, num_key_value_heads=preset.heads,
            max_position_embeddings=preset.max_positions, rms_norm_eps=1e-5, tie_word_embeddings=True,
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        return LlamaForCausalLM(config)
    from transformers import BertConfig, BertForMaskedLM

    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=preset.hidden, num_hidden_layers=preset.layers,
        num_attention_heads=preset.heads, intermediate_size=preset.intermediate,
        max_position_embeddings=preset.max_positions, pad_token_id=tokenizer.pad_token_id,
    )
    return BertForMaskedLM(config)


def _lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _train_tokenizer(preset: PretrainPreset, texts: list[str]):
    from ..text import train_tokenizer as tt

    if preset.kind == "clm":
        return tt.wrap_clm(tt.train_byte_bpe(texts, preset.vocab_size), preset.max_positions)
    return tt.wrap_mlm(tt.train_wordpiece(texts, preset.vocab_size), preset.max_positions)


def pretrain(
    preset: PretrainPreset,
    out: Path,
    *,
    overwrite: bool = False,
    resume: bool = False,
    evaluate: bool = True,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[StageEvent | StepEvent | DoneEvent]:
    """Run the recipe, yielding events. Ctrl-C (or ``cancel()``) saves a checkpoint
    and raises :class:`PretrainInterrupted` with the resume command."""
    import torch
    from transformers import AutoTokenizer

    out = Path(out)
    _check_out_dir(out, overwrite, resume)
    started = time.monotonic()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 0) or max(1, os.cpu_count() or 1))

    from ..text.corpus import build_corpus

    try:
        yield StageEvent("corpus", "locating text inside gensim and KoNLPy")
        corpus = build_corpus(preset.corpus)
        texts = corpus.texts("train")
        out.mkdir(parents=True, exist_ok=True)
        tok_dir = out / "checkpoints" / "tokenizer"
        if resume:
            tokenizer = AutoTokenizer.from_pretrained(tok_dir)
        else:
            yield StageEvent("tokenizer", f"training on {sum(map(len, texts)):,} characters")
            tokenizer = _train_tokenizer(preset, texts)
            tokenizer.save_pretrained(tok_dir)

        model = build_model(preset, tokenizer)
        blocks = (data.clm_blocks if preset.kind == "clm" else data.mlm_blocks)(tokenizer, texts, preset.seq_len)
        chat = []
        if preset.kind == "clm" and preset.chat_steps:
            chat = data.chat_examples(tokenizer, data.load_instruction_rows("train"), preset.seq_len)
        total = preset.steps + (preset.chat_steps if chat else 0)

        optim = torch.optim.AdamW(model.parameters(), lr=preset.lr, betas=(0.9, 0.95), weight_decay=0.1)
        gen = torch.Generator().manual_seed(preset.seed)
        step = 0
        if resume:
            state = torch.load(out / CKPT, weights_only=True)
            model.load_state_dict(state["model"])
            optim.load_state_dict(state["optim"])
            gen.set_state(state["gen"])
            step = int(state["step"])

        def save_ckpt() -> None:
            tmp = out / (CKPT + ".tmp")
            torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "gen": gen.get_state(), "step": step}, tmp)
            os.replace(tmp, out / CKPT)
    except KeyboardInterrupt:
        again = "--resume" if resume else "--overwrite"
        raise PretrainInterrupted(
            "interrupted while preparing, before any new training step; "
            f"start again with: llm-dojo train pretrain --preset {preset.name} --out {out} {again}"
        ) from None

    model.train()
    window_start, window_tokens = time.monotonic(), 0
    try:
        while step < total:
            if cancel is not None and cancel():
                raise KeyboardInterrupt
            in_chat = step >= preset.steps
            if not in_chat:
                idx = torch.randint(len(blocks), (preset.batch_size,), generator=gen)
                batch = blocks[idx]
                if preset.kind == "clm":
                    loss = model(input_ids=batch, labels=batch).loss
                else:
                    inputs, labels = data.mask_tokens(batch, tokenizer, preset.mask_prob, gen)
                    loss = model(input_ids=inputs, labels=labels).loss
                lr = _lr_at(step, preset.steps, preset.lr, preset.warmup)
                n_tokens = batch.numel()
            else:
                picks = torch.randint(len(chat), (preset.chat_batch_size,), generator=gen).tolist()
                ids, labels, attn = data.pad_batch([chat[i] for i in picks], tokenizer.pad_token_id)
                loss = model(input_ids=ids, attention_mask=attn, labels=labels).loss
                lr = _lr_at(step - preset.steps, preset.chat_steps, preset.chat_lr, 10)
                n_tokens = int(attn.sum())
            if not torch.isfinite(loss):
                raise DojoError(f"loss became {loss.item()} at step {step + 1}; lower the learning rate (now {lr:g})")
            for group in optim.param_groups:
                group["lr"] = lr
            optim.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            step += 1
            window_tokens += n_tokens
            elapsed = time.monotonic() - window_start
            tps = window_tokens / elapsed if elapsed > 0 else 0.0
            eta = (total - step) * (elapsed / max(1, window_tokens / max(1, n_tokens)))
            yield StepEvent("chat" if in_chat else "pretrain", step, total, float(loss.item()), lr, tps, eta)
            if step % preset.checkpoint_every == 0:
                save_ckpt()
    except KeyboardInterrupt:
        save_ckpt()
        raise PretrainInterrupted(
            f"stopped at step {step}/{total}; checkpoint kept in {out / CKPT}. Resume with: "
            f"llm-dojo train pretrain --preset {preset.name} --out {out} --resume"
        ) from None

    yield StageEvent("save", str(out))
    _save_model(model, tokenizer, preset, out)
    summary: dict = {"preset": asdict(preset), "corpus": corpus.stats(), "train_seconds": time.monotonic() - started}
    summary["parameters"] = sum(p.numel() for p in model.parameters())
    summary["vocab"] = len(tokenizer)
    summary["train_tokens"] = {
        lang: sum(len(e.ids) for e in tokenizer.backend_tokenizer.encode_batch(corpus.texts("train", lang)))
        for lang in ("ko", "en")
    }
    if evaluate:
        yield StageEvent("evaluate", "held-out perplexity and baselines")
        from .pretrain_eval import evaluate_model, write_model_card

        summary["eval"] = evaluate_model(preset, out, corpus, texts)
        write_model_card(out, summary)
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    yield DoneEvent(out, time.monotonic() - started, summary)


def _save_model(model, tokenizer, preset: PretrainPreset, out: Path) -> None:
    """Weights as float16 safetensors (half the disk, exact enough for a tiny model);
    the config says float32 so ``from_pretrained`` computes in fp32 on CPU."""
    import torch

    model.eval()
    model.config.dtype = torch.float32
    if preset.kind == "clm":
        from transformers import GenerationConfig

        model.generation_config = GenerationConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=[tokenizer.eos_token_id, tokenizer.bos_token_id],
            pad_token_id=tokenizer.pad_token_id,
            do_sample=True, temperature=0.8, top_k=50, top_p=0.95, max_new_tokens=64,
        )
    half, seen = {}, set()
    for key, tensor in model.state_dict().items():
        if tensor.data_ptr() in seen:
            continue  # a tied weight (lm_head = embeddings): stored once, re-tied on load
        seen.add(tensor.data_ptr())
        half[key] = tensor.detach().to(torch.float16).contiguous()
    model.save_pretrained(out, state_dict=half, safe_serialization=True)
    tokenizer.save_pretrained(out)
    for f in out.iterdir():
        if f.is_file():
            f.chmod(0o644)  # readable by every user of a system-wide install
