"""Import a GGUF file (llama.cpp, Ollama, LM Studio) as an ordinary transformers model folder.

transformers reads GGUF through the ``gguf`` package and dequantises every tensor to
the dtype asked for (fp32 here). Such a model cannot be saved as it is
(``save_pretrained`` refuses: "quantized with gguf and is not serializable"), so the
import drops ``quantization_config``, builds a fresh model from the config, copies the
state dict over (every key matches) and saves that: plain safetensors, config,
tokenizer with its chat template, and a model card (``README.md``) saying where the
weights came from, their licence, the sha256 of the GGUF file and that they passed
through 4-bit (or 8-bit...) quantisation, so they are close to, not equal to, the
original release.

The result lands in the user's models folder (:func:`engine.paths.models_dir`) under a
name that ``--model NAME`` resolves everywhere. Models fetched from PyPI rather than a
file (``smollm2-135m-instruct``) are :mod:`engine.models.pypi_models`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import DojoError
from ..paths import models_dir

GGUF_MAGIC = b"GGUF"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
CARD_FILE = "README.md"
IMPORT_FILE = "dojo_import.json"
"""Machine-readable provenance written beside the card (``llm-dojo models`` reads it)."""

# GGUF's architecture names that transformers maps to another model type.
_ARCH_ALIASES = {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe", "gpt-oss": "gpt_oss", "minimax-m2": "minimax_m2",
                 "t5encoder": "t5"}


@dataclass(frozen=True)
class ImportEvent:
    stage: str  # check | download | extract | read | convert | save | done
    fraction: float
    detail: str = ""


@dataclass
class GGUFInfo:
    """What a GGUF file says about itself, read from its header (no tensor data)."""

    path: str
    architecture: str
    model_name: str
    parameters: int
    tensor_types: dict[str, int]  # quantisation type -> number of tensors
    chat_template: bool
    context_length: int | None
    file_bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Imported:
    name: str
    path: Path
    info: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# reading the header


def supported_architectures() -> list[str]:
    """GGUF architectures this transformers can turn into a model."""
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    return sorted(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("general", "tokenizer"))


def supported_tensor_types() -> list[str]:
    """Tensor types the ``gguf`` package can dequantise (plain floats and the quant types it knows)."""
    from gguf import GGMLQuantizationType as T
    from gguf.quants import _type_traits

    plain = {T.F32, T.F16, T.BF16, T.F64, T.I8, T.I16, T.I32, T.I64}
    return sorted(t.name for t in T if t in plain or t in _type_traits)


def _field(reader: Any, key: str) -> Any:
    f = reader.fields.get(key)
    if f is None or not f.data:
        return None
    return f.contents()


def read_gguf(path: str | Path) -> GGUFInfo:
    """Check ``path`` is a GGUF file transformers can convert; raise one teaching line if not."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DojoError(f"{path} does not exist; give the path of a .gguf file (from Ollama, LM Studio or llama.cpp)")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise DojoError(f"{path} is not a GGUF file (it does not start with the bytes 'GGUF'); "
                        "a GGUF model file is one large .gguf file, as Ollama, LM Studio and llama.cpp use")
    from gguf import GGUFReader

    try:
        reader = GGUFReader(str(path))
    except Exception as exc:  # truncated or damaged header
        raise DojoError(f"{path} is a damaged GGUF file ({type(exc).__name__}: {str(exc)[:100]}); "
                        "download or copy it again") from None
    arch = _field(reader, "general.architecture") or "?"
    supported = supported_architectures()
    if arch not in supported and _ARCH_ALIASES.get(arch) not in supported:
        raise DojoError(f"{path.name} is a {arch!r} model, which transformers cannot read from GGUF; "
                        f"supported architectures: {', '.join(supported)}")
    types: dict[str, int] = {}
    params = 0
    for t in reader.tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
        params += int(t.n_elements)
    bad = sorted(set(types) - set(supported_tensor_types()))
    if bad:
        raise DojoError(f"{path.name} stores tensors as {', '.join(bad)}, which the gguf package cannot dequantise; "
                        f"use a file quantised as one of Q4_0, Q4_1, Q4_K, Q5_K, Q6_K, Q8_0, F16 or F32")
    ctx = _field(reader, f"{arch}.context_length")
    return GGUFInfo(str(path), arch, str(_field(reader, "general.name") or path.stem), params, types,
                    _field(reader, "tokenizer.chat_template") is not None,
                    int(ctx) if ctx is not None else None, path.stat().st_size)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# names, space


