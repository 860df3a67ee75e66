"""The language-model lab as plain transformers + torch: the next-token table, a sentence's
surprise and perplexity, fill-mask beside a causal model.

Each builder takes the lab's own config (:class:`~engine.lm.config.LmNextTokenConfig`,
:class:`~engine.lm.config.LmScoreConfig`, :class:`~engine.lm.config.LmFillMaskConfig`) and
returns a :class:`Snippet` whose file prints its result as JSON (unrounded), so a test can
compare it with ``engine.lm.api``.
"""

from __future__ import annotations

from ..lm.config import LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig
from .generation import model_path
from .snippet import Snippet

LIBS = ("torch", "transformers")


def context_of(name: str) -> int | None:
    """The most tokens model ``name`` reads, from its ``config.json`` (no weights load); None: unknown."""
    from ..errors import DojoError
    from ..models.context import context_length
    from ..models.resolve import resolve_model

    try:
        return context_length(resolve_model(name).config)
    except (DojoError, OSError, ValueError):
        return None


def _causal_head(name: str, device: str, dtype: str, var: str = "MODEL") -> list[str]:
    return [f"{var} = {model_path(name)!r}  # {name}",
            f"tokenizer = AutoTokenizer.from_pretrained({var})",
            f"model = AutoModelForCausalLM.from_pretrained({var}, dtype=torch.{dtype}).to({device!r})",
            "model.eval()",
            f"CONTEXT = {context_of(name)!r}  # the most tokens the model reads (its max_position_embeddings)"]


