"""Korean morphological analysis with KoNLPy: morphemes, POS tags and nouns, analyser by analyser.

KoNLPy's analysers (Okt, Komoran, Hannanum, Kkma) run on Java through JPype; Mecab is a
separate native install. Starting the JVM and loading an analyser's dictionaries takes
seconds (Kkma and Komoran about ten on a busy 2-core machine), so analysers are made
once per process and kept (:func:`analyser`). Java missing is one clear
:class:`~engine.errors.DojoError` with the fix; everything else in the labs that does
not need Java keeps working.

Okt alone has options: ``norm`` (normalise spoken spellings such as 닼ㅋㅋ) and ``stem``
(verbs and adjectives back to their dictionary form: 들어가신다 -> 들어가다).

Komoran throws a Java NullPointerException on blank text, so blank text is refused here
first, with a message.
"""

from __future__ import annotations

import locale
import threading
import time
from dataclasses import dataclass, field

from ..config import setting
from ..errors import DojoError
from ..messages import Notice

ANALYZERS = ("okt", "komoran", "hannanum", "kkma", "mecab")
JAVA_ANALYZERS = ("okt", "komoran", "hannanum", "kkma")
MAX_CHARS = 20_000
"""Analysers are slow on long text (Kkma most of all): the lab is for sentences and paragraphs."""
_lock = threading.Lock()
_made: dict[str, object] = {}


@dataclass(frozen=True)
class MorphConfig:
    analyzer: str = setting("okt", choices=ANALYZERS)
    """Which KoNLPy analyser: okt (fast, informal text), komoran, hannanum, kkma (slow, detailed tags) or
    mecab (only when mecab-ko is installed)."""
    norm: bool = False
    """Okt only: normalise informal spellings before analysing (e.g. 닼ㅋㅋ -> 다 ㅋㅋ)."""
    stem: bool = False
    """Okt only: give verbs and adjectives in their dictionary form (들어가신다 -> 들어가다)."""

    def __post_init__(self) -> None:
        if self.analyzer not in ANALYZERS:
            raise DojoError.keyed("morph.unknown_analyzer", name=self.analyzer, names=", ".join(ANALYZERS))


@dataclass(frozen=True)
class MorphResult:
    analyzer: str
    text: str
    morphs: tuple[str, ...]
    pos: tuple[tuple[str, str], ...]
    nouns: tuple[str, ...]
    seconds: float
    """Time for the analysis itself (analyser start-up not included)."""
    norm: bool = False
    stem: bool = False
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"analyzer": self.analyzer, "text": self.text, "morphs": list(self.morphs),
                "pos": [list(p) for p in self.pos], "nouns": list(self.nouns), "seconds": round(self.seconds, 4),
                "norm": self.norm, "stem": self.stem, "notices": [n.to_dict() for n in self.notices]}


def check_java() -> None:
    """Raise the keyed 'Java is missing' error when JPype cannot find a JVM."""
    try:
        import jpype
    except ImportError:  # pragma: no cover - konlpy depends on it
        raise DojoError("JPype1 is not installed; run: pip install konlpy") from None
    try:
        jpype.getDefaultJVMPath()
    except Exception as exc:  # JVMNotFoundException, or a broken JAVA_HOME
        raise DojoError.keyed("morph.no_java", detail=str(exc).splitlines()[0][:120]) from None


def analyser(name: str):
    """The KoNLPy analyser ``name``, made once per process."""
    if name not in ANALYZERS:
        raise DojoError.keyed("morph.unknown_analyzer", name=name, names=", ".join(ANALYZERS))
    with _lock:
        if name in _made:
            return _made[name]
        if name == "mecab":
            try:
                from konlpy.tag import Mecab

                made = Mecab()
            except Exception:
                raise DojoError.keyed("morph.no_mecab") from None
        else:
            check_java()
            from konlpy import tag

            saved = locale.setlocale(locale.LC_ALL)  # starting the JVM resets the C locale from the
            try:  # environment, which can turn Python's default text encoding into ASCII
                made = {"okt": tag.Okt, "komoran": tag.Komoran, "hannanum": tag.Hannanum, "kkma": tag.Kkma}[name]()
            finally:
                locale.setlocale(locale.LC_ALL, saved)
        _made[name] = made
        return made


def check_text(text: str) -> str:
    if not text or not text.strip():
        raise DojoError.keyed("morph.empty_text")
    if len(text) > MAX_CHARS:
        raise DojoError(f"the text is {len(text):,} characters; analyse at most {MAX_CHARS:,} at a time")
    from .playground import clean_text

    return clean_text(text)[0]


def analyze(text: str, config: MorphConfig = MorphConfig()) -> MorphResult:
    """Morphemes, POS tags and nouns of ``text`` from one analyser.

    Called from a thread other than the main one (a UI worker), the thread is detached from
    the JVM afterwards: JPype attaches it on first use, and a finished thread still attached
    makes the JVM's shutdown wait for ever when the program exits."""
    try:
        return _analyze(text, config)
    finally:
        if threading.current_thread() is not threading.main_thread():
            _detach()


def _detach() -> None:
    try:
        import jpype

        if jpype.isJVMStarted():
            jpype.java.lang.Thread.detach()
    except Exception:  # pragma: no cover - nothing to detach
        pass


def _analyze(text: str, config: MorphConfig) -> MorphResult:
    text = check_text(text)
    tagger = analyser(config.analyzer)
    notices: list[Notice] = []
    if config.analyzer != "okt" and (config.norm or config.stem):
        notices.append(Notice("morph.okt_only", {"analyzer": config.analyzer}))
    started = time.perf_counter()
    if config.analyzer == "okt":
        pos = tagger.pos(text, norm=config.norm, stem=config.stem)
        morphs = [m for m, _ in pos]
    else:
        pos = tagger.pos(text)
        morphs = tagger.morphs(text)
    nouns = tagger.nouns(text)
    return MorphResult(config.analyzer, text, tuple(morphs), tuple((m, t) for m, t in pos), tuple(nouns),
                       time.perf_counter() - started, config.analyzer == "okt" and config.norm,
                       config.analyzer == "okt" and config.stem, tuple(notices))


def installed() -> list[str]:
    """The analysers that can run here: the Java four when Java is found, Mecab when importable."""
    out = []
    try:
        check_java()
        out += list(JAVA_ANALYZERS)
    except DojoError:
        pass
    try:
        analyser("mecab")
        out.append("mecab")
    except DojoError:
        pass
    return out
