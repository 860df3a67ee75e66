"""The morphology lab as plain KoNLPy: an analyser's ``pos``, ``morphs`` and ``nouns`` with the lab's
options (Okt's ``norm`` and ``stem``), for one analyser or several side by side."""

from __future__ import annotations

from ..tokenize.morph import MorphConfig
from .snippet import Snippet

_CLASSES = {"okt": "Okt", "komoran": "Komoran", "hannanum": "Hannanum", "kkma": "Kkma", "mecab": "Mecab"}


def morphs_snippet(text: str, config: MorphConfig, *, analyzers: tuple[str, ...] | list[str] | None = None) -> Snippet:
    """Analyse ``text`` as the lab does: ``config.analyzer`` (or each of ``analyzers``, the F5 / --all
    view) with ``config.norm``/``config.stem`` (Okt only)."""
    names = list(dict.fromkeys(analyzers or [config.analyzer]))
    classes = ", ".join(_CLASSES[n] for n in names)
    lines = ["import json", "", f"from konlpy.tag import {classes}", "", "",
             f"text = {text!r}", "results = {}"]
    for name in names:
        cls = _CLASSES[name]
        lines += ["", f"tagger = {cls}()  # the first analyser starts the JVM (seconds)"]
        if name == "okt":
            lines += [f"pos = tagger.pos(text, norm={config.norm}, stem={config.stem})"
                      + ("  # norm: informal spellings; stem: dictionary forms" if config.norm or config.stem else ""),
                      "morphs = [m for m, _ in pos]  # with norm/stem, the morphemes of the same analysis"]
        else:
            lines += ["pos = tagger.pos(text)", "morphs = tagger.morphs(text)"]
        lines += ["nouns = tagger.nouns(text)",
                  f"print({name!r}, ' + '.join(f'{{m}}/{{t}}' for m, t in pos))",
                  "print('  nouns:', ', '.join(nouns) or '-')",
                  f"results[{name!r}] = {{'morphs': morphs, 'pos': [list(p) for p in pos], 'nouns': nouns}}"]
    lines.append("print(json.dumps(results, ensure_ascii=False))")
    options = ", ".join(o for o, on in (("norm", config.norm), ("stem", config.stem)) if on and "okt" in names)
    title = f"Korean morphemes with KoNLPy's {' / '.join(_CLASSES[n] for n in names)}" + \
        (f" ({options})" if options else "")
    return Snippet(title, "\n".join(lines), ("konlpy",))
