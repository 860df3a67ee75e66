"""The four tasks: each reads an :class:`~engine.evaluation.data.EvalSet` with one loaded
model and returns an :class:`~engine.evaluation.results.EvalResult` (torch inside).

* **perplexity**: every token of every text predicted once (rolling windows of the
  model's context), ``exp(total NLL / total tokens)``: token-weighted, so a long text
  counts more than a short one. Word and byte perplexity and bits per byte divide the
  same NLL by words and UTF-8 bytes instead, which compares models with different
  tokenizers (lm-evaluation-harness reports the same three).
* **multiple_choice**: the log-likelihood of each choice after the question.
  ``acc`` picks the largest sum, ``acc_norm`` the largest sum per character of the
  choice (so long answers are not punished for having more tokens), ``acc_letter``
  lists the choices as A/B/C/D and scores the letters instead.
* **classification**: label words scored the same way after the sentiment prompt
  (a fine-tuned model's task card gives its template and label words); accuracy and
  macro F1 through the shipped ``evaluate`` modules, and the confusion matrix.
* **generation**: a greedy answer per prompt, cut at the first new line, against the
  reference: exact match, BLEU, ROUGE-L and chrF through the shipped modules.

Few-shot examples come from the other items of the set (a fixed seed per item), and
``chat_template`` wraps each prompt as a user turn in the model's template.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import DojoError
from ..messages import Notice
from .cache import active as active_cache
from .config import EvalConfig
from .data import EvalSet
from .results import EvalResult, MetricValue, bootstrap_stderr
from .scoring import Score, encode_pair, loglikelihoods, rolling_windows

Progress = Callable[[int, int], Any]
LETTERS = "ABCDEFGHIJ"


def max_length_of(model: Any, tokenizer: Any, config: EvalConfig) -> int:
    from ..models.context import context_length

    return config.max_length or context_length(model, tokenizer) or 2048


def run_task(model: Any, tokenizer: Any, es: EvalSet, config: EvalConfig, *, card: Any = None,
             on_progress: Progress | None = None, cancel: threading.Event | None = None) -> EvalResult:
    """Score ``es`` with ``model``; ``model``/``adapter`` names are filled in by the caller."""
    start = time.perf_counter()
    run = {"perplexity": _perplexity, "multiple_choice": _multiple_choice, "classification": _classification,
           "generation": _generation}[config.task]
    fields = run(model, tokenizer, es, config, card, on_progress or (lambda done, total: None), cancel)
    notices = list(fields.pop("notices", []))
    if fields.get("truncated"):
        notices.append(Notice("eval.truncated", {"n": fields["truncated"], "total": len(es),
                                                 "context": max_length_of(model, tokenizer, config)}))
    return EvalResult(task=config.task, data=es.source, model="", adapter=None, n_shot=config.n_shot,
                      chat_template=config.chat_template, seconds=time.perf_counter() - start,
                      notices=tuple(notices), **fields)


# -- prompts ---------------------------------------------------------------------------
def wrap_chat(tokenizer: Any, prompt: str) -> str:
    """``prompt`` as a user turn in the model's chat template, ready for the answer."""
    if not getattr(tokenizer, "chat_template", None):
        raise DojoError("this model's tokenizer has no chat template: evaluate it with --no-chat-template "
                        "(base models are evaluated on plain prompts)")
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                         add_generation_prompt=True)


def _shots(es: EvalSet, k: int, config: EvalConfig) -> list[int]:
    """Indices of ``config.n_shot`` other items, the same for the same seed and item."""
    if config.n_shot == 0:
        return []
    others = [j for j in range(len(es.items)) if j != k]
    if len(others) < config.n_shot:
        raise DojoError(f"--n-shot {config.n_shot} needs more items than the {len(es.items)} in the set")
    return random.Random(f"{config.seed}:{es.items[k].get('id', k)}").sample(others, config.n_shot)


def _with_shots(context: str, shots: list[str], tokenizer: Any, config: EvalConfig) -> str:
    body = "\n\n".join(shots + [context])
    return wrap_chat(tokenizer, body) if config.chat_template else body


def _encode(tokenizer: Any, context: str, continuation: str, chat: bool) -> tuple[list[int], list[int]]:
    if not chat:
        return encode_pair(tokenizer, context, continuation)
    # the template wrote the special tokens as text already: encode without adding them again
    ctx = list(tokenizer(context, add_special_tokens=False)["input_ids"])
    whole = list(tokenizer(context + continuation, add_special_tokens=False)["input_ids"])
    return ctx, whole[len(ctx):]


