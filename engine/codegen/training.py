"""The training labs as plain transformers / trl / peft: the script a run's ``RunSpec`` describes.

* sentiment SFT: ``Trainer`` + ``TrainingArguments`` on ``text: ...\\nlabel: <word><eos>``
  examples whose labels are -100 on the prompt (only the label word and EOS are learned),
  then the held-out accuracy by comparing the label words' log-likelihoods;
* instruction SFT: trl's ``SFTTrainer`` + ``SFTConfig(assistant_only_loss=True)`` on chat
  messages laid out by the model's own chat template;
* LoRA: peft's ``LoraConfig`` + ``get_peft_model`` (r, alpha, dropout, targets, rsLoRA, DoRA);
  QLoRA adds ``BitsAndBytesConfig`` (NF4, double quantisation, bf16 compute) and
  ``prepare_model_for_kbit_training``;
* DPO: trl's ``DPOTrainer`` + ``DPOConfig`` (beta, loss type); the reference is the base with
  the fresh adapter switched off, or, continuing an SFT adapter, a frozen copy of that adapter.

Every value comes from the spec (``engine.training.sft.training_kwargs`` writes the
``TrainingArguments``, as the worker does); the built-in datasets are read from their
files and split as ``engine.training.datasets`` splits them, so the script trains on the
same examples in the same order, with the same seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DojoError
from ..runs.spec import RunSpec
from .generation import model_path
from .snippet import Snippet

OUT = "dojo-run"
"""The script's output folder (checkpoints/ and model/ inside), relative to where it runs."""


def training_snippet(spec: RunSpec) -> Snippet:
    """The script for ``spec``: SFT (full or LoRA, sentiment or instruction) or DPO."""
    if spec.kind == "dpo":
        return dpo_snippet(spec)
    if spec.kind != "sft":
        raise DojoError(f"there is no exported script for a {spec.kind} run; the code panel covers sft, lora and "
                        "dpo runs")
    return sft_snippet(spec)


# -- shared pieces -----------------------------------------------------------------------------
def _prepared(spec: RunSpec) -> RunSpec:
    from ..runs.launcher import absolute_paths

    return absolute_paths(spec.validate())


def _steps(spec: RunSpec) -> int:
    """The run's optimizer steps (for the logging/eval/save intervals), from the data's size."""
    from ..training.sft import total_steps

    if spec.max_steps > 0:
        return spec.max_steps
    try:
        if spec.kind == "dpo":
            from ..training.dpo import load_preferences

            n = len(load_preferences(spec.dataset, spec.columns).train)
        else:
            from ..training.sft import load_data

            n = len(load_data(spec).train)
    except DojoError:
        n = 1000  # a hub dataset is only known to the worker: a round guess for the intervals
    return total_steps(spec, n)


def _device_lines(spec: RunSpec) -> list[str]:
    if spec.device in ("", "auto"):
        return ['DEVICE = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() '
                'else "cpu"']
    return [f"DEVICE = {spec.device!r}"]


def _precision(spec: RunSpec) -> dict[str, str]:
    """bf16/fp16 mixed precision as the worker chooses it (on a GPU only), as expressions."""
    if spec.dtype in ("float32", "fp32"):
        return {"bf16": "False", "fp16": "False"}
    if spec.dtype in ("float16", "fp16"):
        return {"bf16": "False", "fp16": 'DEVICE.startswith("cuda")'}
    return {"bf16": 'DEVICE.startswith("cuda") and torch.cuda.is_bf16_supported()',
            "fp16": 'DEVICE.startswith("cuda") and not torch.cuda.is_bf16_supported()'}


def _arguments(spec: RunSpec, cls: str, extra: dict[str, Any]) -> list[str]:
    """``cls(...)`` with the worker's TrainingArguments for this spec, one per line."""
    from ..training.sft import training_kwargs

    kwargs = training_kwargs(spec, Path(OUT), _steps(spec), "cpu", False)
    kwargs["output_dir"] = f"{OUT}/checkpoints"
    lines = [f"args = {cls}("]
    for key, value in {**kwargs, **extra}.items():
        if key == "use_cpu":
            lines.append('    use_cpu=DEVICE == "cpu",')
        elif key in ("bf16", "fp16"):
            lines.append(f"    {key}={_precision(spec)[key]},")
        else:
            lines.append(f"    {key}={value!r},")
    return lines + [")"]