def check_name(name: str, *, force: bool = False) -> Path:
    """The folder ``name`` will take in the models dir; refuses bad or taken names."""
    from .resolve import embedded_models

    if not NAME_RE.match(name):
        raise DojoError(f"model name {name!r} is not allowed; use lower-case letters, digits, '.', '_' and '-' "
                        "(at most 64), e.g. --name my-model")
    if name in embedded_models():
        raise DojoError(f"{name!r} is the name of a built-in model; choose another with --name")
    target = models_dir() / name
    if target.exists() and not force:
        raise DojoError(f"a model named {name!r} is already installed at {target}; "
                        "pass --force to replace it, or choose another name with --name")
    return target


def default_name(info: GGUFInfo) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "-", info.model_name.lower()).strip("-._") or "gguf-model"
    return base[:64]


def check_space(folder: Path, needed: int, what: str) -> None:
    """Raise before starting when the disk holding ``folder`` has less than ``needed`` bytes free."""
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise DojoError(f"not enough disk space for {what}: it needs about {needed / 2**20:,.0f} MB at {folder}, "
                        f"which has {free / 2**20:,.0f} MB free; free some space or set LLM_DOJO_HOME to a larger disk")


def _disk_full(exc: OSError, folder: Path) -> DojoError:
    return DojoError(f"the disk filled up while writing {folder} ({exc.strerror}); "
                     "free some space or set LLM_DOJO_HOME to a larger disk, then run the command again")


# ---------------------------------------------------------------------------------------------
# conversion


def _card(name: str, info: GGUFInfo, sha: str, source: str, licence: str, original: str | None,
          parameters: int, languages: str | None) -> str:
    from importlib.metadata import version

    import transformers

    quant = ", ".join(f"{k} x{v}" for k, v in sorted(info.tensor_types.items()))
    low_bit = [k for k in info.tensor_types if k.startswith(("Q", "IQ", "TQ"))]
    bits = ("The GGUF file stores its weights quantised (" + ", ".join(sorted(low_bit)) + "); the import "
            "dequantised them to fp32. They went through that quantisation round trip (a 4-bit round trip for "
            "Q4 types), so they are close to, not equal to, the original weights."
            if low_bit else "The GGUF file stores plain floating-point weights; the import converted them to fp32.")
    lines = [
        f"# {name}",
        "",
        f"Imported into LLM Dojo from a GGUF file with transformers {transformers.__version__} "
        f"(gguf {version('gguf')}).",
        "",
        f"* Source: {source}",
        f"* Original model: {original or info.model_name}",
        f"* Licence: {licence}",
        f"* Languages: {languages or 'see the original model card'}",
        f"* Architecture: {info.architecture}, {parameters:,} parameters",
        f"* GGUF file: {Path(info.path).name}, {info.file_bytes:,} bytes, sha256 {sha}",
        f"* Tensor types in the GGUF file: {quant}",
        f"* Chat template: {'yes' if info.chat_template else 'no'}",
        "",
        "## Quantisation",
        "",
        bits,
        "",
    ]
    return "\n".join(lines)


def _load_gguf(gguf_path: Path, out: dict) -> Iterator[ImportEvent]:
    """Load tokenizer and model from the GGUF file in a thread, reporting tensors dequantised so far.

    transformers walks the tensors inside a plain ``tqdm`` loop, which would draw its own
    bar over ours; for the duration of the load that loop is given a counter instead."""
    import torch
    import transformers.modeling_gguf_pytorch_utils as gguf_utils
    from transformers import AutoModelForCausalLM, AutoTokenizer

    state = {"done": 0, "total": 0}

    def counting(iterable, *args: Any, **kwargs: Any):
        items = list(iterable)
        state["total"] = len(items)
        for item in items:
            yield item
            state["done"] += 1

    folder, file = str(gguf_path.parent), gguf_path.name

    def work() -> None:
        try:
            out["tokenizer"] = AutoTokenizer.from_pretrained(folder, gguf_file=file)
            out["model"] = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
        except BaseException as exc:  # handed to the caller's thread below
            out["error"] = exc

    original = gguf_utils.tqdm
    gguf_utils.tqdm = counting
    try:
        worker = threading.Thread(target=work, name="gguf-load", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.25)
            if state["total"]:
                yield ImportEvent("convert", 0.1 + 0.45 * state["done"] / state["total"],
                                  f"dequantised {state['done']}/{state['total']} tensors")
    finally:
        gguf_utils.tqdm = original
    exc = out.get("error")
    if isinstance(exc, (ValueError, NotImplementedError, KeyError)):
        raise DojoError(f"transformers could not convert {file} ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:140]}); supported architectures: "
                        f"{', '.join(supported_architectures())}") from None
    if exc is not None:
        raise exc


