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
    if rendered is not None:
        lines += [f"text = {rendered!r}  # the conversation in the chosen chat format",
                  "input_ids = tokenizer(text, add_special_tokens=False, return_tensors='pt').input_ids"]
    elif chat or system:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        lines += [f"messages = {messages!r}",
                  "# the model's own chat template writes the special tokens (BOS included) as text",
                  "text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)",
                  "input_ids = tokenizer(text, add_special_tokens=False, return_tensors='pt').input_ids"]
    else:
        lines += [f"prompt = {prompt!r}", "input_ids = tokenizer(prompt, return_tensors='pt').input_ids"]
    lines.append(f"input_ids = input_ids.to({device!r})")
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
