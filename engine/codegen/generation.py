"""The generation lab as plain transformers: load, (apply the chat template,) ``model.generate``."""

from __future__ import annotations

from ..generation.params import SamplingParams
from .snippet import Snippet


def model_path(name: str) -> str:
    """Where ``name`` lives on this machine (an embedded model's folder, an imported model's,
    a run's output, a cached hub model's snapshot), so the snippet loads exactly that; a
    name that resolves nowhere is kept (``from_pretrained`` then downloads it)."""
    from ..errors import DojoError
    from ..models.resolve import resolve_model

    try:
        return str(resolve_model(name).path)
    except DojoError:
        return name


def prompt_lines(prompt: str, *, chat: bool = False, system: str | None = None, rendered: str | None = None,
                 device: str = "cpu") -> list[str]:
    """The lines that turn the lab's prompt into ``input_ids``, as ``encode_prompt`` does: the text
    with the tokenizer's own special tokens, or a conversation through the chat template (or the
    exact text of a built-in chat format)."""
    if rendered is not None:
        lines = [f"text = {rendered!r}  # the conversation in the chosen chat format",
                 "input_ids = tokenizer(text, add_special_tokens=False, return_tensors='pt').input_ids"]
    elif chat or system:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        lines = [f"messages = {messages!r}",
                 "# the model's own chat template writes the special tokens (BOS included) as text",
                 "text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)",
                 "input_ids = tokenizer(text, add_special_tokens=False, return_tensors='pt').input_ids"]
    else:
        lines = [f"prompt = {prompt!r}", "input_ids = tokenizer(prompt, return_tensors='pt').input_ids"]
    return lines + [f"input_ids = input_ids.to({device!r})"]


def generation_snippet(model: str, prompt: str, params: SamplingParams, *, chat: bool = False,
                       system: str | None = None, adapter: str | None = None, device: str = "cpu",
                       dtype: str = "float32", rendered: str | None = None) -> Snippet:
    """``rendered``: the exact chat text when a built-in format (not the model's template) was used."""
    params, _ = params.resolve()
    kwargs = params.generate_kwargs()
    lines = ["import torch", "from transformers import AutoModelForCausalLM, AutoTokenizer" +
             (", set_seed" if params.seed is not None and params.do_sample else "")]
    if adapter:
        lines.append("from peft import PeftModel")
    lines += ["", "", f"MODEL = {model_path(model)!r}"]
    if adapter:
        lines.append(f"ADAPTER = {adapter!r}")
    lines += ["tokenizer = AutoTokenizer.from_pretrained(MODEL)",
              f"model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.{dtype}).to({device!r})"]
    if adapter:
        lines.append("model = PeftModel.from_pretrained(model, ADAPTER)  # the LoRA adapter on its base")
    lines += ["model.eval()", "", ""]
    lines += prompt_lines(prompt, chat=chat, system=system, rendered=rendered, device=device)
    if params.seed is not None and params.do_sample:
        lines.append(f"set_seed({params.seed})  # the same seed gives the same sample")
    args = ",\n        ".join(f"{k}={v!r}" for k, v in kwargs.items())
    lines += ["pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id",
              "with torch.inference_mode():",
              "    output = model.generate(",
              "        input_ids=input_ids, attention_mask=torch.ones_like(input_ids), pad_token_id=pad,",
              f"        {args}," + ("\n        tokenizer=tokenizer,  # stop_strings need it" if params.stop else ""),
              "    )",
              "new_tokens = output[0, input_ids.shape[1]:]",
              "print(tokenizer.decode(new_tokens, skip_special_tokens=True))"]
    libs = ("torch", "transformers") + (("peft",) if adapter else ())
    what = "chat reply" if (chat or system or rendered) else "continuation"
    return Snippet(f"Generate a {what} with {model} ({params.mode})", "\n".join(lines), libs)


