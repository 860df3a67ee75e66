"""The four elements of a prompt assembled into zero-, one- and few-shot prompts.

Layout (a blank line between blocks; empty elements are left out)::

    <instruction>
    <context>
    text: <shot text>
    <indicator> <shot label>          one block per shot
    text: <input>
    <indicator>

With ``indicator = "label:"`` and no instruction this is exactly the prompt the SFT
and evaluation labs score (``engine.training.sft.sentiment_prompt``), so what you
build here is what the in-context table measures. Shots come from the training split
of a labelled set, drawn with a seed. The chain-of-thought variant asks for the
reasoning first (zero-shot CoT: "Let's think step by step."). With the chat template
the whole text becomes one user turn (the evaluation lab's ``wrap_chat``).

The prompt must fit the model's context: over it, shots are dropped (the last drawn
first) until it fits, and a notice says by how many tokens it was over; if it does
not fit even with no shots, that is an error that says by how many tokens.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .config import AppsPromptConfig

COT_INSTRUCTION = "Explain your reasoning step by step, then give the answer."
COT_TRIGGER = "Let's think step by step."


@dataclass(frozen=True)
class PromptResult:
    text: str
    tokens: int
    context: int
    shots_asked: int
    shots: list[dict[str, str]]
    """The shots that made it into the prompt: ``{"text", "label"}``."""
    parts: list[dict[str, Any]]
    """Each element in order: ``{"element", "text", "tokens"}`` (tokens of that block alone)."""
    chat_template: bool
    cot: bool
    model: str
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def dropped(self) -> int:
        return self.shots_asked - len(self.shots)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dropped"] = self.dropped
        out["notices"] = [n.to_dict() for n in self.notices]
        return out


def draw_shots(data: str, k: int, seed: int) -> list[dict[str, str]]:
    """``k`` labelled rows from the training split of ``data``, the same for the same seed."""
    if k == 0:
        return []
    from ..training.datasets import load_task_data

    train = load_task_data(data, "sentiment").train
    if k > len(train):
        raise DojoError(f"--shots {k} asks for more examples than the {len(train)} in the training split of {data}; "
                        f"use at most {len(train)}")
    return [{"text": r["text"], "label": r["label"]} for r in random.Random(seed).sample(train, k)]


def blocks(config: AppsPromptConfig, shots: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(element, text) blocks in prompt order."""
    indicator = config.indicator.strip()
    instruction = config.instruction.strip()
    if config.cot:
        instruction = f"{instruction}\n{COT_INSTRUCTION}".strip()
    out: list[tuple[str, str]] = []
    if instruction:
        out.append(("instruction", instruction))
    if config.context.strip():
        out.append(("context", config.context.strip()))
    for shot in shots:
        out.append(("shot", f"text: {shot['text']}\n{indicator} {shot['label']}".rstrip()))
    ending = f"{indicator} {COT_TRIGGER}" if config.cot else indicator
    out.append(("input", f"text: {config.input.strip()}"))
    out.append(("indicator", ending))
    return out


def assemble(config: AppsPromptConfig, shots: list[dict[str, str]], tokenizer: Any) -> str:
    parts = blocks(config, shots)
    body = "\n\n".join(text for element, text in parts if element != "indicator")
    body += "\n" + parts[-1][1]
    if config.chat_template:
        from ..evaluation.tasks import wrap_chat

        return wrap_chat(tokenizer, body)
    return body


def count(tokenizer: Any, text: str, chat: bool) -> int:
    # the template wrote its special tokens as text already; a plain prompt gets the model's BOS if it adds one
    return len(tokenizer(text, add_special_tokens=not chat)["input_ids"])


def model_context(model: str) -> int:
    from ..models.context import context_length
    from ..models.resolve import resolve_model

    return context_length(resolve_model(model).config) or 2048


def build_prompt(config: AppsPromptConfig, tokenizer: Any = None, context: int | None = None) -> PromptResult:
    """The exact prompt text for ``config`` and its token count under the model's tokenizer."""
    if tokenizer is None:
        from ..generation.chat_formats import tokenizer_for

        tokenizer = tokenizer_for(config.model)
    limit = config.max_length or context or model_context(config.model)
    shots = draw_shots(config.data, config.shots, config.seed)
    text = assemble(config, shots, tokenizer)
    tokens = count(tokenizer, text, config.chat_template)
    notices: list[Notice] = []
    first = tokens
    kept = list(shots)
    while tokens > limit and kept:
        kept.pop()
        text = assemble(config, kept, tokenizer)
        tokens = count(tokenizer, text, config.chat_template)
    if tokens > limit:
        raise DojoError.keyed("apps.too_long", tokens=tokens, over=tokens - limit, context=limit)
    if len(kept) < len(shots):
        notices.append(Notice("apps.shots_dropped", {"over": first - limit, "context": limit,
                                                     "dropped": len(shots) - len(kept), "shots": len(shots)}))
    parts = [{"element": element, "text": block, "tokens": len(tokenizer(block, add_special_tokens=False)["input_ids"])}
             for element, block in blocks(config, kept)]
    return PromptResult(text=text, tokens=tokens, context=limit, shots_asked=config.shots, shots=kept, parts=parts,
                        chat_template=config.chat_template, cot=config.cot, model=config.model,
                        notices=tuple(notices))