def _score(model: Any, tokenizer: Any, requests: list[tuple[str, str]], config: EvalConfig, progress: Progress,
           cancel: threading.Event | None, what: list[str]) -> list[Score]:
    encoded = []
    for (ctx, cont), name in zip(requests, what):
        pair = _encode(tokenizer, ctx, cont, config.chat_template)
        if not pair[1]:
            raise DojoError(f"{name}: the text {cont.strip()!r} tokenizes to nothing, so it has no "
                            "likelihood to compare; give it visible text")
        encoded.append(pair)
    total, done = len(encoded), [0]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    def step(n: int) -> None:
        done[0] += n
        progress(done[0], total)

    return loglikelihoods(model, encoded, batch_size=config.batch_size,
                          max_length=max_length_of(model, tokenizer, config), pad_id=pad, on_batch=step,
                          cancel=cancel)


def _mean_metric(name: str, per_item: list[float], config: EvalConfig) -> MetricValue:
    n = len(per_item)
    stderr = bootstrap_stderr(lambda idx: sum(per_item[i] for i in idx) / len(idx), n, config.bootstrap,
                              config.seed)
    return MetricValue(name, sum(per_item) / n, stderr, n)


# -- perplexity ------------------------------------------------------------------------
def _perplexity(model, tokenizer, es, config, card, progress, cancel) -> dict[str, Any]:
    max_length = max_length_of(model, tokenizer, config)
    prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    if prefix is None:
        raise DojoError("the tokenizer has neither a BOS nor an EOS token to start the first window with")
    requests, owner = [], []
    for k, item in enumerate(es.items):
        ids = list(tokenizer(item["text"], add_special_tokens=False)["input_ids"])
        if not ids:
            raise DojoError(f"{item.get('where', item['id'])}: the text tokenizes to nothing")
        for window in rolling_windows(ids, prefix, max_length):
            requests.append(window)
            owner.append(k)
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        progress(done[0], len(requests))

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    scores = loglikelihoods(model, requests, batch_size=config.batch_size, max_length=max_length, pad_id=pad,
                            on_batch=step, cancel=cancel)
    nll = [0.0] * len(es.items)
    tokens = [0] * len(es.items)
    for k, s in zip(owner, scores):
        nll[k] -= s.logprob
        tokens[k] += s.tokens
    words = [max(1, len(item["text"].split())) for item in es.items]
    nbytes = [len(item["text"].encode("utf-8")) for item in es.items]

    def ratio(per: list[int], fn: Callable[[float], float]) -> Callable[[Any], float]:
        return lambda idx: fn(sum(nll[i] for i in idx) / sum(per[i] for i in idx))

    n = len(es.items)
    metrics = []
    for name, per, fn in (("perplexity", tokens, math.exp), ("word_perplexity", words, math.exp),
                          ("byte_perplexity", nbytes, math.exp), ("bits_per_byte", nbytes, lambda x: x / math.log(2))):
        value = ratio(per, fn)(range(n))
        metrics.append(MetricValue(name, value, bootstrap_stderr(ratio(per, fn), n, config.bootstrap, config.seed), n))
    items = tuple({"id": it["id"], "text": it["text"][:200], "tokens": tokens[k], "nll": nll[k],
                   "perplexity": math.exp(nll[k] / tokens[k])} for k, it in enumerate(es.items))
    return {"metrics": tuple(metrics), "items": items,
            "extra": {"tokens": sum(tokens), "words": sum(words), "bytes": sum(nbytes), "nll": sum(nll),
                      "max_length": max_length}}


# -- multiple choice -------------------------------------------------------------------
def mc_context(item: dict[str, Any], letters: bool = False) -> str:
    """The question as the model reads it (``Question: ...\\nAnswer:``, Korean labels for Korean items)."""
    q_label, a_label = ("질문", "답") if item.get("lang") == "ko" else ("Question", "Answer")
    body = item.get("prompt") or f"{q_label}: {item['question']}"
    if letters:
        body += "".join(f"\n{LETTERS[i]}. {c}" for i, c in enumerate(item["choices"]))
    return body if item.get("prompt") and not letters else f"{body}\n{a_label}:"