def _keep_best_note(spec: RunSpec) -> list[str]:
    if not spec.keep_best:
        return []
    metric = "accuracy" if spec.kind == "sft" and spec.task == "sentiment" else "loss"
    return [f"# (LLM Dojo's run also keeps the weights of the best held-out {metric} and saves those; this script",
            "#  saves the last step's. Trainer's load_best_model_at_end=True does the same for eval_loss.)"]


def _load_lines(spec: RunSpec) -> list[str]:
    lines = [f"MODEL = {model_path(spec.model)!r}", f"SEED = {spec.seed}", *_device_lines(spec), "",
             "tokenizer = AutoTokenizer.from_pretrained(MODEL)"]
    if spec.qlora:
        lines += ["# QLoRA: the frozen model in 4-bit NF4 (bitsandbytes, CUDA only), computing in bf16",
                  "bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_use_double_quant=True,",
                  "                         bnb_4bit_compute_dtype=torch.bfloat16)",
                  "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=bnb, dtype=torch.bfloat16,",
                  "                                             device_map={'': DEVICE})",
                  "model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)"]
    else:
        lines.append("model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32)  # the Trainer moves it")
    lines += ["if tokenizer.pad_token is None:  # pad with unk (else EOS); labels are padded by length, so EOS is learned",
              "    unk = tokenizer.unk_token if tokenizer.unk_token != tokenizer.eos_token else None",
              "    tokenizer.pad_token = unk or tokenizer.eos_token",
              "model.config.pad_token_id = tokenizer.pad_token_id",
              "model.generation_config.pad_token_id = tokenizer.pad_token_id"]
    return lines


def _lora_config_lines(spec: RunSpec) -> list[str]:
    targets = [t for t in spec.target_modules if t]
    target = f"{targets!r}," if targets and targets != ["all-linear"] else \
        "'all-linear',  # every linear layer but the output layer"
    lines = ["lora_config = LoraConfig(",
             f"    r={spec.lora_r}, lora_alpha={spec.lora_alpha}, lora_dropout={spec.lora_dropout!r},",
             f"    target_modules={target}"]
    if spec.lora_bias != "none":
        lines.append(f"    bias={spec.lora_bias!r},")
    if spec.use_rslora:
        lines.append("    use_rslora=True,  # scale by alpha / sqrt(r)")
    if spec.use_dora:
        lines.append("    use_dora=True,  # adapt the direction, learn the magnitude")
    return lines + ["    task_type='CAUSAL_LM',", ")"]


