"""The tokenizer lab as plain Python: ``tokenizers`` (and ``transformers``) for the playground and the
training form, and the step-through written out as a readable loop.

* :func:`inspect_snippet`: ``Tokenizer.from_file(<its tokenizer.json>)``, ``encode``: ids, tokens and
  character offsets, as the playground shows them (and, with ``details``, transformers' checklist).
* :func:`train_snippet`: the same ``tokenizers.implementations`` class with the form's values, on the
  same documents (a built-in corpus is written once, as the lab read it, to a JSON-lines file under
  ``<home>/code/data/``, so the snippet reads a local file).
* :func:`steps_snippet`: BPE's merge loop over word frequencies, WordPiece's score, Unigram's pruning,
  with the lab's tie rules, printing every step the lab shows.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..tokenize.steps import StepConfig
from ..tokenize.train import SAMPLE, TokenizerTrainConfig
from .snippet import Snippet


def tokenizer_path(name: str) -> str:
    """The tokenizer.json the playground loads for ``name`` (embedded, trained here, a path, the HF cache)."""
    from ..tokenize.playground import tokenizer_file

    return str(tokenizer_file(name))


# ----- the playground ---------------------------------------------------------------------------
def inspect_snippet(name: str, text: str, *, details: bool = False) -> Snippet:
    """Split ``text`` with the tokenizer ``name`` as the playground does (no special tokens added)."""
    path = tokenizer_path(name)
    lines = ["import json", "", "from tokenizers import Tokenizer"]
    if details:
        lines.append("from transformers import AutoTokenizer, PreTrainedTokenizerFast")
    lines += ["", "", f"TOKENIZER = {path!r}", f"text = {text!r}", "",
              "tokenizer = Tokenizer.from_file(TOKENIZER)",
              "encoding = tokenizer.encode(text, add_special_tokens=False)",
              "# offsets are character ranges in text; a byte-level token that is only part of a character",
              "# (a Hangul syllable is 3 UTF-8 bytes) decodes to U+FFFD on its own",
              "for i, (tid, token, (start, end)) in enumerate(zip(encoding.ids, encoding.tokens, encoding.offsets)):",
              "    print(f'{i:>4} {tid:>7}  {token!r:<16} chars {start}-{end}  {tokenizer.decode([tid])!r}')",
              "decoded = tokenizer.decode(encoding.ids, skip_special_tokens=False)",
              "print(f'{len(encoding.ids)} tokens for {len(text)} characters; round trip exact: {decoded == text}')",
              "result = {'ids': encoding.ids, 'tokens': encoding.tokens, 'offsets': encoding.offsets, "
              "'decoded': decoded}"]
    if details:
        config = Path(path).parent / "tokenizer_config.json"
        lines += ["", "", "# what transformers says about it (the details panel)"]
        if config.exists():
            lines.append(f"hf = AutoTokenizer.from_pretrained({str(Path(path).parent)!r})")
        else:
            lines.append("hf = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER)")
        lines += ["ids = hf(text, add_special_tokens=True)['input_ids']",
                  "tokens = hf.convert_ids_to_tokens(ids)",
                  "print(type(hf).__name__, 'len', len(hf), 'model_max_length', hf.model_max_length,",
                  "      'inputs', hf.model_input_names)",
                  "print('special tokens:', hf.special_tokens_map)",
                  "print('convert_ids_to_tokens:', tokens)",
                  "print('convert_tokens_to_string:', repr(hf.convert_tokens_to_string(tokens)))",
                  "result['details'] = {'ids': ids, 'tokens': tokens, 'vocab_size': len(hf),",
                  "                     'as_string': hf.convert_tokens_to_string(tokens)}"]
    lines.append("print(json.dumps(result, ensure_ascii=False))")
    libs = ("tokenizers", "transformers") if details else ("tokenizers",)
    return Snippet(f"Tokenize a text with {name}", "\n".join(lines), libs)


def compare_snippet(text: str, names) -> Snippet:
    """The compare tab: words, characters and each tokenizer on the same text, with the lab's rates."""
    paths = {name: tokenizer_path(name) for name in dict.fromkeys(names)}
    lines = ["import json", "", "from tokenizers import Tokenizer", "", "",
             f"text = {text!r}", f"TOKENIZERS = {paths!r}", "n_chars, n_bytes = len(text), len(text.encode('utf-8'))",
             "rows = {'words': (text.split(), 0), 'characters': ([c for c in text if not c.isspace()], 0)}",
             "exact = {'words': True, 'characters': True}",
             "for name, path in TOKENIZERS.items():",
             "    tokenizer = Tokenizer.from_file(path)",
             "    ids = tokenizer.encode(text, add_special_tokens=False).ids",
             "    model = json.loads(tokenizer.to_str())['model']  # the unknown token, for the unknown rate",
             "    unk = model.get('unk_token')",
             "    unk_id = tokenizer.token_to_id(unk) if isinstance(unk, str) else None",
             "    if model['type'] == 'Unigram' and isinstance(model.get('unk_id'), int):",
             "        unk_id = model['unk_id']",
             "    unknown = ids.count(unk_id) if unk_id is not None else 0",
             "    rows[name] = ([tokenizer.id_to_token(i) for i in ids], unknown)",
             "    exact[name] = tokenizer.decode(ids, skip_special_tokens=False) == text",
             "result = {}",
             "print(f'{\"split\":<24} {\"tokens\":>6} {\"chr/tok\":>7} {\"byte/tok\":>8} {\"unk\":>5}  exact')",
             "for name, (pieces, unknown) in rows.items():",
             "    n = len(pieces) or 1  # characters and bytes per token: more is a better compression",
             "    result[name] = {'tokens': len(pieces), 'chars_per_token': n_chars / n,",
             "                    'bytes_per_token': n_bytes / n, 'unknown_rate': unknown / n, 'roundtrip': exact[name]}",
             "    print(f'{name:<24} {len(pieces):>6} {n_chars / n:>7.2f} {n_bytes / n:>8.2f} {unknown / n:>5.0%}  '",
             "          f'{exact[name]}  ' + '|'.join(pieces[:10]))",
             "print(json.dumps(result, ensure_ascii=False))"]
    return Snippet(f"Compare {len(paths)} tokenizers on one text", "\n".join(lines), ("tokenizers",))


