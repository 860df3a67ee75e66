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


def words_snippet(text: str, subwords: tuple[str, ...] | list[str] = ("dojo-tiny", "dojo-tiny-mlm")) -> Snippet:
    """The word splitters beside the morphemes: whitespace, NLTK's tokenizers that need no data, and the
    subword tokenizers (``tokenizer words``, the lab's splits panel)."""
    from .tokenizer import tokenizer_path

    paths = {name: tokenizer_path(name) for name in dict.fromkeys(subwords)}
    lines = ["import json", "", "from nltk import tokenize", "from tokenizers import Tokenizer", "", "",
             f"text = {text!r}",
             "splitters = {",
             "    'whitespace': str.split,",
             "    'treebank': tokenize.TreebankWordTokenizer().tokenize,",
             "    'wordpunct': tokenize.WordPunctTokenizer().tokenize,",
             "    'regexp': tokenize.RegexpTokenizer(r'\\w+').tokenize,",
             "    'tweet': tokenize.TweetTokenizer().tokenize,",
             "}",
             "# tokenize.word_tokenize needs the punkt_tab data: nltk.download('punkt_tab') where there is a network",
             "splits = {name: split(text) for name, split in splitters.items()}",
             f"for name, path in {paths!r}.items():",
             "    encoding = Tokenizer.from_file(path).encode(text, add_special_tokens=False)",
             "    splits[name] = encoding.tokens  # byte-level pieces show bytes as GPT-2's stand-in characters",
             "    splits[name + ':ids'] = encoding.ids",
             "for name, pieces in splits.items():",
             "    if not name.endswith(':ids'):",
             "        print(f'{name} ({len(pieces)}): ' + '|'.join(pieces))",
             "print(json.dumps(splits, ensure_ascii=False))"]
    return Snippet("Words, NLTK's tokenizers and subwords", "\n".join(lines), ("nltk", "tokenizers"))