def _multiple_choice(model, tokenizer, es, config, card, progress, cancel) -> dict[str, Any]:
    for item in es.items:
        if len(item["choices"]) > len(LETTERS):
            raise DojoError(f"{item.get('where', item['id'])}: more than {len(LETTERS)} choices")
    requests, what, spans = [], [], []
    for k, item in enumerate(es.items):
        shots = _shots(es, k, config)
        plain = _with_shots(mc_context(item), [mc_context(es.items[j]) + " " + es.items[j]["choices"][es.items[j]["answer"]]
                                               for j in shots], tokenizer, config)
        letter = _with_shots(mc_context(item, True),
                             [mc_context(es.items[j], True) + " " + LETTERS[es.items[j]["answer"]] for j in shots],
                             tokenizer, config)
        begin = len(requests)
        where = item.get("where", item["id"])
        for i, choice in enumerate(item["choices"]):
            requests.append((plain, " " + choice))
            what.append(f"{where} choice {i}")
        for i in range(len(item["choices"])):
            requests.append((letter, " " + LETTERS[i]))
            what.append(f"{where} letter {LETTERS[i]}")
        spans.append(begin)
    scores = _score(model, tokenizer, requests, config, progress, cancel, what)
    acc, acc_norm, acc_letter, items, truncated = [], [], [], [], 0
    for item, begin in zip(es.items, spans):
        m = len(item["choices"])
        plain, letter = scores[begin : begin + m], scores[begin + m : begin + 2 * m]
        lls = [s.logprob for s in plain]
        norm = [s.logprob / len(c) for s, c in zip(plain, item["choices"])]
        pred = max(range(m), key=lls.__getitem__)
        pred_norm = max(range(m), key=norm.__getitem__)
        pred_letter = max(range(m), key=lambda i: letter[i].logprob)
        gold = item["answer"]
        acc.append(float(pred == gold))
        acc_norm.append(float(pred_norm == gold))
        acc_letter.append(float(pred_letter == gold))
        truncated += any(s.truncated for s in plain + letter)
        items.append({"id": item["id"], "question": item.get("question") or item.get("prompt"), "gold": gold,
                      "pred": pred, "pred_norm": pred_norm, "pred_letter": pred_letter,
                      "choices": [{"text": c, "loglikelihood": s.logprob, "per_char": s.logprob / len(c),
                                   "tokens": s.tokens, "greedy": s.greedy, "letter_loglikelihood": ls.logprob}
                                  for c, s, ls in zip(item["choices"], plain, letter)]})
    metrics = (_mean_metric("acc", acc, config), _mean_metric("acc_norm", acc_norm, config),
               _mean_metric("acc_letter", acc_letter, config))
    chance = sum(1 / len(it["choices"]) for it in es.items) / len(es.items)
    return {"metrics": metrics, "items": tuple(items), "truncated": truncated, "extra": {"chance": chance}}


# -- classification --------------------------------------------------------------------
def _classification(model, tokenizer, es, config, card, progress, cancel) -> dict[str, Any]:
    from ..training.sft import sentiment_prompt
    from . import metrics as shipped

    notices = []
    if card is not None and getattr(card, "labels", ()):
        labels, template = tuple(card.labels), card.prompt_for
        missing = sorted({it["label"] for it in es.items} - set(labels))
        if missing:
            raise DojoError(f"the set has labels {', '.join(missing)} that the model was not trained with "
                            f"({', '.join(labels)}); evaluate it on data with those labels")
    else:
        labels, template = es.labels, sentiment_prompt
        notices.append(Notice("eval.no_labels_in_card", {"labels": ", ".join(labels)}))
    requests, what = [], []
    for k, item in enumerate(es.items):
        shots = [template(es.items[j]["text"]) + " " + es.items[j]["label"] for j in _shots(es, k, config)]
        context = _with_shots(template(item["text"]), shots, tokenizer, config)
        where = item.get("where", item["id"])
        for label in labels:
            requests.append((context, " " + label))
            what.append(f"{where} label {label!r}")
    scores = _score(model, tokenizer, requests, config, progress, cancel, what)
    m = len(labels)
    preds, refs, items, truncated = [], [], [], 0
    for k, item in enumerate(es.items):
        row = scores[k * m : (k + 1) * m]
        pred = labels[max(range(m), key=lambda i: row[i].logprob)]
        preds.append(pred)
        refs.append(item["label"])
        truncated += any(s.truncated for s in row)
        items.append({"id": item["id"], "text": item["text"], "gold": item["label"], "pred": pred,
                      "scores": {label: s.logprob for label, s in zip(labels, row)}})
    accuracy = shipped.load("accuracy").compute(predictions=preds, references=refs)["accuracy"]
    f1 = shipped.load("f1").compute(predictions=preds, references=refs, labels=list(labels))
    from sklearn.metrics import f1_score

    n = len(preds)
    acc_err = bootstrap_stderr(lambda idx: sum(preds[i] == refs[i] for i in idx) / len(idx), n, config.bootstrap,
                               config.seed)
    f1_err = bootstrap_stderr(lambda idx: f1_score([refs[i] for i in idx], [preds[i] for i in idx],
                                                   labels=list(labels), average="macro", zero_division=0),
                              n, config.bootstrap, config.seed)
    metrics = (MetricValue("accuracy", accuracy, acc_err, n), MetricValue("f1_macro", f1["f1"], f1_err, n))
    return {"metrics": metrics, "items": tuple(items), "truncated": truncated, "notices": notices,
            "extra": {"labels": list(labels), "confusion_matrix": f1["confusion_matrix"]}}