# ----- training -----------------------------------------------------------------------------------
def corpus_file(corpus: str) -> Path:
    """The training documents of a built-in corpus, as the lab reads them, one JSON string a line
    (written once under ``<home>/code/data/``; documents keep their line breaks)."""
    from ..paths import home
    from ..tokenize.train import corpus_texts

    path = home() / "code" / "data" / f"tokenizer-{corpus}-train.jsonl"
    if not path.is_file():
        texts = corpus_texts(corpus)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
        tmp.replace(path)
    return path


_CLASSES = {"byte-level-bpe": ("ByteLevelBPETokenizer", ["<|endoftext|>"]),
            "char-bpe": ("CharBPETokenizer", ["<unk>"]),
            "bert-wordpiece": ("BertWordPieceTokenizer", ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]),
            "sentencepiece-bpe": ("SentencePieceBPETokenizer", ["<unk>"]),
            "sentencepiece-unigram": ("SentencePieceUnigramTokenizer", ["<unk>"])}

_HANGUL = '''

def common_hangul():
    """The 2,350 common Hangul syllables of KS X 1001, read through the EUC-KR codec."""
    out = []
    for hi in range(0xB0, 0xC9):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("euc-kr")
            except UnicodeDecodeError:
                continue
            if "\\uac00" <= ch <= "\\ud7a3":
                out.append(ch)
    return out
'''


