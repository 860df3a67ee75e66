"""The evaluation lab as plain transformers + evaluate: the items, the batched
log-likelihood scoring loop (or greedy answers), and the shipped metric modules loaded
by their local path (``evaluate.load(folder)`` works offline).

One snippet covers what one press of Evaluate did: every chosen set (one
:class:`~engine.evaluation.config.EvalConfig` each) for every candidate (a model, or the
base with a LoRA adapter through ``PeftModel``). It prints one JSON list: per set and
candidate, the metric values and each item's scores, in the engine's own field names,
so a test compares them with the lab's result. Bootstrap standard errors are left out
(they only resample these per-item numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..evaluation.config import EvalConfig
from .generation import model_path
from .snippet import Snippet

SENTIMENT = ("sentiment-ko", "sentiment-en")


# -- where the items come from ----------------------------------------------------------------
def sentiment_loader(names: Sequence[str]) -> list[str]:
    """Lines that define ``read_sentiment(name, split)`` for the built-in sentiment sets ``names``:
    the rows of one split as ``{"text", "label"}`` dicts, each file read by its local path."""
    from ..training.datasets import DATA_DIR

    lines: list[str] = []
    if "sentiment-en" in names:
        lines += ["from gensim.test.utils import datapath", ""]
    if "sentiment-ko" in names:
        lines += [f"SENTIMENT_KO = {str(DATA_DIR / 'sentiment_ko.jsonl')!r}  # LLM Dojo's Korean sentiment sentences", ""]
    lines += ["", "def read_sentiment(name, split):", '    """The rows of one split (train or test) of a sentiment set."""']
    if "sentiment-en" in names:
        lines += ["    if name == 'sentiment-en':  # Pang & Lee sentences inside gensim; every fifth line is held out",
                  "        lines = open(datapath('pang_lee_polarity.cor'), 'rb').read().decode('cp1252').splitlines()",
                  "        rows = []",
                  "        for n, line in enumerate(lines, 1):",
                  "            tag, _, text = line.strip().partition(' ')",
                  "            if (n % 5 == 0) == (split == 'test'):",
                  "                label = {'__label__pos': 'positive', '__label__neg': 'negative'}[tag]",
                  "                rows.append({'text': text.strip(), 'label': label})",
                  "        return rows"]
    if "sentiment-ko" in names:
        lines += ["    rows = [json.loads(line) for line in open(SENTIMENT_KO, encoding='utf-8-sig') if line.strip()]",
                  "    return [{'text': r['text'].strip(), 'label': str(r['label']).strip()} for r in rows",
                  "            if str(r['split']).lower() == split]"]
    return lines


def _canonical_file(task: str, path: Path) -> bool:
    """A JSONL file the snippet can read as is (no KMMLU columns, no ``.txt`` paragraphs)."""
    if path.suffix.lower() == ".txt":
        return task == "perplexity"
    if task != "multiple_choice":
        return True
    import json

    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError):
        return False
    return all(isinstance(r, dict) and "choices" in r for r in rows)


def items_code(config: EvalConfig, var: str) -> tuple[list[str], list[str]]:
    """(lines at the top of the file, lines that define ``var`` as the list of items) for ``config``'s set.

    Files are read by their local path; the pretraining corpus's held-out documents are
    built by LLM Dojo from several sources, so those (only the ``limit`` scored) are written out."""
    from ..evaluation.data import BUILTIN, DATA_DIR, load_set

    name, task, limit = config.data_name, config.task, config.limit
    cut = f"[:{limit}]" if limit else ""
    if name in SENTIMENT:
        return [], [f"{var} = [{{'id': f'{name}-{{i}}', **row}} for i, row in enumerate(read_sentiment({name!r}, 'test'), 1)]{cut}"]
    if name in ("course-mc", "course-qa"):
        path = DATA_DIR / {"course-mc": "eval_course_mc.jsonl", "course-qa": "eval_course_qa.jsonl"}[name]
    elif name not in BUILTIN and Path(name).expanduser().is_file() and _canonical_file(task, Path(name).expanduser()):
        path = Path(name).expanduser().resolve()
    else:
        es = load_set(task, name, limit)
        keep = {"perplexity": ("id", "text"), "multiple_choice": ("id", "lang", "question", "prompt", "choices", "answer"),
                "generation": ("id", "lang", "prompt", "answers"), "classification": ("id", "text", "label")}[task]
        rows = [{k: it[k] for k in keep if k in it} for it in es.items]
        body = ",\n    ".join(repr(r) for r in rows)
        return [], [f"# {es.source}: built by LLM Dojo from its corpus, so the {len(rows)} items are written out here",
                    f"{var} = [\n    {body},\n]"]
    file_var = f"{var.upper()}_FILE"
    top = [f"{file_var} = {str(path)!r}"]
    if path.suffix.lower() == ".txt":
        return top, [f"paragraphs = [p.strip() for p in open({file_var}, encoding='utf-8').read().split('\\n\\n') if p.strip()]",
                     f"{var} = [{{'id': f'{path.stem}-{{i}}', 'text': p}} for i, p in enumerate(paragraphs, 1)]{cut}"]
    lines = [f"rows = [json.loads(line) for line in open({file_var}, encoding='utf-8') if line.strip()]",
             f"{var} = [{{**row, 'id': str(row.get('id', f'{path.stem}-{{i}}'))}} for i, row in enumerate(rows, 1)]{cut}"]
    if task == "multiple_choice":
        lines.append(f"for item in {var}:  # a letter answer ('B') is the index of that choice")
        lines.append("    if isinstance(item['answer'], str):")
        lines.append("        item['answer'] = 'ABCDEFGHIJ'.index(item['answer'].strip().upper())")
    elif task == "generation":
        lines.append(f"for item in {var}:  # one accepted answer or a list of them")
        lines.append("    answers = item['answer'] if isinstance(item['answer'], list) else [item['answer']]")
        lines.append("    item['answers'] = [a.strip() for a in answers]")
    elif task == "classification":
        lines.append(f"for item in {var}:")
        lines.append("    item['label'] = str(item['label']).strip()")
    return top, lines


def _labels_of(config: EvalConfig) -> list[str]:
    """The label words of a classification set (the training split's, as the engine reads them)."""
    from ..evaluation.data import load_set

    return list(load_set("classification", config.data_name, config.limit).labels)


# -- the candidates ---------------------------------------------------------------------------
def _candidate(model: str, adapter: str | None) -> dict[str, Any]:
    from ..evaluation.api import run_output
    from ..models.context import context_length
    from ..models.resolve import resolve_model
    from ..training.task_card import read_card

    path = model_path(run_output(model))
    try:
        resolved = resolve_model(run_output(model))
        context = context_length(resolved.config)
        card = read_card(resolved.path)
    except DojoError:
        context, card = None, None
    adapter_dir = None
    if adapter:
        adapter_dir = str(Path(run_output(adapter)).expanduser().resolve())
        card = read_card(Path(adapter_dir)) or card
    label = Path(adapter).name if adapter else model  # as the results table names it
    out: dict[str, Any] = {"label": label, "model": path, "adapter": adapter_dir, "context": context}
    if card is not None and getattr(card, "labels", ()):
        out["labels"], out["template"] = list(card.labels), card.template
    return out


# -- the code of each task --------------------------------------------------------------------
LOAD = '''
def load(candidate):
    tokenizer = AutoTokenizer.from_pretrained(candidate["model"])
    model = AutoModelForCausalLM.from_pretrained(candidate["model"], dtype=torch.float32)
    if candidate["adapter"]:
        model = PeftModel.from_pretrained(model, candidate["adapter"])  # the LoRA adapter on its base
    model.eval()
    context = candidate["context"]  # the longest sequence the model was built for
    if context is None:
        limit = tokenizer.model_max_length
        context = limit if 0 < limit < 10**8 else 2048
    return model, tokenizer, context
'''

SHOTS = '''
def shots_for(items, k, n_shot, seed):
    """Indices of n_shot other items, the same for the same seed and item (few-shot examples)."""
    if n_shot == 0:
        return []
    others = [j for j in range(len(items)) if j != k]
    return random.Random(f"{seed}:{items[k]['id']}").sample(others, n_shot)


def with_shots(tokenizer, context, shots, chat):
    body = "\\n\\n".join(shots + [context])
    if chat:  # the whole prompt as one user turn in the model's chat template
        return tokenizer.apply_chat_template([{"role": "user", "content": body}], tokenize=False,
                                             add_generation_prompt=True)
    return body
'''

SCORING = '''
def encode(tokenizer, context, continuation, chat):
    """(context ids, continuation ids), split as lm-evaluation-harness splits them."""
    if chat:  # the template wrote its special tokens as text already
        ctx = tokenizer(context, add_special_tokens=False)["input_ids"]
        whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
        return ctx, whole[len(ctx):]
    n = len(context) - len(context.rstrip())  # spaces at the end of the context go to the continuation
    if n:
        continuation, context = context[-n:] + continuation, context[:-n]
    whole = tokenizer(context + continuation)["input_ids"]
    ctx = tokenizer(context)["input_ids"]
    return ctx, whole[len(ctx):]


def loglikelihoods(model, tokenizer, requests, max_length, batch_size):
    """Per (context ids, continuation ids): the summed log-probability of the continuation's tokens,
    and whether greedy decoding would write exactly them. Longest first, padded on the right."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    order = sorted(range(len(requests)), key=lambda i: -(len(requests[i][0]) + len(requests[i][1])))
    out = [None] * len(requests)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            rows = [(requests[i][0] + requests[i][1])[-(max_length + 1):][:-1] for i in chunk]  # cut from the left
            ids = torch.full((len(rows), max(map(len, rows))), pad, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for j, row in enumerate(rows):
                ids[j, :len(row)] = torch.tensor(row)
                mask[j, :len(row)] = 1
            logits = model(input_ids=ids, attention_mask=mask).logits
            for j, i in enumerate(chunk):
                cont = requests[i][1]
                end = len(rows[j])
                logp = torch.log_softmax(logits[j, end - len(cont):end].float(), dim=-1)
                target = torch.tensor(cont)
                picked = logp.gather(1, target[:, None]).squeeze(1)
                out[i] = (float(picked.sum()), bool((logp.argmax(-1) == target).all()))
    return out
'''

MC = '''
LETTERS = "ABCDEFGHIJ"


def mc_context(item, letters=False):
    """The question as the model reads it; with letters, the choices listed as A. B. C. D."""
    q_label, a_label = ("질문", "답") if item.get("lang") == "ko" else ("Question", "Answer")
    body = item.get("prompt") or f"{q_label}: {item['question']}"
    if letters:
        body += "".join(f"\\n{LETTERS[i]}. {c}" for i, c in enumerate(item["choices"]))
    return body if item.get("prompt") and not letters else f"{body}\\n{a_label}:"


def multiple_choice(model, tokenizer, context, items, n_shot, seed, chat, max_length, batch_size):
    """acc: the choice with the largest log-likelihood; acc_norm: per character; acc_letter: the letters."""
    requests, begins = [], []
    for k, item in enumerate(items):
        shots = shots_for(items, k, n_shot, seed)
        plain = with_shots(tokenizer, mc_context(item),
                           [mc_context(items[j]) + " " + items[j]["choices"][items[j]["answer"]] for j in shots], chat)
        letter = with_shots(tokenizer, mc_context(item, True),
                            [mc_context(items[j], True) + " " + LETTERS[items[j]["answer"]] for j in shots], chat)
        begins.append(len(requests))
        requests += [encode(tokenizer, plain, " " + choice, chat) for choice in item["choices"]]
        requests += [encode(tokenizer, letter, " " + LETTERS[i], chat) for i in range(len(item["choices"]))]
    scores = loglikelihoods(model, tokenizer, requests, max_length or context, batch_size)
    acc, acc_norm, acc_letter, rows = [], [], [], []
    for item, begin in zip(items, begins):
        m = len(item["choices"])
        plain, letter = scores[begin:begin + m], scores[begin + m:begin + 2 * m]
        lls = [s[0] for s in plain]
        norm = [s[0] / len(c) for s, c in zip(plain, item["choices"])]
        pred = max(range(m), key=lls.__getitem__)
        pred_norm = max(range(m), key=norm.__getitem__)
        pred_letter = max(range(m), key=lambda i: letter[i][0])
        acc.append(pred == item["answer"])
        acc_norm.append(pred_norm == item["answer"])
        acc_letter.append(pred_letter == item["answer"])
        rows.append({"id": item["id"], "gold": item["answer"], "pred": pred, "pred_norm": pred_norm,
                     "pred_letter": pred_letter, "loglikelihoods": lls, "letter_loglikelihoods": [s[0] for s in letter]})
    n = len(items)
    return {"acc": sum(acc) / n, "acc_norm": sum(acc_norm) / n, "acc_letter": sum(acc_letter) / n}, rows
'''

CLASSIFY = '''
def classification(model, tokenizer, context, items, n_shot, seed, chat, max_length, batch_size, labels, template):
    """Each label word scored after the prompt; the most likely one is the prediction."""
    requests = []
    for k, item in enumerate(items):
        shots = [template.format(text=items[j]["text"]) + " " + items[j]["label"]
                 for j in shots_for(items, k, n_shot, seed)]
        prompt = with_shots(tokenizer, template.format(text=item["text"]), shots, chat)
        requests += [encode(tokenizer, prompt, " " + label, chat) for label in labels]
    scores = loglikelihoods(model, tokenizer, requests, max_length or context, batch_size)
    m, preds, refs, rows = len(labels), [], [], []
    for k, item in enumerate(items):
        row = [s[0] for s in scores[k * m:(k + 1) * m]]
        pred = labels[max(range(m), key=row.__getitem__)]
        preds.append(pred)
        refs.append(item["label"])
        rows.append({"id": item["id"], "gold": item["label"], "pred": pred, "scores": dict(zip(labels, row))})
    accuracy = evaluate.load(f"{METRICS}/accuracy").compute(predictions=preds, references=refs)
    f1 = evaluate.load(f"{METRICS}/f1").compute(predictions=preds, references=refs, labels=labels)
    metrics = {"accuracy": accuracy["accuracy"], "f1_macro": f1["f1"], "confusion_matrix": f1["confusion_matrix"]}
    return metrics, rows
'''

GENERATE = '''
def generation(model, tokenizer, context, items, n_shot, seed, chat, max_length, max_new_tokens):
    """A greedy answer per prompt, cut at the first new line, against the accepted answers."""
    room = (max_length or context) - max_new_tokens
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    preds, refs, rows = [], [], []
    for k, item in enumerate(items):
        shots = [items[j]["prompt"] + " " + items[j]["answers"][0] for j in shots_for(items, k, n_shot, seed)]
        prompt = with_shots(tokenizer, item["prompt"], shots, chat)
        ids = tokenizer(prompt, add_special_tokens=not chat)["input_ids"][-room:]  # cut from the left to fit
        with torch.inference_mode():
            out = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad,
                                 stop_strings=["\\n"], tokenizer=tokenizer)  # the answer is the first line
        answer = tokenizer.decode(out[0, len(ids):], skip_special_tokens=True).strip().split("\\n")[0].strip()
        preds.append(answer)
        refs.append(item["answers"])
        rows.append({"id": item["id"], "answers": item["answers"], "pred": answer})
    em = evaluate.load(f"{METRICS}/exact_match").compute(predictions=preds, references=refs)
    metrics = {"exact_match": em["exact_match"],
               "bleu": evaluate.load(f"{METRICS}/bleu").compute(predictions=preds, references=refs)["bleu"],
               "rougeL": evaluate.load(f"{METRICS}/rouge").compute(predictions=preds, references=refs)["rougeL"],
               "chrf": evaluate.load(f"{METRICS}/chrf").compute(predictions=preds, references=refs)["chrf"]}
    for row, match in zip(rows, em["matches"]):
        row["exact_match"] = match
    return metrics, rows
'''

PERPLEXITY = '''
def perplexity(model, tokenizer, context, items, max_length, batch_size):
    """Every token of every text predicted once, max_length tokens at a time (rolling windows)."""
    max_length = max_length or context
    first = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    requests, owner = [], []
    for k, item in enumerate(items):
        ids = tokenizer(item["text"], add_special_tokens=False)["input_ids"]
        for start in range(0, len(ids), max_length):  # each window reads the token before it
            requests.append(([first] if start == 0 else [ids[start - 1]], ids[start:start + max_length]))
            owner.append(k)
    scores = loglikelihoods(model, tokenizer, requests, max_length, batch_size)
    nll, tokens = [0.0] * len(items), [0] * len(items)
    for k, (request, score) in zip(owner, zip(requests, scores)):
        nll[k] -= score[0]
        tokens[k] += len(request[1])
    words = sum(max(1, len(item["text"].split())) for item in items)
    nbytes = sum(len(item["text"].encode("utf-8")) for item in items)
    total = sum(nll)
    metrics = {"perplexity": math.exp(total / sum(tokens)), "word_perplexity": math.exp(total / words),
               "byte_perplexity": math.exp(total / nbytes), "bits_per_byte": total / nbytes / math.log(2)}
    rows = [{"id": item["id"], "tokens": tokens[k], "nll": nll[k], "perplexity": math.exp(nll[k] / tokens[k])}
            for k, item in enumerate(items)]
    return metrics, rows
'''


def _call(config: EvalConfig, var: str, n_shot: str | int) -> str:
    common = f"model, tokenizer, context, {var}"
    ml = config.max_length
    if config.task == "perplexity":
        return f"perplexity({common}, max_length={ml}, batch_size={config.batch_size})"
    shot = f"n_shot={n_shot}, seed={config.seed}, chat={config.chat_template}, max_length={ml}"
    if config.task == "multiple_choice":
        return f"multiple_choice({common}, {shot}, batch_size={config.batch_size})"
    if config.task == "generation":
        return f"generation({common}, {shot}, max_new_tokens={config.max_new_tokens})"
    return (f"classification({common}, {shot}, batch_size={config.batch_size}, labels=candidate.get('labels', {var.upper()}_LABELS), "
            f"template=candidate.get('template', TEMPLATE))")


def eval_snippet(candidates: Sequence[Any], configs: Sequence[EvalConfig], *,
                 shot_counts: Sequence[int] | None = None, title: str | None = None) -> Snippet:
    """What the evaluation lab did for ``candidates`` (``engine.evaluation.api.Candidate``) on each
    of ``configs``. ``shot_counts`` (one classification config): score it once per shot count
    (the applications lab's in-context-learning table)."""
    if not candidates:
        raise DojoError("no model to evaluate: give at least one --model")
    if not configs:
        raise DojoError("no set to evaluate: choose at least one")
    from ..evaluation.metrics import DIR as METRICS

    tasks = {c.task for c in configs}
    cands = [_candidate(c.model, c.adapter) for c in candidates]
    adapters = any(c["adapter"] for c in cands)
    sentiment = sorted({c.data_name for c in configs if c.data_name in SENTIMENT})
    head = ["import json"] + (["import math"] if "perplexity" in tasks else []) + \
        (["import random"] if tasks - {"perplexity"} else []) + ["", "import torch"]
    if tasks & {"classification", "generation"}:
        head.append("import evaluate")
    head.append("from transformers import AutoModelForCausalLM, AutoTokenizer")
    if adapters:
        head.append("from peft import PeftModel")
    if sentiment:
        loader = sentiment_loader(sentiment)
        if loader[0].startswith("from "):
            head.append(loader.pop(0))
        while loader and not loader[0]:
            loader.pop(0)
    else:
        loader = []
    head += ["", ""]
    consts = []
    if tasks & {"classification", "generation"}:
        consts.append(f"METRICS = {str(METRICS)!r}  # LLM Dojo's metric modules, loaded by path (offline)")
    if "classification" in tasks:
        from ..training.sft import PROMPT_HEAD, PROMPT_TAIL

        consts.append(f"TEMPLATE = {PROMPT_HEAD + PROMPT_TAIL!r}  # the course's sentiment prompt")
    consts.append("CANDIDATES = [  # the first is the base the others are compared with")
    consts += [f"    {c!r}," for c in cands]
    consts.append("]")
    data_top, data_body = [], []
    for n, config in enumerate(configs):
        var = f"items_{n}" if len(configs) > 1 else "items"
        top, body = items_code(config, var)
        data_top += top
        data_body += [f"# {config.data_name} ({config.task})"] + body
        if config.task == "classification":
            data_body.append(f"{var.upper()}_LABELS = {_labels_of(config)!r}  # the label words, sorted")
    code = head + consts + data_top + (["", ""] + loader if loader else []) + ["", ""]
    code += [LOAD.strip(), "", ""]
    if tasks - {"perplexity"}:
        code += [SHOTS.strip(), "", ""]
    code += [SCORING.strip(), "", ""]
    for task, block in (("multiple_choice", MC), ("classification", CLASSIFY), ("generation", GENERATE),
                        ("perplexity", PERPLEXITY)):
        if task in tasks:
            code += [block.strip(), "", ""]
    code += data_body + ["", "", "results = []", "for candidate in CANDIDATES:",
                         "    model, tokenizer, context = load(candidate)"]
    for n, config in enumerate(configs):
        var = f"items_{n}" if len(configs) > 1 else "items"
        counts = list(shot_counts) if shot_counts is not None else [config.n_shot]
        if shot_counts is not None:
            code += [f"    for n_shot in {counts!r}:",
                     f"        metrics, rows = {_call(config, var, 'n_shot')}",
                     f"        results.append({{'data': {config.data_name!r}, 'model': candidate['label'], "
                     "'n_shot': n_shot, 'metrics': metrics, 'items': rows})"]
        else:
            code += [f"    metrics, rows = {_call(config, var, config.n_shot)}",
                     f"    results.append({{'data': {config.data_name!r}, 'model': candidate['label'], "
                     f"'metrics': metrics, 'items': rows}})"]
    code += ["print(json.dumps(results, ensure_ascii=False, indent=1))"]
    libs = ("torch", "transformers") + (("evaluate",) if tasks & {"classification", "generation"} else ()) + \
        (("peft",) if adapters else ()) + (("gensim",) if "sentiment-en" in sentiment else ())
    names = ", ".join(c.data_name for c in configs)
    title = title or f"Evaluate {', '.join(c['label'] for c in cands)} on {names}"
    return Snippet(title, "\n".join(code), libs)