class Cancelled(DojoError):
    """The person stopped an import; nothing was left in the models dir."""


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("import cancelled; nothing was installed")


def convert_events(gguf_path: str | Path, name: str, *, force: bool = False, source: str | None = None,
                   licence: str = "unknown (see the original model's card)", original: str | None = None,
                   languages: str | None = None, sha256: str | None = None,
                   cancel: threading.Event | None = None) -> Iterator[ImportEvent | Imported]:
    """Convert one GGUF file into ``<models dir>/<name>``, reporting progress as events.

    ``cancel`` is checked between stages (a conversion in flight finishes its load first)."""
    gguf_path = Path(gguf_path).expanduser()
    yield ImportEvent("check", 0.02, str(gguf_path))
    info = read_gguf(gguf_path)
    target = check_name(name, force=force)
    # fp32 weights on disk (4 bytes a parameter) plus tokenizer files and some slack
    needed = info.parameters * 4 + 64 * 2**20
    check_space(target.parent, needed, f"the fp32 model {name}")
    yield ImportEvent("read", 0.05, f"{info.architecture}, {info.parameters:,} parameters, "
                                    f"{', '.join(sorted(info.tensor_types))}; about {needed / 2**20:,.0f} MB on disk")
    sha = sha256 or sha256_file(gguf_path)
    _check_cancel(cancel)
    yield ImportEvent("convert", 0.1, "dequantising the weights to fp32")
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    loaded: dict[str, Any] = {}
    for ev in _load_gguf(gguf_path, loaded):
        yield ev
    tokenizer, gguf_model = loaded["tokenizer"], loaded["model"]
    _check_cancel(cancel)
    yield ImportEvent("convert", 0.6, "rebuilding a plain model (GGUF-loaded models cannot be saved as they are)")
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.name_or_path = name
    with torch.device("meta"):  # shapes only: no time spent on a random initialisation
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(gguf_model.state_dict(), strict=False, assign=True)
    model.tie_weights()
    tied = {k for k in missing if k.endswith("lm_head.weight")} if getattr(config, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise DojoError(f"the converted {info.architecture} weights do not fit the model transformers builds "
                        f"(missing {sorted(set(missing) - tied)[:3]}, unexpected {sorted(unexpected)[:3]}); "
                        "this GGUF file is not supported")
    still_meta = [n for n, p in model.named_parameters() if p.is_meta]
    if still_meta:
        raise DojoError(f"the converted {info.architecture} model lacks weights for {still_meta[:3]}; "
                        "this GGUF file is not supported")
    if getattr(gguf_model, "generation_config", None) is not None:
        model.generation_config = gguf_model.generation_config
    model.eval()
    parameters = int(model.num_parameters())
    del gguf_model
    _check_cancel(cancel)
    yield ImportEvent("save", 0.7, f"writing {target}")
    staging = Path(tempfile.mkdtemp(prefix=f".importing-{name}-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / CARD_FILE).write_text(
            _card(name, info, sha, source or f"the GGUF file {gguf_path}", licence, original, parameters, languages),
            encoding="utf-8")
        record = {"name": name, "source": source or str(gguf_path), "gguf_file": gguf_path.name, "sha256": sha,
                  "licence": licence, "original": original or info.model_name, "architecture": info.architecture,
                  "tensor_types": info.tensor_types, "parameters": parameters, "imported_at": time.time()}
        (staging / IMPORT_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise _disk_full(exc, target) from None
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    yield ImportEvent("done", 1.0, f"{name}: {parameters:,} parameters at {target}")
    yield Imported(name, target, {**record, "path": str(target)})


# ---------------------------------------------------------------------------------------------
# a known model through pip


def import_record(folder: Path) -> dict:
    try:
        return json.loads((folder / IMPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
