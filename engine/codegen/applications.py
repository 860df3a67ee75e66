"""The LLM applications lab as plain ``datasets``, transformers, gensim and torch.

* :func:`data_snippet`: ``load_dataset``, features, label balance, ``map`` tokenization,
  token-length histogram, seeded ``train_test_split``.
* :func:`prompt_snippet`: the four prompt elements with zero/few shots drawn from the
  sentiment set's training split, optionally through the chat template, and the token count.
* :func:`icl_snippet`: zero- vs k-shot accuracy (the evaluation lab's label-word scorer,
  :func:`engine.codegen.evaluation.eval_snippet`).
* RAG and hit-rate@k: :mod:`engine.codegen.rag`.

Each builder takes the same config object the lab's engine call took, and the snippet
prints its result as JSON in the engine's own field names.
"""

from __future__ import annotations

from pathlib import Path
from ..applications.config import AppsDataConfig, AppsIclConfig, AppsPromptConfig
from ..errors import DojoError
from .evaluation import eval_snippet, sentiment_loader
from .generation import model_path
from .snippet import Snippet


def _block(lines: list[str]) -> list[str]:
    return lines + ["", ""]


# -- datasets ---------------------------------------------------------------------------------
AS_TEXT = '''
def as_text(value):
    """A conversation (a list of turns) as its contents, one per line; anything else as text."""
    if isinstance(value, list):
        return "\\n".join(str(m.get("content", "")) if isinstance(m, dict) else str(m) for m in value)
    return "" if value is None else str(value)
'''


def data_snippet(config: AppsDataConfig) -> Snippet:
    """What the Datasets tab did for ``config``."""
    from ..applications.explore import BUILDERS, BUILTIN, hub_allowed

    source = config.source
    path = Path(source).expanduser()
    head = ["import json", "from collections import Counter", "", "import numpy as np",
            "from datasets import load_dataset", "from transformers import AutoTokenizer"]
    setup: list[str] = []
    kwargs = ""
    if source == "sentiment-en":
        head.insert(4, "from gensim.test.utils import datapath")
        setup = ["# the Pang & Lee sentences inside gensim, written once as JSON Lines (every fifth line held out)",
                 "lines = open(datapath('pang_lee_polarity.cor'), 'rb').read().decode('cp1252').splitlines()",
                 "with open('sentiment_en.jsonl', 'w', encoding='utf-8') as out:",
                 "    for n, line in enumerate(lines, 1):",
                 "        tag, _, text = line.strip().partition(' ')",
                 "        label = {'__label__pos': 'positive', '__label__neg': 'negative'}[tag]",
                 "        row = {'text': text.strip(), 'label': label, 'split': 'test' if n % 5 == 0 else 'train'}",
                 "        out.write(json.dumps(row, ensure_ascii=False) + '\\n')"]
        load = "ds = load_dataset('json', data_files='sentiment_en.jsonl', split='train', cache_dir=CACHE)"
    elif source in BUILTIN or path.is_file():
        if source in BUILTIN:
            from ..applications.explore import _builtin_file

            file = _builtin_file(source)
        else:
            file = path.resolve()
        builder = BUILDERS.get(file.suffix.lower())
        if builder is None:
            raise DojoError(f"{file}: unknown file type {file.suffix or '(none)'}; use .json, .jsonl, .csv, .tsv or "
                            ".parquet")
        if file.suffix.lower() == ".tsv":
            kwargs = ", delimiter='\\t'"
        setup = [f"DATA_FILE = {str(file)!r}"]
        load = f"ds = load_dataset({builder!r}, data_files=DATA_FILE, split='train', cache_dir=CACHE{kwargs})"
    else:
        if not hub_allowed(config.online):
            raise DojoError.keyed("apps.offline_hub", name=source, builtin=", ".join(BUILTIN))
        load = (f"found = load_dataset({source!r}, cache_dir=CACHE)  # from the Hugging Face hub\n"
                "ds = found['train' if 'train' in found else next(iter(found))]")
    code = head + ["", "", f"TOKENIZER = {model_path(config.tokenizer)!r}",
                   f"TEXT_COLUMN = {config.text_column!r}  # empty: 'text', else the first text column",
                   f"LABEL_COLUMN = {config.label_column!r}  # empty: 'label' if there is one",
                   f"BINS, TEST_SIZE, SEED, ROWS = {config.bins}, {float(config.test_size)!r}, {config.seed}, {config.rows}",
                   "CACHE = 'datasets-cache'  # map and train_test_split keep their Arrow cache files here",
                   "", ""]
    code += _block(setup) if setup else []
    code += _block([AS_TEXT.strip()])
    code += [load,
             "names = ds.column_names",
             "strings = [c for c in names if getattr(ds.features[c], 'dtype', None) in ('string', 'large_string')]",
             "text_column = TEXT_COLUMN or ('text' if 'text' in names else (strings or ['messages'])[0])",
             "label_column = LABEL_COLUMN or ('label' if 'label' in names else None)",
             "tokenizer = AutoTokenizer.from_pretrained(TOKENIZER)",
             "",
             "",
             "def tokenize(batch):",
             "    out = tokenizer([as_text(v) for v in batch[text_column]], add_special_tokens=False)",
             "    return {'input_ids': out['input_ids'], 'n_tokens': [len(ids) for ids in out['input_ids']]}",
             "",
             "",
             "tokenized = ds.map(tokenize, batched=True, batch_size=256)  # cached: a second run reads the file back",
             "lengths = sorted(tokenized['n_tokens'])",
             "counts, edges = np.histogram(np.asarray(lengths), bins=BINS)",
             "parts = tokenized.train_test_split(test_size=TEST_SIZE, seed=SEED)  # the same seed, the same split",
             "report = {",
             "    'rows': len(ds),",
             "    'features': {k: str(v) for k, v in ds.features.items()},",
             "    'text_column': text_column,",
             "    'labels': dict(sorted(Counter(str(v) for v in ds[label_column]).items())) if label_column else {},",
             "    'sample': [{k: (as_text(v) if k == text_column else v) for k, v in row.items()}",
             "               for row in ds.select(range(min(ROWS, len(ds))))],",
             "    'lengths': {'min': lengths[0], 'mean': sum(lengths) / len(lengths), 'median': lengths[len(lengths) // 2],",
             "                'max': lengths[-1], 'total': sum(lengths)},",
             "    'histogram': [{'low': float(edges[i]), 'high': float(edges[i + 1]), 'count': int(counts[i])}",
             "                  for i in range(BINS)],",
             "    'split': {'train': len(parts['train']), 'test': len(parts['test']),",
             "              'test_first': [as_text(t)[:60] for t in parts['test'][text_column][:3]]},",
             "}",
             "print(json.dumps(report, ensure_ascii=False, indent=1))"]
    libs = ("datasets", "transformers", "numpy") + (("gensim",) if source == "sentiment-en" else ())
    return Snippet(f"Explore the dataset {source} with the datasets library", "\n".join(code), libs)


