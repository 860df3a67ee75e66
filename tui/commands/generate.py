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

from engine.generation.params import COMPARE_DEFAULTS, SamplingParams
from engine.models.load import LoadOptions

from .common import JsonOpt, ModelOpt, OnlineOpt, RemoteOpt, ShowCodeOpt, load_with_progress, print_code, print_json
from .options import config_options

Chat = Annotated[bool, typer.Option("--chat", help="Treat PROMPT as a user message and apply the chat template.")]
System = Annotated[Optional[str], typer.Option("--system", help="System message (with --chat).")]
Format = Annotated[Optional[str], typer.Option("--format", help="Built-in chat format instead of the model's own: "
                                               "llama3, alpaca, chatml or gemma.")]
Adapter = Annotated[Optional[str], typer.Option("--adapter", help="A LoRA adapter folder for the model.")]
Show = Annotated[int, typer.Option("--show", help="How many tokens to list.")]
load_opts = config_options(LoadOptions, exclude=("task",), param="load")
"""The model flags, from ``engine.models.load.LoadOptions``."""


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
    app.command("next-token")(next_token)
    app.command("compare")(compare)
    app.command("chat-template")(chat_template)


def _note(text: object) -> None:
    sys.stderr.write(f"note: {text}\n")


def _load(model: str, load: dict, quiet: bool, adapter: str | None = None):
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own bar (or, with --json, silence) instead of tqdm's
    loaded = load_with_progress(model, LoadOptions(task="causal-lm", **load), quiet=quiet)
    if adapter:
        from engine.generation.adapter import apply_adapter

        loaded.model = apply_adapter(loaded.model, adapter, model, loaded.resolved.path)
    return loaded