def _data_lines(spec: RunSpec, task: str) -> tuple[list[str], list[str]]:
    """(imports, lines) that read the dataset into ``train_rows`` and ``test_rows`` (plain dicts in
    the task's columns), split as LLM Dojo splits them."""
    from ..training.datasets import DATA_DIR, pang_lee_path

    columns = dict(spec.columns)
    split_col = columns.get("split", "split")
    imports = ["import json", "import zlib"]
    source = spec.dataset or {"sentiment": "sentiment-ko", "instruction": "instructions", "preference": "preferences"}[task]
    lines = ["def held_out(row):",
             f"    '''The row's {split_col!r} column if it has one, else a fixed 20% chosen by a hash of the row.'''",
             f"    split = str(row.get({split_col!r}, '')).strip().lower()",
             "    if split:",
             "        return split in ('test', 'validation', 'valid', 'dev')",
             "    key = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()",
             "    return zlib.crc32(key) % 1000 < 200", "", ""]
    readers: list[str] = []
    files: list[str] = []
    builtin = {"sentiment-ko": ["sentiment_ko.jsonl"], "sentiment": ["PANG_LEE", "sentiment_ko.jsonl"],
               "sentiment-en": ["PANG_LEE"], "instructions": ["instructions.jsonl"],
               "preferences": ["preferences.jsonl"]}
    hub = False
    if source in builtin:
        for name in builtin[source]:
            if name == "PANG_LEE":
                files.append("PANG_LEE")
            else:
                files.append(str(DATA_DIR / name))
    else:
        path = Path(source).expanduser()
        if path.is_file():
            files.append(str(path.resolve()))
        elif spec.online:
            hub = True
        else:
            raise DojoError(f"{source!r} is neither a file nor a built-in dataset; choose the data first")
    if "PANG_LEE" in files:
        readers += ["# Pang & Lee's polarity sentences, shipped with gensim: every fifth line is held out",
                    f"PANG_LEE = {str(pang_lee_path())!r}", "",
                    "def read_pang_lee(path):",
                    "    tags = {'__label__pos': 'positive', '__label__neg': 'negative'}",
                    "    for n, line in enumerate(Path(path).read_bytes().decode('cp1252').splitlines(), 1):",
                    "        tag, _, text = line.strip().partition(' ')",
                    "        yield {'text': text.strip(), 'label': tags[tag], 'split': 'test' if n % 5 == 0 else 'train'}",
                    "", ""]
        imports.append("from pathlib import Path")
    if hub:
        imports.append("from datasets import load_dataset")
        readers += ["def read_hub(name):",
                    "    ds = load_dataset(name)",
                    "    test = next((s for s in ('test', 'validation') if s in ds), None)",
                    "    for split in ('train', test):",
                    "        for row in ds[split] if split else []:",
                    "            yield {**row, 'split': 'train' if split == 'train' else 'test'}",
                    "", ""]
    else:
        suffixes = {Path(f).suffix.lower() for f in files if f != "PANG_LEE"}
        if suffixes & {".jsonl", ".json"}:
            readers += ["def read_json(path):",
                        "    text = open(path, encoding='utf-8-sig').read()",
                        "    if path.endswith('.json') and text.lstrip().startswith('['):",
                        "        return json.loads(text)",
                        "    return [json.loads(line) for line in text.splitlines() if line.strip()]", "", ""]
        if suffixes & {".csv", ".tsv"}:
            imports.append("import csv")
            readers += ["def read_csv(path):",
                        "    with open(path, encoding='utf-8-sig', newline='') as f:",
                        "        rows = csv.DictReader(f, delimiter='\\t' if path.endswith('.tsv') else ',')",
                        "        return [r for r in rows if any(str(v).strip() for v in r.values())]", "", ""]
        if ".parquet" in suffixes:
            imports.append("from datasets import load_dataset")
            readers += ["def read_parquet(path):",
                        "    return load_dataset('parquet', data_files=path, split='train').to_list()", "", ""]

    def reader(f: str) -> str:
        if f == "PANG_LEE":
            return "read_pang_lee(PANG_LEE)"
        suffix = Path(f).suffix.lower()
        fn = {".csv": "read_csv", ".tsv": "read_csv", ".parquet": "read_parquet"}.get(suffix, "read_json")
        return f"{fn}({f!r})"

    col = lambda ours: columns.get(ours, ours)  # noqa: E731
    if task == "sentiment":
        shape = ["def shape(row):",
                 f"    return {{'text': str(row[{col('text')!r}]).strip(), 'label': str(row[{col('label')!r}]).strip()}}"]
    elif task == "instruction":
        shape = ["def shape(row):",
                 "    '''A chat: a list of {role, content} messages (a prompt/completion pair becomes two).'''",
                 f"    if {col('messages')!r} in row:",
                 f"        messages = row[{col('messages')!r}]",
                 "        messages = json.loads(messages) if isinstance(messages, str) else messages",
                 "        return {'messages': [{'role': m['role'], 'content': m['content']} for m in messages]}",
                 "    return {'messages': [",
                 f"        {{'role': 'user', 'content': str(row[{col('prompt')!r}])}},",
                 f"        {{'role': 'assistant', 'content': str(row[{col('completion')!r}])}}]}}"]
    else:
        shape = ["def shape(row):",
                 "    def text(value):  # a field's text, or a list of chat messages as it is",
                 "        return [{'role': m['role'], 'content': m['content']} for m in value] if isinstance(value, list) \\",
                 "            else value.strip()",
                 f"    return {{ours: text(row[theirs]) for ours, theirs in {{'prompt': {col('prompt')!r}, "
                 f"'chosen': {col('chosen')!r}, 'rejected': {col('rejected')!r}}}.items()}}"]
    sources = ["read_hub(" + repr(source) + ")"] if hub else [reader(f) for f in files]
    lines = readers + lines + shape + ["", "",
                                       "train_rows, test_rows = [], []"]
    lines += [f"for row in {sources[0]}:" if len(sources) == 1 else
              f"for row in [*{', *'.join(sources)}]:",
              "    (test_rows if held_out(row) else train_rows).append(shape(row))",
              "print(f'{len(train_rows)} training and {len(test_rows)} held-out examples')"]
    return imports, lines