def train_snippet(config: TokenizerTrainConfig) -> Snippet:
    """Train the tokenizer the form describes, save it and split the lab's sample sentence."""
    extra = config.hangul_alphabet and (config.base or config.kind != "byte-level-bpe")
    lines = ["import json", "import os"]
    if config.normalizer in ("nfc", "nfkc") and not config.base:
        lines.append("import unicodedata")
    lines.append("")
    lines.append("from transformers import AutoTokenizer" if config.base else "from tokenizers import implementations")
    if extra:
        lines.append(_HANGUL.rstrip())
    lines += ["", ""]
    if config.file:
        lines += [f"CORPUS = {str(Path(config.file).expanduser())!r}",
                  "# every non-empty line of the file is one training text",
                  "with open(CORPUS, encoding='utf-8') as f:",
                  "    texts = [line for line in f.read().splitlines() if line.strip()]"]
    else:
        lines += [f"CORPUS = {str(corpus_file(config.corpus))!r}",
                  f"# the {config.corpus} training documents as LLM Dojo reads them (every 10th held out), one JSON "
                  "string a line",
                  "with open(CORPUS, encoding='utf-8') as f:",
                  "    texts = [json.loads(line) for line in f]"]
    if not config.base:
        if config.normalizer in ("nfc", "nfkc"):
            lines.append(f"texts = [unicodedata.normalize({config.normalizer.upper()!r}, t) for t in texts]")
        elif config.normalizer == "lowercase":
            lines.append("texts = [t.lower() for t in texts]")
    lines.append(f"OUT = {config.save_name!r}")
    if config.base:
        from .generation import model_path

        lines += ["", f"base = AutoTokenizer.from_pretrained({model_path(config.base)!r})",
                  "# same normaliser, pre-tokeniser and special tokens as the base; a new vocabulary",
                  f"new = base.train_new_from_iterator(texts, vocab_size={config.vocab_size}, "
                  f"initial_alphabet={'common_hangul()' if extra else '[]'})",
                  "tokenizer = new.backend_tokenizer"]
    else:
        cls, specials = _CLASSES[config.kind]
        norm = None if config.normalizer in ("none", "lowercase") else config.normalizer
        lower = config.normalizer == "lowercase"
        args = {"byte-level-bpe": f"lowercase={lower}, unicode_normalizer={norm!r}",
                "char-bpe": f"lowercase={lower}, unicode_normalizer={norm!r}",
                "bert-wordpiece": f"lowercase={lower}, strip_accents=False"}.get(config.kind, "")
        lines.append("")
        if config.kind == "bert-wordpiece":
            lines.append("# strip_accents=False: stripping accents (NFD) would split Hangul syllables into jamo")
        lines.append(f"tokenizer = implementations.{cls}({args})")
        if config.kind in ("char-bpe", "bert-wordpiece", "sentencepiece-bpe"):
            lines += ["alphabet = {ch for t in texts for ch in t if not ch.isspace()}" +
                      (" | set(common_hangul())" if extra else "")]
        kwargs = [f"vocab_size={config.vocab_size}", f"special_tokens={specials!r}"]
        if config.kind != "sentencepiece-unigram":
            kwargs.append(f"min_frequency={config.min_frequency}")
        if config.kind in ("char-bpe", "bert-wordpiece", "sentencepiece-bpe"):
            kwargs.append("limit_alphabet=len(alphabet) + 1,  # keep every character the corpus has")
        if extra:
            kwargs.append("initial_alphabet=common_hangul()")
        if config.kind == "sentencepiece-unigram":
            kwargs.append("unk_token='<unk>'")
        lines.append("tokenizer.train_from_iterator(")
        lines += [f"    texts, {kwargs[0]}, {kwargs[1]},"] + [f"    {k}" if k.endswith("has") else f"    {k},"
                                                               for k in kwargs[2:]] + ["    show_progress=False,", ")"]
    lines += ["os.makedirs(OUT, exist_ok=True)",
              "tokenizer.save(os.path.join(OUT, 'tokenizer.json'))  # load it with Tokenizer.from_file or "
              "PreTrainedTokenizerFast",
              "", "", f"sample = {SAMPLE!r}",
              "encoding = tokenizer.encode(sample, add_special_tokens=False)",
              "print('vocabulary', tokenizer.get_vocab_size(), 'saved in', OUT)",
              "print(' | '.join(tokenizer.decode([i]) for i in encoding.ids))",
              "# the tokens and merges are the same every run; the ids of the first symbols may not be (tokenizers",
              "# numbers the alphabet in a hash map's order, which changes between runs)",
              "print(json.dumps({'vocab_size': tokenizer.get_vocab_size(), 'sample_tokens': encoding.tokens},",
              "                 ensure_ascii=False))"]
    libs = ("transformers",) if config.base else ("tokenizers",)
    what = f"retrain {config.base}'s tokenizer" if config.base else f"Train a {config.kind} tokenizer"
    return Snippet(f"{what[0].upper()}{what[1:]} on {Path(config.file).name if config.file else config.corpus} "
                   f"(vocabulary {config.vocab_size})", "\n".join(lines), libs)