@load_opts
@config_options(SamplingParams, param="sampling")
def generate(
    prompt: str = typer.Argument(..., help="Text to continue (or, with --chat, the user's message)."),
    model: ModelOpt = "dojo-tiny", adapter: Adapter = None,
    chat: Chat = False, system: System = None, fmt: Format = None,
    static_cache: Annotated[bool, typer.Option("--static-cache", help="Pre-allocated KV cache (GPU speed-up).")] = False,
    compile_: Annotated[bool, typer.Option("--compile", help="torch.compile decoding (CUDA, with --static-cache).")] = False,
    json_out: JsonOpt = False, show_code: ShowCodeOpt = False, sampling: dict = None, load: dict = None,
) -> None:
    """Generate text, streamed token by token (time to first token and tokens/s on stderr).

    A model fine-tuned by LLM Dojo on the sentiment task gets its prompt template applied and
    its label scores shown."""
    params = SamplingParams.from_options(sampling)
    chat = chat or system is not None
    if show_code:
        from engine.codegen.generation import generation_snippet
        from engine.device import pick_device, pick_dtype

        device = pick_device(load.get("device") or "auto")
        rendered = None
        from engine.codegen.generation import model_path
        from engine.training.task_card import read_card

        card = read_card(model_path(model))
        if card is not None and card.task == "sentiment" and not chat and fmt is None:
            prompt = card.prompt_for(prompt)  # the run's prompt template, as generation applies it
        if fmt not in (None, "", "own"):
            from engine.generation.chat_formats import messages_from, render_format

            rendered = render_format(fmt, messages_from(prompt, system), True)
        print_code(generation_snippet(model, prompt, params, chat=chat, system=system, adapter=adapter,
                                      device=device, dtype=pick_dtype(device, load.get("dtype")), rendered=rendered))
        return
    from engine.generation.gpu import SpeedOptions

    speed = SpeedOptions(static_cache=static_cache, compile=compile_)
    loaded = _load(model, load, json_out, adapter)
    from engine.generation.api import generate as run_generation
    from engine.generation.chat_formats import encode_prompt
    from engine.training.task_card import read_card

    card = read_card(loaded.resolved.path)
    labels: list = []
    if card is not None and card.task == "sentiment" and not chat and fmt is None:
        from engine.training.task_card import label_probabilities

        labels = label_probabilities(loaded.model, loaded.tokenizer, prompt, card)
        prompt = card.prompt_for(prompt)
        if not json_out:
            _note(f"{model} was fine-tuned to label sentiment: the prompt becomes {prompt!r}")
    ids = encode_prompt(loaded.tokenizer, prompt, chat=chat or fmt is not None, system=system, fmt=fmt,
                        model_name=model)
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

    speed_kwargs = speed.generate_kwargs(loaded.device, quantized=bool(getattr(loaded.model, "is_quantized", False)))
    warmup_s = None
    if compile_:
        # torch.compile compiles inside the first decode with these shapes: run it once untimed,
        # so the reported speed is the compiled one (and the compile time is reported apart)
        if not json_out:
            _note("compiling decoding (one untimed warm-up generation with the same shapes)...")
        t0 = time.perf_counter()
        run_generation(loaded.model, loaded.tokenizer, ids, params, extra_generate_kwargs=speed_kwargs)
        warmup_s = time.perf_counter() - t0
    result = run_generation(loaded.model, loaded.tokenizer, ids, params, on_event=show,
                            extra_generate_kwargs=speed_kwargs)
    if json_out:
        from engine.generation.gpu import placement

        extra = {"labels": [{"label": l, "logprob": round(lp, 4), "prob": round(p, 4)} for l, lp, p in labels]} \
            if labels else {}
        print_json({"model": model, "adapter": adapter, **result.to_dict(), **extra,
                    "placement": placement(loaded.model),
                    "speed_options": {"static_cache": static_cache, "compile": compile_,
                                      "compile_warmup_s": None if warmup_s is None else round(warmup_s, 3)}})
        return
    sys.stdout.write("".join(pending) + "\n")
    sys.stdout.flush()
    for label, logprob, prob in labels:
        sys.stderr.write(f"  {label}: {prob:.1%} (log-likelihood {logprob:.2f})\n")
    for notice in result.notices:
        _note(notice)
    for b in result.beams:
        sys.stderr.write(f"[{b.label}: score {b.score:.3f}, log-prob {b.logprob:.2f}] {b.text[:60]!r}\n")
    tps = result.tokens_per_second
    if warmup_s is not None:
        sys.stderr.write(f"[compile and warm-up: {warmup_s:.1f} s, not counted below]\n")
    sys.stderr.write(f"[{len(result.token_ids)} tokens, {result.finish_reason}; first token "
                     f"{(result.time_to_first_token or 0) * 1000:.0f} ms; "
                     f"{'-' if tps is None else f'{tps:.1f}'} tokens/s on {loaded.device}]\n")