# -- generation ------------------------------------------------------------------------
def _generation(model, tokenizer, es, config, card, progress, cancel) -> dict[str, Any]:
    import torch

    from . import metrics as shipped

    max_length = max_length_of(model, tokenizer, config)
    room = max_length - config.max_new_tokens
    if room < 1:
        raise DojoError(f"--max-new-tokens {config.max_new_tokens} leaves no room for the prompt in "
                        f"{max_length} tokens")
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    preds, refs, items, truncated = [], [], [], 0
    cache = active_cache()  # an evaluation run keeps each answer, so a resumed run skips it
    for k, item in enumerate(es.items):
        if cancel is not None and cancel.is_set():
            raise DojoError.keyed("eval.cancelled", done=k, total=len(es.items))
        shots = [es.items[j]["prompt"] + " " + es.items[j]["answers"][0] for j in _shots(es, k, config)]
        context = _with_shots(item["prompt"], shots, tokenizer, config)
        ids = list(tokenizer(context, add_special_tokens=not config.chat_template)["input_ids"])
        if len(ids) > room:
            ids, cut = ids[-room:], True
        else:
            cut = False
        truncated += cut
        key = cache.key("gen", ids, config.max_new_tokens) if cache is not None else ""
        text = cache.get(key) if cache is not None else None
        if text is None:
            with torch.inference_mode():
                out = model.generate(input_ids=torch.tensor([ids], device=device),
                                     attention_mask=torch.ones(1, len(ids), dtype=torch.long, device=device),
                                     max_new_tokens=config.max_new_tokens, do_sample=False, pad_token_id=pad,
                                     stop_strings=["\n"], tokenizer=tokenizer)  # the answer is the first line
            text = tokenizer.decode(out[0, len(ids):], skip_special_tokens=True)
            if cache is not None:
                cache.put(key, text)
                cache.flush()
        answer = text.strip().split("\n")[0].strip()
        preds.append(answer)
        refs.append(item["answers"])
        items.append({"id": item["id"], "prompt": item["prompt"], "answers": item["answers"], "pred": answer,
                      "truncated": cut})
        progress(k + 1, len(es.items))
    em = shipped.load("exact_match").compute(predictions=preds, references=refs)
    bleu = shipped.load("bleu").compute(predictions=preds, references=refs)
    rouge = shipped.load("rouge").compute(predictions=preds, references=refs)
    chrf = shipped.load("chrf").compute(predictions=preds, references=refs)
    for row, match, rl in zip(items, em["matches"], rouge["per_item"]):
        row["exact_match"], row["rougeL"] = match, rl
    import sacrebleu

    def corpus(fn: Callable[..., Any]) -> Callable[[Any], float]:
        def score(idx: Any) -> float:
            sub_refs = [refs[i] for i in idx]
            width = max(len(r) for r in sub_refs)
            streams = [list(s) for s in zip(*[list(r) + [r[0]] * (width - len(r)) for r in sub_refs])]
            return fn([preds[i] for i in idx], streams).score
        return score

    n, b, seed = len(preds), config.bootstrap, config.seed
    matches, per_rouge = [float(x) for x in em["matches"]], rouge["per_item"]
    metrics = (MetricValue("exact_match", em["exact_match"],
                           bootstrap_stderr(lambda idx: sum(matches[i] for i in idx) / len(idx), n, b, seed), n),
               MetricValue("bleu", bleu["bleu"], bootstrap_stderr(corpus(sacrebleu.corpus_bleu), n, b, seed), n),
               MetricValue("rougeL", rouge["rougeL"],
                           bootstrap_stderr(lambda idx: sum(per_rouge[i] for i in idx) / len(idx), n, b, seed), n),
               MetricValue("chrf", chrf["chrf"], bootstrap_stderr(corpus(sacrebleu.corpus_chrf), n, b, seed), n))
    return {"metrics": metrics, "items": tuple(items), "truncated": truncated,
            "extra": {"bleu_signature": bleu["signature"]}}