# ----- the step-through ---------------------------------------------------------------------------
def _table_lines(table, example: str | None) -> list[str]:
    if example and example.startswith("kolaw-top"):
        from konlpy.corpus import kolaw

        top = int(example.rsplit("top", 1)[1])
        return [f"CONSTITUTION = {kolaw.abspath('constitution.txt')!r}  # shipped with KoNLPy",
                "with open(CONSTITUTION, encoding='utf-8') as f:",
                "    # runs of Hangul syllables with their counts; equal counts in order of first appearance",
                f"    word_freqs = Counter(re.findall(r'[\\uac00-\\ud7a3]+', f.read())).most_common({top})"]
    rows = ", ".join(f"({w!r}, {c})" for w, c in table)
    return ["# (word, count) in order: ties go to the pair counted first, so the order is part of the example",
            f"word_freqs = [{rows}]"]


_MERGE = '''

def merge(symbols, a, b, merged):
    """Replace every non-overlapping a, b (left to right) by merged."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(merged)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out
'''

_BPE = '''

def count_pairs(words):
    """Adjacent symbol pairs, each counted as often as its word occurs (first seen first)."""
    pairs = {}
    for symbols, count in words:
        for a, b in zip(symbols, symbols[1:]):
            pairs[(a, b)] = pairs.get((a, b), 0) + count
    return pairs


words = [(list(word) + END, count) for word, count in word_freqs]
vocab = list(dict.fromkeys(s for symbols, _ in words for s in symbols))
print('start:', ' '.join(vocab))
merges = []
for step in range(1, STEPS + 1):
    pairs = count_pairs(words)
    if not pairs:
        break  # every word is one symbol
    (a, b), count = max(pairs.items(), key=lambda kv: kv[1])  # max keeps the first of equal counts
    tied = sum(1 for c in pairs.values() if c == count)
    words = [(merge(symbols, a, b, a + b), n) for symbols, n in words]
    if a + b not in vocab:
        vocab.append(a + b)
    merges.append([a, b, count])
    print(f'{step:>3}. {a} + {b} -> {a + b}  count {count}' + (f'  ({tied} tied)' if tied > 1 else ''))
print('vocabulary:', ' '.join(vocab))
for symbols, count in words:
    print(f'  {" ".join(symbols)}  x{count}')
print(json.dumps({'merges': merges, 'vocab': vocab}, ensure_ascii=False))
'''

_WORDPIECE = '''

def score_pairs(words):
    """score(a, b) = freq(ab) / (freq(a) * freq(b)), frequencies weighted by word counts, as exact fractions."""
    symbol_freq, pair_freq = {}, {}
    for symbols, count in words:
        for s in symbols:
            symbol_freq[s] = symbol_freq.get(s, 0) + count
        for a, b in zip(symbols, symbols[1:]):
            pair_freq[(a, b)] = pair_freq.get((a, b), 0) + count
    return {(a, b): Fraction(f, symbol_freq[a] * symbol_freq[b]) for (a, b), f in pair_freq.items()}


# a word starts as its first character plus ##-prefixed continuations: hug -> h ##u ##g
words = [([word[0]] + ['##' + ch for ch in word[1:]], count) for word, count in word_freqs]
vocab = list(dict.fromkeys(s for symbols, _ in words for s in symbols))
print('start:', ' '.join(vocab))
merges = []
for step in range(1, STEPS + 1):
    scores = score_pairs(words)
    if not scores:
        break
    (a, b), score = max(scores.items(), key=lambda kv: kv[1])  # the first of equal scores
    tied = sum(1 for s in scores.values() if s == score)
    merged = a + b.removeprefix('##')  # h + ##u -> hu, ##g + ##s -> ##gs
    words = [(merge(symbols, a, b, merged), n) for symbols, n in words]
    if merged not in vocab:
        vocab.append(merged)
    merges.append([a, b, f'{score.numerator}/{score.denominator}'])
    print(f'{step:>3}. {a} + {b} -> {merged}  score {score.numerator}/{score.denominator}'
          + (f'  ({tied} tied)' if tied > 1 else ''))
print('vocabulary:', ' '.join(vocab))
print(json.dumps({'merges': merges, 'vocab': vocab}, ensure_ascii=False))
'''