# -- SFT ----------------------------------------------------------------------------------------
def sft_snippet(spec: RunSpec) -> Snippet:
    spec = _prepared(spec)
    lora = spec.method == "lora" or spec.qlora
    sentiment = spec.task == "sentiment"
    data_imports, data = _data_lines(spec, spec.task)
    hf = ["AutoModelForCausalLM", "AutoTokenizer"] + (["BitsAndBytesConfig"] if spec.qlora else []) + \
        (["Trainer", "TrainingArguments"] if sentiment else []) + (["set_seed"] if lora else [])
    lines = data_imports + ["", "import torch", f"from transformers import {', '.join(hf)}"]
    if not sentiment:
        lines += ["from datasets import Dataset", "from trl import SFTConfig, SFTTrainer"]
    if lora:
        peft = ["LoraConfig", "get_peft_model"] + (["prepare_model_for_kbit_training"] if spec.qlora else [])
        lines.append(f"from peft import {', '.join(peft)}")
    lines += ["", "", *_load_lines(spec), "", ""]
    if lora:
        lines += ["# LoRA: freeze the model; beside each adapted W learn B @ A (B starts at zero, so step 0 is the base)",
                  *_lora_config_lines(spec),
                  "set_seed(SEED)  # A's random start",
                  "model = get_peft_model(model, lora_config)",
                  "model.print_trainable_parameters()", "", ""]
    lines += data + ["", ""]
    if sentiment:
        labels = repr(list(spec.labels)) if spec.labels else "sorted({r['label'] for r in train_rows})"
        lines += [f"LABELS = {labels}",
                  f"MAX_LEN = {spec.max_seq_length}", "", "",
                  "def prompt_ids(text, room):",
                  "    '''`text: <text>\\nlabel:` as ids; a long text is cut so `label:` always fits.'''",
                  "    head = tokenizer(f'text: {text}')['input_ids']",
                  "    tail = tokenizer('\\nlabel:', add_special_tokens=False)['input_ids']",
                  "    return head[: max(1, room - len(tail))] + tail", "", "",
                  "def encode(row):",
                  "    '''The loss is on the label word and EOS only: the prompt's labels are -100.'''",
                  "    target = tokenizer(' ' + row['label'], add_special_tokens=False)['input_ids'] + "
                  "[tokenizer.eos_token_id]",
                  "    prompt = prompt_ids(row['text'], MAX_LEN - len(target))",
                  "    return {'input_ids': prompt + target, 'labels': [-100] * len(prompt) + target}", "", "",
                  "def collate(examples):",
                  "    '''Right-pad: ids with the pad id, labels with -100, attention 0 on the padding.'''",
                  "    width = max(len(e['input_ids']) for e in examples)",
                  "    batch = {'input_ids': [], 'labels': [], 'attention_mask': []}",
                  "    for e in examples:",
                  "        pad = width - len(e['input_ids'])",
                  "        batch['input_ids'].append(e['input_ids'] + [tokenizer.pad_token_id] * pad)",
                  "        batch['labels'].append(e['labels'] + [-100] * pad)",
                  "        batch['attention_mask'].append([1] * len(e['input_ids']) + [0] * pad)",
                  "    return {k: torch.tensor(v) for k, v in batch.items()}", "", "",
                  *_arguments(spec, "TrainingArguments", {}),
                  "trainer = Trainer(model=model, args=args, train_dataset=[encode(r) for r in train_rows],",
                  "                  eval_dataset=[encode(r) for r in test_rows], data_collator=collate,",
                  "                  processing_class=tokenizer)"]
    else:
        lines += ["# the model's chat template lays out the messages; only the assistant's tokens are learned",
                  *_arguments(spec, "SFTConfig", {"max_length": spec.max_seq_length, "assistant_only_loss": True,
                                                  "packing": False}),
                  "trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(train_rows),",
                  "                     eval_dataset=Dataset.from_list(test_rows), processing_class=tokenizer)"]
    lines += ["trainer.train()", *_keep_best_note(spec), "",
              f"OUT = {OUT + '/model'!r}",
              "trainer.save_model(OUT)  # " + ("the adapter alone: adapter_config.json + adapter_model.safetensors"
                                             if lora else "the whole fine-tuned model"),
              "tokenizer.save_pretrained(OUT)",
              "losses = [h['loss'] for h in trainer.state.log_history if 'loss' in h]"]
    if sentiment:
        lines += ["", "",
                  "@torch.no_grad()",
                  "def label_scores(text):",
                  "    '''log P(label word | prompt) for each label: the most likely word is the prediction.'''",
                  "    targets = [tokenizer(' ' + w, add_special_tokens=False)['input_ids'] for w in LABELS]",
                  "    prompt = prompt_ids(text, MAX_LEN - max(len(t) for t in targets))",
                  "    scores = []",
                  "    for target in targets:",
                  "        ids = torch.tensor([prompt + target], device=model.device)",
                  "        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)",
                  "        positions = range(len(prompt) - 1, len(prompt) - 1 + len(target))",
                  "        scores.append(sum(float(logp[p, t]) for p, t in zip(positions, target)))",
                  "    return scores", "", "",
                  "model.eval()",
                  "hits = 0",
                  "for row in test_rows:",
                  "    scores = label_scores(row['text'])",
                  "    hits += LABELS[max(range(len(LABELS)), key=scores.__getitem__)] == row['label']",
                  "print(json.dumps({'losses': losses, 'accuracy': hits / len(test_rows), 'output': OUT}))"]
    else:
        lines.append("print(json.dumps({'losses': losses, 'output': OUT}))")
    libs = ("torch", "transformers") + (("datasets", "trl") if not sentiment else ()) + (("peft",) if lora else ()) + \
        (("bitsandbytes",) if spec.qlora else ())
    how = "QLoRA" if spec.qlora else "LoRA" if lora else "full"
    what = "sentiment labels" if sentiment else "instructions (SFT)"
    return Snippet(f"Fine-tune {spec.model} on {what}, {how}", "\n".join(lines), libs)