def next_token_snippet(config: LmNextTokenConfig, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """The raw next-token distribution after the prompt: softmax of the last position's logits."""
    lines = ["import json", "import math", "", "import torch",
             "from transformers import AutoModelForCausalLM, AutoTokenizer", "", "", *_causal_head(config.model, device, dtype),
             f"prompt = {config.text!r}",
             f"TOP = {config.top}", "", "",
             "input_ids = tokenizer(prompt, return_tensors='pt').input_ids.to(model.device)  # BOS added as the model expects",
             "if CONTEXT is not None and input_ids.shape[1] >= CONTEXT:",
             "    input_ids = input_ids[:, -(CONTEXT - 1):]  # too long: keep the end, the part next to the next token",
             "with torch.inference_mode():",
             "    logits = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), use_cache=False).logits",
             "    # the last position's logits score every token of the vocabulary as the next one",
             "    logp = torch.log_softmax(logits[0, -1].float(), dim=-1)",
             "    probs = logp.exp()",
             "    entropy = -torch.special.xlogy(probs, probs).sum()  # in nats; exp(entropy) is its perplexity",
             "    head = torch.topk(logp, TOP)",
             "rows = [{'rank': r + 1, 'id': i, 'token': tokenizer.decode([i]), 'prob': math.exp(lp),",
             "         'logprob': lp} for r, (i, lp) in enumerate(zip(head.indices.tolist(), head.values.tolist()))]",
             "print(json.dumps({'prompt_tokens': input_ids.shape[1], 'vocab_size': logp.shape[-1],",
             "                  'total_prob': float(probs.sum()), 'entropy': float(entropy), 'rows': rows},",
             "                 ensure_ascii=False, indent=1))"]
    return Snippet(f"Next-token probabilities after a prompt with {config.model} (top {config.top})",
                   "\n".join(lines), LIBS)


def score_snippet(config: LmScoreConfig, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """Every token's log-probability given the tokens before it, the total NLL and the perplexity."""
    lines = ["import json", "import math", "", "import torch",
             "from transformers import AutoModelForCausalLM, AutoTokenizer", "", "",
             *_causal_head(config.model, device, dtype),
             f"text = {config.text!r}", "", "",
             "ids = tokenizer(text).input_ids",
             "bos = tokenizer.bos_token_id",
             "if bos is not None and (not ids or ids[0] != bos):",
             "    ids = [bos] + ids  # so the first word is predicted too, from the start of a text",
             "if CONTEXT is not None:",
             "    ids = ids[:CONTEXT]  # too long: the model reads only the first CONTEXT tokens",
             "x = torch.tensor([ids], device=model.device)",
             "with torch.inference_mode():",
             "    logits = model(input_ids=x, attention_mask=torch.ones_like(x), use_cache=False).logits[0, :-1].float()",
             "    logp = torch.log_softmax(logits, dim=-1)  # row t: the distribution of the token at t + 1",
             "    target = x[0, 1:]",
             "    token_logp = logp.gather(1, target[:, None])[:, 0]  # log p(token | every token before it)",
             "    ranks = (logp > token_logp[:, None]).sum(dim=1) + 1  # 1: it was the model's favourite",
             "    top_logp, top_id = logp.max(dim=1)",
             "tokens = []",
             "for t, lp, rank, ti, tlp in zip(target.tolist(), token_logp.tolist(), ranks.tolist(), top_id.tolist(),",
             "                                top_logp.tolist()):",
             "    tokens.append({'id': t, 'token': tokenizer.decode([t]), 'prob': math.exp(lp), 'logprob': lp,",
             "                   'surprise': -lp, 'rank': rank, 'top': {'id': ti, 'token': tokenizer.decode([ti]),",
             "                                                          'prob': math.exp(tlp)}})",
             "total_nll = -sum(t['logprob'] for t in tokens)  # negative log-likelihood of the sentence (nats)",
             "mean_nll = total_nll / len(tokens)",
             "print(json.dumps({'scored_tokens': len(tokens), 'total_nll': total_nll, 'mean_nll': mean_nll,",
             "                  'perplexity': math.exp(mean_nll), 'tokens': tokens}, ensure_ascii=False, indent=1))"]
    return Snippet(f"Surprise per token and perplexity of a sentence with {config.model}", "\n".join(lines), LIBS)


def fill_mask_snippet(config: LmFillMaskConfig, *, device: str = "cpu", dtype: str = "float32") -> Snippet:
    """Top candidates per mask from the masked model; beside them, with ``causal_model``, the causal
    model's next token after the text left of each mask (earlier masks filled with their best guess)."""
    causal = config.causal_model.strip()
    imports = "AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer" if causal else \
        "AutoModelForMaskedLM, AutoTokenizer"
    lines = ["import json", "import math", "", "import torch", f"from transformers import {imports}", "", "",
             f"MASKED = {model_path(config.model)!r}  # {config.model}",
             "tokenizer = AutoTokenizer.from_pretrained(MASKED)",
             f"model = AutoModelForMaskedLM.from_pretrained(MASKED, dtype=torch.{dtype}).to({device!r})",
             "model.eval()",
             f"CONTEXT = {context_of(config.model)!r}  # the most tokens the model reads",
             f"text = {config.text!r}",
             f"TOP = {config.top}", "", "",
             "def top_candidates(logp, text_of):",
             "    head = torch.topk(logp, TOP)",
             "    return [{'id': i, 'token': text_of(i), 'prob': math.exp(lp),",
             "             'logprob': lp} for i, lp in zip(head.indices.tolist(), head.values.tolist())]",
             "", "",
             "ids = tokenizer(text).input_ids",
             "if CONTEXT is not None and len(ids) > CONTEXT:  # too long: cut, and end with the separator again",
             "    sep = tokenizer.sep_token_id",
             "    ids = ids[:CONTEXT - 1] + [sep] if sep is not None else ids[:CONTEXT]",
             "input_ids = torch.tensor([ids], device=model.device)",
             "positions = (input_ids[0] == tokenizer.mask_token_id).nonzero()[:, 0].tolist()",
             "with torch.inference_mode():  # one pass: every mask is read with the words on both sides",
             "    logits = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids)).logits[0].float()",
             "masks = [{'mask': k + 1, 'position': p,",
             "          'candidates': top_candidates(torch.log_softmax(logits[p], -1), tokenizer.convert_ids_to_tokens)}",
             "         for k, p in enumerate(positions)]"]
    if causal:
        lines += ["", "",
                  "# beside it, a causal model reads only the text left of each mask",
                  f"CAUSAL = {model_path(causal)!r}  # {causal}",
                  "causal_tok = AutoTokenizer.from_pretrained(CAUSAL)",
                  f"causal = AutoModelForCausalLM.from_pretrained(CAUSAL, dtype=torch.{dtype}).to({device!r})",
                  "causal.eval()",
                  f"CAUSAL_CONTEXT = {context_of(causal)!r}",
                  "pieces = text.split(tokenizer.mask_token)",
                  "for k, slot in enumerate(masks):",
                  "    left = pieces[0]",
                  "    for j in range(k):  # earlier masks filled with the masked model's best guess",
                  "        fill = masks[j]['candidates'][0]['token']",
                  "        left = (left.rstrip() if fill.startswith('##') else left) + fill.removeprefix('##') + pieces[j + 1]",
                  "    prompt = left.rstrip()",
                  "    if prompt.strip():",
                  "        prompt_ids = causal_tok(prompt).input_ids",
                  "        if CAUSAL_CONTEXT is not None and len(prompt_ids) >= CAUSAL_CONTEXT:",
                  "            prompt_ids = prompt_ids[-(CAUSAL_CONTEXT - 1):]  # keep the end, next to the mask",
                  "    elif causal_tok.bos_token_id is not None:",
                  "        prompt_ids = [causal_tok.bos_token_id]  # nothing to the left: only the start of a text",
                  "    else:",
                  "        prompt_ids = []",
                  "    slot['causal_prompt'], slot['causal'] = prompt, []",
                  "    if prompt_ids:",
                  "        x = torch.tensor([prompt_ids], device=causal.device)",
                  "        with torch.inference_mode():",
                  "            out = causal(input_ids=x, attention_mask=torch.ones_like(x), use_cache=False).logits[0, -1]",
                  "        slot['causal'] = top_candidates(torch.log_softmax(out.float(), -1),",
                  "                                        lambda i: causal_tok.decode([i]))"]
    lines += ["print(json.dumps({'tokens': tokenizer.convert_ids_to_tokens(ids), 'masks': masks},",
              "                 ensure_ascii=False, indent=1))"]
    beside = f" beside {causal}" if causal else ""
    return Snippet(f"Fill each mask with {config.model}{beside} (top {config.top})", "\n".join(lines), LIBS)