_UNIGRAM = '''

def initial_counts(word_freqs):
    """Every character and every substring of 2+ characters shorter than a word it sits in,
    counted wherever it occurs (weighted by the word's count)."""
    pieces = {}
    for word, _ in word_freqs:
        for i in range(len(word)):
            for j in range(i + 1, len(word) + 1):
                if j - i == 1 or j - i < len(word):
                    pieces.setdefault(word[i:j], 0)
    for word, count in word_freqs:
        for i in range(len(word)):
            for j in range(i + 1, len(word) + 1):
                if word[i:j] in pieces:
                    pieces[word[i:j]] += count
    return list(pieces.items())


def viterbi(word, neg_logp):
    """The split with the lowest sum of -log P; on equal sums the latest split point wins."""
    n = len(word)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(end):
            piece = word[start:end]
            if piece in neg_logp and best[start] < math.inf:
                cost = best[start] + neg_logp[piece]
                if cost <= best[end] + 1e-12 * max(1.0, cost):
                    best[end], back[end] = cost, start
    tokens, end = [], n
    while end > 0:
        tokens.append(word[back[end]:end])
        end = back[end]
    return tokens[::-1], best[n]


def corpus_loss(neg_logp):
    """Sum over words of count x -log P(best split)."""
    return sum(count * viterbi(word, neg_logp)[1] for word, count in word_freqs)


counts = initial_counts(word_freqs)
total = sum(c for _, c in counts)
neg_logp = {tok: -math.log(c / total) for tok, c in counts}
loss = corpus_loss(neg_logp)
print(f'start: {len(counts)} tokens, total count {total}, loss {loss:.6f}')
start_words = []
for word, count in word_freqs:
    tokens, cost = viterbi(word, neg_logp)
    start_words.append([word, tokens, math.exp(-cost)])
    print(f'  {word:<12} {" ".join(tokens):<16} P={math.exp(-cost):.6f}  -log P={cost:.3f}')
rounds = []
for step in range(1, STEPS + 1):
    removable = [tok for tok, _ in counts if len(tok) > 1]  # single characters stay: every word splits
    if not removable:
        break
    cost_of = {}
    for tok in removable:  # how much the loss grows without tok
        without = {k: v for k, v in neg_logp.items() if k != tok}
        cost_of[tok] = corpus_loss(without) - loss
    ranked = sorted(removable, key=lambda tok: round(cost_of[tok], 9))  # stable: vocabulary order on ties
    n_remove = min(len(removable), max(1, int(len(counts) * SHRINK)))
    removed = ranked[:n_remove]
    counts = [(tok, c) for tok, c in counts if tok not in removed]
    total = sum(c for _, c in counts)  # re-normalise the counts left into probabilities
    neg_logp = {tok: -math.log(c / total) for tok, c in counts}
    loss = corpus_loss(neg_logp)
    rounds.append({'removed': removed, 'loss': loss, 'vocab': [tok for tok, _ in counts]})
    print(f'{step:>3}. removed {", ".join(removed)}  loss {loss:.6f}  vocabulary {len(counts)}')
print(json.dumps({'start': {'words': start_words}, 'rounds': rounds}, ensure_ascii=False))
'''


def steps_snippet(config: StepConfig, table, example: str | None = None) -> Snippet:
    """The step-through as plain Python: the same table, the same number of steps, the same ties."""
    table = tuple((str(w), int(c)) for w, c in table)
    lines = ["import json"]
    if config.algo == "unigram":
        lines.append("import math")
    if example and example.startswith("kolaw-top"):
        lines.append("import re")
        lines.append("from collections import Counter")
    if config.algo == "wordpiece":
        lines.append("from fractions import Fraction")
    lines += ["", ""] + _table_lines(table, example)
    lines.append(f"STEPS = {config.steps}  # {'merges' if config.algo != 'unigram' else 'pruning rounds'}")
    if config.algo == "bpe":
        lines.append(f"END = {['</w>'] if config.end_of_word else []!r}  # the end-of-word marker appended to "
                     "every word")
        body = _MERGE + _BPE
    elif config.algo == "wordpiece":
        body = _MERGE + _WORDPIECE
    else:
        lines.append(f"SHRINK = {config.shrink!r}  # the share of the vocabulary removed each round (at least one)")
        body = _UNIGRAM
    name = {"bpe": "BPE", "wordpiece": "WordPiece", "unigram": "Unigram"}[config.algo]
    source = example or f"{len(table)} words"
    return Snippet(f"Step through {name} training on {source} ({config.steps} steps)",
                   "\n".join(lines) + "\n" + body, ("only Python's standard library",))