# -- DPO ----------------------------------------------------------------------------------------
def dpo_snippet(spec: RunSpec) -> Snippet:
    spec = _prepared(spec)
    data_imports, data = _data_lines(spec, "preference")
    fresh = spec.method == "lora" and not spec.adapter
    hf = ["AutoModelForCausalLM", "AutoTokenizer", "set_seed"] + (["BitsAndBytesConfig"] if spec.qlora else [])
    peft = (["LoraConfig"] if fresh else []) + (["PeftModel"] if spec.adapter else []) + \
        (["prepare_model_for_kbit_training"] if spec.qlora else [])
    lines = data_imports + ["", "import torch", "from datasets import Dataset",
                            f"from transformers import {', '.join(hf)}", "from trl import DPOConfig, DPOTrainer"]
    if peft:
        lines.append(f"from peft import {', '.join(peft)}")
    lines += ["", "", *_load_lines(spec), ""]
    peft_config = "None"
    if spec.adapter:
        lines += [f"ADAPTER = {spec.adapter!r}",
                  "# continue the SFT adapter: trl keeps a frozen copy of it ('ref'), so the reference is the SFT model",
                  "model = PeftModel.from_pretrained(model, ADAPTER, is_trainable=True)"]
    elif fresh:
        lines += ["# a fresh LoRA adapter: the reference is the base model itself (the adapter switched off)",
                  *_lora_config_lines(spec)]
        peft_config = "lora_config"
    else:
        lines.append("# full fine-tuning: trl keeps a frozen copy of the model as the reference")
    lines += ["", "", *data, "", "",
              "def as_chat(row):",
              "    '''With a chat template the answers are learned as the assistant's turn.'''",
              "    roles = {'prompt': 'user', 'chosen': 'assistant', 'rejected': 'assistant'}",
              "    return {k: v if isinstance(v, list) else [{'role': roles[k], 'content': v}] for k, v in row.items()}",
              "", "",
              "if tokenizer.chat_template:",
              "    train_rows, test_rows = [as_chat(r) for r in train_rows], [as_chat(r) for r in test_rows]", "",
              *_arguments(spec, "DPOConfig", {"beta": spec.beta, "loss_type": [spec.loss_type],
                                              "max_length": spec.max_seq_length, "precompute_ref_log_probs": False}),
              "set_seed(SEED)" + ("  # the adapter's random start" if fresh else ""),
              "trainer = DPOTrainer(model=model, args=args, train_dataset=Dataset.from_list(train_rows),",
              "                     eval_dataset=Dataset.from_list(test_rows), processing_class=tokenizer,",
              f"                     peft_config={peft_config})",
              "trainer.train()", *_keep_best_note(spec), "",
              f"OUT = {OUT + '/model'!r}"]
    if spec.adapter:
        lines.append("trainer.model.delete_adapter('ref')  # save the trained adapter alone")
    lines += ["trainer.save_model(OUT)", "tokenizer.save_pretrained(OUT)",
              "history = [h for h in trainer.state.log_history if 'loss' in h]",
              "print(json.dumps({'losses': [h['loss'] for h in history],",
              "                  'margins': [h.get('rewards/margins') for h in history], 'output': OUT}))"]
    libs = ("torch", "transformers", "datasets", "trl") + (("peft",) if spec.method == "lora" or spec.adapter else ()) + \
        (("bitsandbytes",) if spec.qlora else ())
    how = "continuing an SFT adapter" if spec.adapter else "LoRA" if fresh else "full"
    return Snippet(f"Preference-tune {spec.model} with DPO ({how}, beta {spec.beta:g})", "\n".join(lines), libs)
