"""`generate`, `next-token`, `compare`, `chat-template`: the generation lab on the command line.

Thin renderers over ``engine.generation``: sampling flags become one
``SamplingParams`` (bad values fail there, before any model loads, as one line and
exit code 2), streamed text goes to stdout as it arrives (flushed at most every
50 ms), and notes and timing go to stderr so ``> file`` captures only the text.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated, Optional

import typer

from .common import (DeviceOpt, DtypeOpt, EightBitOpt, FourBitOpt, JsonOpt, ModelOpt, OnlineOpt, PickleOpt, RemoteOpt,
                     load_options, load_with_progress, print_json)

Temp = Annotated[Optional[float], typer.Option("--temperature", "-t", help="Divide logits by T (0 = greedy).")]
TopK = Annotated[Optional[int], typer.Option("--top-k", help="Keep the k most likely tokens (0 = off).")]
TopP = Annotated[Optional[float], typer.Option("--top-p", help="Keep the smallest set with mass >= p, in (0, 1].")]
RepPen = Annotated[float, typer.Option("--repetition-penalty", help="Above 1 discourages repeats (1 = off).")]
NoRepeat = Annotated[int, typer.Option("--no-repeat-ngram", help="Forbid repeating n-grams of this size (0 = off).")]
MaxNew = Annotated[int, typer.Option("--max-new-tokens", "-n", help="Tokens to generate at most.")]
Seed = Annotated[Optional[int], typer.Option("--seed", help="Seed for repeatable sampling.")]
Sample = Annotated[Optional[bool], typer.Option("--sample/--greedy", help="Sample (default when -t/--top-k/--top-p "
                                                "is given) or pick the most likely token.")]
Chat = Annotated[bool, typer.Option("--chat", help="Treat PROMPT as a user message and apply the chat template.")]
System = Annotated[Optional[str], typer.Option("--system", help="System message (with --chat).")]
Format = Annotated[Optional[str], typer.Option("--format", help="Built-in chat format instead of the model's own: "
                                               "llama3, alpaca, chatml or gemma.")]


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
    app.command("next-token")(next_token)
    app.command("compare")(compare)
    app.command("chat-template")(chat_template)


def _params(sample, temperature, top_k, top_p, repetition_penalty=1.0, no_repeat_ngram=0, num_beams=1,
            length_penalty=1.0, max_new_tokens=64, stop=None, seed=None):
    """Flags -> SamplingParams. Sampling is on when asked, or when a sampling knob is given."""
    from engine.generation.params import SamplingParams

    do_sample = sample if sample is not None else any(v is not None for v in (temperature, top_k, top_p))
    return SamplingParams(do_sample=do_sample, temperature=1.0 if temperature is None else temperature,
                          top_k=50 if top_k is None else top_k, top_p=1.0 if top_p is None else top_p,
                          repetition_penalty=repetition_penalty, no_repeat_ngram_size=no_repeat_ngram,
                          num_beams=num_beams, length_penalty=length_penalty, max_new_tokens=max_new_tokens,
                          stop=tuple(stop or ()), seed=seed)


def _note(text: str) -> None:
    sys.stderr.write(f"note: {text}\n")


def _load(model, device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online, quiet,
          adapter=None):
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own bar (or, with --json, silence) instead of tqdm's
    opts = load_options("causal-lm", device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online)
    loaded = load_with_progress(model, opts, quiet=quiet)
    if adapter:
        from engine.generation.adapter import apply_adapter

        loaded.model = apply_adapter(loaded.model, adapter, model, loaded.resolved.path)
    return loaded


def generate(
    prompt: str = typer.Argument(..., help="Text to continue (or, with --chat, the user's message)."),
    model: ModelOpt = "dojo-tiny",
    adapter: Annotated[Optional[str], typer.Option("--adapter", help="A LoRA adapter folder for the model.")] = None,
    sample: Sample = None, temperature: Temp = None, top_k: TopK = None, top_p: TopP = None,
    repetition_penalty: RepPen = 1.0, no_repeat_ngram: NoRepeat = 0,
    num_beams: Annotated[int, typer.Option("--num-beams", help="Beam search with N beams (not streamed).")] = 1,
    length_penalty: Annotated[float, typer.Option("--length-penalty", help="Beam length penalty.")] = 1.0,
    max_new_tokens: MaxNew = 64,
    stop: Annotated[Optional[list[str]], typer.Option("--stop", help="Stop when this text appears (repeatable).")] = None,
    seed: Seed = None, chat: Chat = False, system: System = None, fmt: Format = None,
    static_cache: Annotated[bool, typer.Option("--static-cache", help="Pre-allocated KV cache (GPU speed-up).")] = False,
    compile_: Annotated[bool, typer.Option("--compile", help="torch.compile decoding (CUDA, with --static-cache).")] = False,
    device: DeviceOpt = "auto", dtype: DtypeOpt = "auto", load_in_4bit: FourBitOpt = False,
    load_in_8bit: EightBitOpt = False, allow_pickle: PickleOpt = False, trust_remote_code: RemoteOpt = False,
    online: OnlineOpt = False, json_out: JsonOpt = False,
) -> None:
    """Generate text, streamed token by token (time to first token and tokens/s on stderr)."""
    params = _params(sample, temperature, top_k, top_p, repetition_penalty, no_repeat_ngram, num_beams,
                     length_penalty, max_new_tokens, stop, seed)
    chat = chat or system is not None
    from engine.generation.gpu import SpeedOptions

    speed = SpeedOptions(static_cache=static_cache, compile=compile_)
    loaded = _load(model, device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online,
                   json_out, adapter)
    from engine.generation.chat_formats import encode_prompt

    ids = encode_prompt(loaded.tokenizer, prompt, chat=chat or fmt is not None, system=system, fmt=fmt,
                        model_name=model)
    if params.num_beams > 1:
        _beams(loaded, ids, params, json_out)
        return
    from engine.generation.stream import run_stream

    pending: list[str] = []
    last_flush = [time.perf_counter()]

    def show(event) -> None:  # on the generating thread: no hand-off per token
        if json_out or not event.text:
            return
        pending.append(event.text)
        if time.perf_counter() - last_flush[0] > 0.05 or "\n" in event.text:
            sys.stdout.write("".join(pending))
            sys.stdout.flush()
            pending.clear()
            last_flush[0] = time.perf_counter()

    result = run_stream(loaded.model, loaded.tokenizer, ids, params, show, logprobs=False,  # only text is shown
                        extra_generate_kwargs=speed.generate_kwargs(loaded.device))
    if json_out:
        from engine.generation.gpu import placement

        print_json({"model": model, "adapter": adapter, **result.to_dict(), "placement": placement(loaded.model),
                    "speed_options": {"static_cache": static_cache, "compile": compile_}})
        return
    sys.stdout.write("".join(pending) + "\n")
    sys.stdout.flush()
    for notice in result.notices:
        _note(notice)
    tps = result.tokens_per_second
    sys.stderr.write(f"[{len(result.token_ids)} tokens, {result.finish_reason}; first token "
                     f"{(result.time_to_first_token or 0) * 1000:.0f} ms; "
                     f"{'-' if tps is None else f'{tps:.1f}'} tokens/s on {loaded.device}]\n")


def _beams(loaded, ids, params, json_out) -> None:
    from engine.generation.strategies import beam_search

    beams = beam_search(loaded.model, loaded.tokenizer, ids, params)
    if json_out:
        best = beams[0]
        print_json({"text": best.text, "token_ids": best.token_ids, "prompt_tokens": len(ids),
                    "params": params.to_dict(), "beams": [b.to_dict() for b in beams]})
        return
    sys.stdout.write(beams[0].text + "\n")
    for b in beams:
        sys.stderr.write(f"[{b.label}: score {b.score:.3f}, log-prob {b.logprob:.2f}] {b.text[:60]!r}\n")


def next_token(
    prompt: str = typer.Argument(..., help="Text whose next token we look at."),
    model: ModelOpt = "dojo-tiny",
    temperature: Annotated[float, typer.Option("--temperature", "-t", help="Temperature (0 = greedy).")] = 1.0,
    top_k: Annotated[int, typer.Option("--top-k", help="Top-k cut (0 = off).")] = 50,
    top_p: Annotated[float, typer.Option("--top-p", help="Top-p (nucleus) cut, in (0, 1].")] = 1.0,
    repetition_penalty: RepPen = 1.0,
    show: Annotated[int, typer.Option("--show", help="How many tokens to list.")] = 10,
    chat: Chat = False, system: System = None, fmt: Format = None,
    device: DeviceOpt = "auto", dtype: DtypeOpt = "auto", load_in_4bit: FourBitOpt = False,
    load_in_8bit: EightBitOpt = False, allow_pickle: PickleOpt = False, trust_remote_code: RemoteOpt = False,
    online: OnlineOpt = False, json_out: JsonOpt = False,
) -> None:
    """The next-token distribution after each sampling stage: raw, temperature, top-k, top-p, final."""
    from engine.generation.params import SamplingParams

    SamplingParams(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p,
                   repetition_penalty=repetition_penalty)
    loaded = _load(model, device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online, json_out)
    from engine.generation.chat_formats import encode_prompt
    from engine.generation.pipeline import NextTokenPipeline

    ids = encode_prompt(loaded.tokenizer, prompt, chat=chat or fmt is not None, system=system, fmt=fmt,
                        model_name=model)
    view = NextTokenPipeline(loaded.model, loaded.tokenizer, ids, show=show).stages(
        temperature=temperature, top_k=top_k, top_p=top_p, repetition_penalty=repetition_penalty)
    if json_out:
        print_json({"model": model, "prompt_tokens": len(ids), **view.to_dict()})
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from rich import box

    table = Table(title=f"next token after {len(ids)} prompt tokens (vocabulary {view.vocab_size:,})",
                  box=box.SIMPLE_HEAD, padding=(0, 1))
    table.add_column("token", no_wrap=True, min_width=6)
    for s in view.stages:
        table.add_column(f"{s.name}\n{s.kept:,} kept", justify="left", no_wrap=True)
    peak = max(p for s in view.stages for p in s.probs) or 1.0  # one scale for every bar, as in the lab
    for i, row in enumerate(view.rows):
        cells = [Text(row.text.replace(" ", "␣").replace("\n", "↵") or "∅")]
        for s in view.stages:
            p = s.probs[i]
            bar = "█" * max(1, round(p / peak * 4)) if p > 0 else "·"
            cells.append(Text(f"{bar:<4}{p:6.1%}" if p > 0 else f"{bar:<4}   cut", style="green" if p > 0 else "dim"))
        table.add_row(*cells)
    Console().print(table)
    if temperature == 0:
        _note("temperature 0 is greedy decoding: all probability on the most likely token")


def compare(
    prompt: str = typer.Argument(..., help="Text to continue."),
    model: ModelOpt = "dojo-tiny",
    num_beams: Annotated[int, typer.Option("--num-beams", help="Beams for beam search (0 = skip).")] = 4,
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds for the sampled runs.")] = "1,2,3",
    temperature: Annotated[float, typer.Option("--temperature", "-t", help="Sampling temperature.")] = 0.8,
    top_k: Annotated[int, typer.Option("--top-k", help="Top-k for sampling (0 = off).")] = 50,
    top_p: Annotated[float, typer.Option("--top-p", help="Top-p for sampling.")] = 0.95,
    repetition_penalty: RepPen = 1.0, max_new_tokens: MaxNew = 40,
    length_penalty: Annotated[float, typer.Option("--length-penalty", help="Beam length penalty.")] = 1.0,
    device: DeviceOpt = "auto", dtype: DtypeOpt = "auto", load_in_4bit: FourBitOpt = False,
    load_in_8bit: EightBitOpt = False, allow_pickle: PickleOpt = False, trust_remote_code: RemoteOpt = False,
    online: OnlineOpt = False, json_out: JsonOpt = False,
) -> None:
    """Greedy, every beam of a beam search, and seeded samples of one prompt, side by side."""
    from engine.generation.params import ParamError

    try:
        seed_list = tuple(int(s) for s in seeds.split(",") if s.strip())
    except ValueError:
        raise ParamError(f"--seeds {seeds!r}: give whole numbers separated by commas, e.g. 1,2,3") from None
    params = _params(True, temperature, top_k, top_p, repetition_penalty, 0, 1, length_penalty, max_new_tokens)
    loaded = _load(model, device, dtype, load_in_4bit, load_in_8bit, allow_pickle, trust_remote_code, online, json_out)
    from engine.generation.chat_formats import encode_prompt
    from engine.generation.strategies import compare as run_compare

    ids = encode_prompt(loaded.tokenizer, prompt)
    result = run_compare(loaded.model, loaded.tokenizer, ids, params, num_beams=num_beams, seeds=seed_list)
    if json_out:
        print_json({"model": model, **result.to_dict()})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{prompt!r}: greedy / beam / sampled (T={temperature:g}, top-k {top_k}, top-p {top_p:g})")
    for col in ("run", "log-prob", "beam score", "text"):
        table.add_column(col, overflow="fold")
    for c in result.candidates:
        table.add_row(c.label, f"{c.logprob:.2f}", "" if c.score is None else f"{c.score:.3f}", c.text)
    Console().print(table)


def chat_template(
    model: ModelOpt = "dojo-tiny",
    fmt: Format = None,
    system: Annotated[str, typer.Option("--system", help="System message.")] = "너는 친절한 조수야. 짧게 답해.",
    user: Annotated[str, typer.Option("--user", help="User message.")] = "하늘은 왜 파란색이야?",
    assistant: Annotated[Optional[str], typer.Option("--assistant", help="An assistant reply to include.")] = None,
    alpaca_input: Annotated[Optional[str], typer.Option("--input", help="Alpaca's input section.")] = None,
    trust_remote_code: RemoteOpt = False, online: OnlineOpt = False, json_out: JsonOpt = False,
) -> None:
    """Show the exact text a chat model reads: its own template, or a classic built-in format."""
    from engine.generation import chat_formats as cf

    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
    if assistant is not None:
        messages.append({"role": "assistant", "content": assistant})
    if fmt is not None:
        cf.render_format(fmt, messages)  # validates the name before anything else
        kwargs = {"alpaca_input": alpaca_input} if fmt == "alpaca" else {}
        with_prompt = cf.render_format(fmt, messages, True, **kwargs)
        without = cf.render_format(fmt, messages, False, **kwargs)
        source, notes = f"built-in {fmt}", cf.format_notes(fmt, messages)
    else:
        tok = cf.tokenizer_for(model, allow_network=online, trust_remote_code=trust_remote_code)
        if not cf.has_template(tok):
            raise cf.NoChatTemplate(cf.no_template_message(model))
        with_prompt = cf.render_own(tok, messages, True, model)
        without = cf.render_own(tok, messages, False, model)
        source, notes = f"{model}'s own template", []
    if json_out:
        print_json({"source": source, "messages": messages, "with_generation_prompt": with_prompt,
                    "without_generation_prompt": without, "notes": notes})
        return
    sys.stdout.write(f"--- {source}, with the generation prompt (what generation starts from):\n{with_prompt}\n")
    if without != with_prompt:
        sys.stdout.write(f"--- without it (for training on whole conversations), it ends:\n...{without[-60:]}\n")
    for n in notes:
        _note(n)