def next_token_stages_snippet(model: str, prompt: str, params: SamplingParams, *, show: int = 10,
                              chat: bool = False, system: str | None = None, rendered: str | None = None) -> Snippet:
    """``llm-dojo next-token``: one forward pass, then the logits processors ``generate`` applies
    when it samples (repetition penalty, temperature, top-k, top-p, in its order), each stage's
    probabilities for the most likely tokens."""
    from ..generation.pipeline import sampling_processors

    temperature = params.temperature if params.do_sample else 0.0
    greedy = temperature == 0
    top_k, top_p = (0, 1.0) if greedy else (params.top_k, params.top_p)
    acting = sampling_processors(1.0 if greedy else temperature, top_k, top_p, params.repetition_penalty,
                                 params.no_repeat_ngram_size)
    made = {"RepetitionPenaltyLogitsProcessor": f"RepetitionPenaltyLogitsProcessor({float(params.repetition_penalty)!r})",
            "NoRepeatNGramLogitsProcessor": f"NoRepeatNGramLogitsProcessor({params.no_repeat_ngram_size})",
            "TemperatureLogitsWarper": f"TemperatureLogitsWarper({float(temperature)!r})",
            "TopKLogitsWarper": f"TopKLogitsWarper(top_k={int(top_k)}, min_tokens_to_keep=1)",
            "TopPLogitsWarper": f"TopPLogitsWarper(top_p={float(top_p)!r}, min_tokens_to_keep=1)"}
    classes = sorted({type(proc).__name__ for _, proc in acting})
    lines = ["import json", "", "import torch", "from transformers import AutoModelForCausalLM, AutoTokenizer"]
    if classes:
        lines.append(f"from transformers import {', '.join(classes)}")
    lines += ["", "", f"MODEL = {model_path(model)!r}", f"SHOW = {show}",
              "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
              "model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)", "model.eval()", "", ""]
    lines += prompt_lines(prompt, chat=chat, system=system, rendered=rendered)
    lines += ["with torch.inference_mode():",
              "    logits = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids)).logits[:, -1, :].float()",
              "", "",
              "# what generate() does to the scores before it " + ("picks the most likely token" if greedy else "samples") +
              ", in its order",
              "processors = ["]
    lines += [f"    ({name!r}, {made[type(proc).__name__]})," for name, proc in acting]
    lines += ["]",
              "named = {}",
              "scores = logits",
              "for name, processor in processors:",
              "    scores = processor(input_ids, scores)  # a cut token's score becomes -inf",
              "    named[name] = scores",
              "raw = named.get('penalty', logits)[0]",
              "p_raw = torch.softmax(raw, -1)",
              "order = torch.topk(p_raw, min(SHOW, p_raw.shape[-1])).indices  # the rows: the most likely tokens",
              "",
              "",
              "def stage(name, probs, keep, reference=None):",
              "    mass = 1.0 if reference is None else min(float((reference * keep).sum()), 1.0)",
              "    return {'name': name, 'kept': int(keep.sum()), 'mass': mass, 'probs': probs[order].tolist()}",
              "",
              "",
              "stages = [stage('raw', torch.softmax(logits[0], -1), torch.isfinite(logits[0]))]",
              "if 'penalty' in named:",
              "    stages.append(stage('penalty', p_raw, torch.isfinite(raw)))"]
    if greedy:
        lines += ["final = torch.zeros_like(p_raw)",
                  "final[int(torch.argmax(raw))] = 1.0  # greedy: all the probability on the most likely token",
                  "stages.append(stage('final', final, final > 0, p_raw))"]
    else:
        lines += ["warm = named.get('temperature', raw[None])[0]",
                  "p_warm = torch.softmax(warm, -1)  # probabilities after the temperature",
                  "keep = torch.isfinite(warm)",
                  "stages.append(stage('temperature', p_warm, keep, p_warm))",
                  "for name in ('top-k', 'top-p'):",
                  "    if name in named:",
                  "        keep = keep & torch.isfinite(named[name][0])",
                  "    stages.append(stage(name, p_warm * keep, keep, p_warm))  # cut tokens drop to 0",
                  "final = scores[0]",
                  "stages.append(stage('final', torch.softmax(final, -1), torch.isfinite(final), p_warm))"]
    lines += ["tokens = [{'id': i, 'text': tokenizer.decode([i]), 'prob': float(p_raw[i])} for i in order.tolist()]",
              "print(json.dumps({'prompt_tokens': input_ids.shape[1], 'vocab_size': logits.shape[-1],",
              "                  'tokens': tokens, 'stages': stages}, ensure_ascii=False, indent=1))"]
    return Snippet(f"The next-token distribution after each sampling stage with {model}", "\n".join(lines),
                   ("torch", "transformers"))