# -- prompts ----------------------------------------------------------------------------------
def prompt_snippet(config: AppsPromptConfig, context: int | None = None) -> Snippet:
    """What the prompt builder did for ``config`` (``context``: the model's, when the lab knows it)."""
    from ..applications.prompts import COT_INSTRUCTION, COT_TRIGGER, model_context

    limit = config.max_length or context or model_context(config.model)
    head = ["import json", "import random", ""]
    loader = sentiment_loader([config.data]) if config.shots else []
    if loader and loader[0].startswith("from "):
        head.append(loader.pop(0))
    head.append("from transformers import AutoTokenizer")
    while loader and not loader[0]:
        loader.pop(0)
    code = head + ["", "", f"MODEL = {model_path(config.model)!r}  # its tokenizer counts the tokens",
                   f"CONTEXT = {limit}  # the tokens the prompt must fit",
                   f"INSTRUCTION = {config.instruction.strip()!r}", f"CONTEXT_TEXT = {config.context.strip()!r}",
                   f"INPUT = {config.input.strip()!r}", f"INDICATOR = {config.indicator.strip()!r}",
                   f"DATA, SHOTS, SEED = {config.data!r}, {config.shots}, {config.seed}  # shots from the training split",
                   f"CHAT_TEMPLATE = {config.chat_template}", f"COT = {config.cot}  # chain of thought", "", ""]
    if loader:
        code += _block(loader)
    code += [
        "def build(shots):",
        '    """Instruction, context, the solved examples, the input, then the output indicator."""',
        "    instruction = INSTRUCTION",
        "    if COT:",
        f"        instruction = (instruction + '\\n' + {COT_INSTRUCTION!r}).strip()",
        "    blocks = [b for b in (instruction, CONTEXT_TEXT) if b]",
        "    blocks += [f\"text: {s['text']}\\n{INDICATOR} {s['label']}\".rstrip() for s in shots]",
        "    blocks.append(f'text: {INPUT}')",
        f"    body = '\\n\\n'.join(blocks) + '\\n' + (INDICATOR + ' ' + {COT_TRIGGER!r} if COT else INDICATOR)",
        "    if CHAT_TEMPLATE:  # the whole prompt as one user turn",
        "        return tokenizer.apply_chat_template([{'role': 'user', 'content': body}], tokenize=False,",
        "                                             add_generation_prompt=True)",
        "    return body",
        "",
        "",
        "def count(text):",
        "    # the template wrote its special tokens as text; a plain prompt gets the model's BOS if it adds one",
        "    return len(tokenizer(text, add_special_tokens=not CHAT_TEMPLATE)['input_ids'])",
        "",
        "",
        "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
        "shots = random.Random(SEED).sample(read_sentiment(DATA, 'train'), SHOTS) if SHOTS else []" if loader
        else "shots = []  # zero-shot",
        "text = build(shots)",
        "tokens = count(text)",
        "while tokens > CONTEXT and shots:  # too long: drop the last shot until it fits",
        "    shots.pop()",
        "    text = build(shots)",
        "    tokens = count(text)",
        "print(json.dumps({'text': text, 'tokens': tokens, 'context': CONTEXT, 'shots': shots}, ensure_ascii=False,",
        "                 indent=1))",
    ]
    kind = "zero-shot" if config.shots == 0 else f"{config.shots}-shot"
    libs = ("transformers",) + (("gensim",) if config.shots and config.data == "sentiment-en" else ())
    return Snippet(f"Build a {kind} prompt and count its tokens ({config.model})", "\n".join(code), libs)


def icl_snippet(config: AppsIclConfig) -> Snippet:
    """Zero- vs k-shot accuracy for ``config``: the classification task once per shot count."""
    from ..evaluation.api import Candidate
    from ..evaluation.config import EvalConfig

    eval_config = EvalConfig(task="classification", data=config.data, limit=config.limit, seed=config.seed,
                             batch_size=config.batch_size, chat_template=config.chat_template, bootstrap=0)
    shots = ", ".join(str(k) for k in config.shot_counts)
    return eval_snippet([Candidate(config.model)], [eval_config], shot_counts=config.shot_counts,
                        title=f"In-context learning: {config.model} on {config.data} with {shots} shots")