@load_opts
@config_options(SamplingParams, only=("temperature", "top_k", "top_p", "repetition_penalty"), param="sampling")
def next_token(
    prompt: str = typer.Argument(..., help="Text whose next token we look at."),
    model: ModelOpt = "dojo-tiny", show: Show = 10, chat: Chat = False, system: System = None,
    fmt: Format = None, json_out: JsonOpt = False, show_code: ShowCodeOpt = False, sampling: dict = None,
    load: dict = None,
) -> None:
    """The next-token distribution after each sampling stage: raw, temperature, top-k, top-p, final.

    Temperature 0 is greedy decoding: the real runner-ups with their raw probabilities, and
    all of the final probability on the most likely token."""
    params = SamplingParams.from_options({**sampling, "do_sample": True})
    if show_code:
        from engine.codegen.generation import next_token_stages_snippet
        from engine.generation.chat_formats import messages_from, render_format

        chat = chat or fmt is not None or system is not None
        rendered = render_format(fmt, messages_from(prompt, system), True) if fmt not in (None, "", "own") else None
        print_code(next_token_stages_snippet(model, prompt, params, show=show, chat=chat, system=system,
                                             rendered=rendered))
        return
    from engine.lm.kinds import require

    require(model, "causal", "next-token", allow_network=bool(load.get("allow_network")))  # not a BERT
    loaded = _load(model, load, json_out)
    from engine.generation.chat_formats import encode_prompt
    from engine.generation.pipeline import NextTokenPipeline

    ids = encode_prompt(loaded.tokenizer, prompt, chat=chat or fmt is not None, system=system, fmt=fmt,
                        model_name=model)
    view = NextTokenPipeline(loaded.model, loaded.tokenizer, ids, show=show).stages(params)
    if json_out:
        print_json({"model": model, "prompt_tokens": len(ids), **view.to_dict()})
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"next token after {len(ids)} prompt tokens (vocabulary {view.vocab_size:,})",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("token", no_wrap=True, max_width=12, overflow="ellipsis")
    for s in view.stages:
        table.add_column(f"{s.name}\n{s.kept:,}", justify="left", no_wrap=True)
    for i, row in enumerate(view.rows):
        cells = [Text(row.text.replace(" ", "␣").replace("\n", "↵") or "∅")]
        for s in view.stages:
            p = s.probs[i]
            peak = max(s.probs) or 1.0  # each stage on its own scale: moving top-k never changes the raw bars
            bar = "█" * max(1, round(p / peak * 3)) if p > 0 else "·"
            cells.append(Text(f"{bar:<3}{p:6.1%}" if p > 0 else f"{bar:<3}   cut", style="green" if p > 0 else "dim"))
        table.add_row(*cells)
    Console().print(table)
    Console(stderr=True).print("[dim]column heads: stage and the number of tokens it keeps[/]")
    if view.greedy:
        _note("temperature 0 is greedy decoding: all probability on the most likely token")


@load_opts
@config_options(SamplingParams, only=("temperature", "top_k", "top_p", "repetition_penalty", "length_penalty",
                                      "max_new_tokens"), param="sampling", defaults=COMPARE_DEFAULTS)
def compare(
    prompt: str = typer.Argument(..., help="Text to continue."),
    model: ModelOpt = "dojo-tiny",
    num_beams: Annotated[int, typer.Option("--num-beams", help="Beams for beam search (0 = skip).")] = 4,
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds for the sampled runs.")] = "1,2,3",
    json_out: JsonOpt = False, sampling: dict = None, load: dict = None,
) -> None:
    """Greedy, every beam of a beam search, and seeded samples of one prompt, side by side."""
    from engine.generation.params import ParamError

    try:
        seed_list = tuple(int(s) for s in seeds.split(",") if s.strip())
    except ValueError:
        raise ParamError(f"--seeds {seeds!r}: give whole numbers separated by commas, e.g. 1,2,3") from None
    params = SamplingParams.from_options({**COMPARE_DEFAULTS, **sampling})
    loaded = _load(model, load, json_out)
    from engine.generation.chat_formats import encode_prompt
    from engine.generation.strategies import compare as run_compare

    ids = encode_prompt(loaded.tokenizer, prompt)
    result = run_compare(loaded.model, loaded.tokenizer, ids, params, num_beams=num_beams, seeds=seed_list)
    if json_out:
        print_json({"model": model, **result.to_dict()})
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{escape(repr(prompt))}: greedy / beam / sampled "
                        f"(T={params.temperature:g}, top-k {params.top_k}, top-p {params.top_p:g})")
    for col in ("run", "log-prob", "beam score", "text"):
        table.add_column(col, overflow="fold", no_wrap=col != "text")
    for c in result.candidates:
        table.add_row(c.label, f"{c.logprob:.2f}", "" if c.score is None else f"{c.score:.3f}", escape(c.text))
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
                    "without_generation_prompt": without, "notes": [str(n) for n in notes]})
        return
    sys.stdout.write(f"--- {source}, with the generation prompt (what generation starts from):\n{with_prompt}\n")
    if without != with_prompt:
        sys.stdout.write(f"--- without it (for training on whole conversations), it ends:\n...{without[-60:]}\n")
    for n in notes:
        _note(n)
