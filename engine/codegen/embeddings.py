"""The embeddings lab as plain gensim (and KoNLPy for Korean text): training Word2Vec/FastText with the
form's values and seed, the queries on saved vectors, and the benchmarks the lab runs.

With ``workers=1`` and the same seed, gensim's training is repeatable: the snippet's vectors are the
lab's (the test compares them). Saved vectors are loaded by their local path, the benchmarks by the
paths of the files that ship in gensim's test data. GloVe has no maintained library trainer: its snippet
is the lab's few lines of torch written out, with the same seed, so it gives the same vectors too.
"""

from __future__ import annotations

from pathlib import Path

from ..embeddings.config import TrainConfig
from ..errors import DojoError
from .snippet import Snippet

_OKT = '''

def okt_morphs(lines):
    """Okt morphemes of each line, punctuation and foreign symbols dropped (Korean glues endings onto
    stems, so whole words would scatter one word over many forms)."""
    okt = Okt()
    out = []
    for line in lines:
        morphs = [m for m, tag in okt.pos(line) if tag not in ("Punctuation", "Foreign")]
        if morphs:
            out.append(morphs)
    return out
'''


def _corpus_lines(corpus: str) -> tuple[list[str], list[str]]:
    """(imports, lines) that build ``sentences`` exactly as ``engine.embeddings.corpus.load_corpus``."""
    from gensim.test.utils import datapath

    if corpus == "lee":
        return (["from gensim.utils import simple_preprocess"],
                [f"CORPUS = {datapath('lee_background.cor')!r}  # gensim's Lee news corpus, one story a line",
                 "with open(CORPUS, encoding='utf-8') as f:",
                 "    # lower-case words of 2 to 15 letters",
                 "    sentences = [simple_preprocess(line) for line in f.read().splitlines() if line.strip()]"])
    if corpus in ("kolaw", "kobill", "korean"):
        from konlpy.corpus import kobill, kolaw

        files = []
        if corpus in ("kolaw", "korean"):
            files.append(kolaw.abspath("constitution.txt"))
        if corpus in ("kobill", "korean"):
            files += [kobill.abspath(f) for f in sorted(kobill.fileids())]
        lines = ["texts = []", f"for path in {files!r}:  # shipped with KoNLPy",
                 "    with open(path, encoding='utf-8') as f:", "        texts += f.read().splitlines()"]
        if corpus == "korean":
            data = Path(__file__).resolve().parent.parent / "data" / "sentiment_ko.jsonl"
            lines += [f"with open({str(data)!r}, encoding='utf-8') as f:  # LLM Dojo's Korean sentences",
                      "    texts += [json.loads(line)['text'] for line in f.read().splitlines() if line.strip()]"]
        lines += ["texts = [line.strip() for line in texts if line.strip()]",
                  "sentences = okt_morphs(texts)"]
        return ["from konlpy.tag import Okt", "_OKT"], lines
    path = Path(corpus).expanduser()
    if not path.is_file():
        from ..embeddings.config import CORPORA

        raise DojoError.keyed("emb.no_file", name=corpus, corpora=", ".join(CORPORA))
    from ..embeddings.corpus import _file

    korean = _file(path).tokenizer == "okt-morphs"
    lines = [f"CORPUS = {str(path.resolve())!r}  # one sentence or document a line",
             "with open(CORPUS, encoding='utf-8') as f:",
             "    lines = [line for line in f.read().splitlines() if line.strip()]"]
    if korean:
        return ["from konlpy.tag import Okt", "_OKT"], lines + ["sentences = okt_morphs(lines)  # mostly Hangul"]
    return (["from gensim.utils import simple_preprocess"],
            lines + ["sentences = [s for s in (simple_preprocess(line) for line in lines) if s]"])


def train_snippet(config: TrainConfig) -> Snippet:
    """Train the vectors the form describes, save them and print the vocabulary and a check sum."""
    imports, corpus = _corpus_lines(config.corpus)
    helper = "_OKT" in imports
    imports = [i for i in imports if i != "_OKT"]
    common = (f"vector_size={config.vector_size}, window={config.window}, min_count={config.min_count}, "
              f"negative={config.negative},\n    epochs={config.epochs}, workers={config.workers}, seed={config.seed}")
    if config.algorithm == "fasttext":
        cls = "FastText"
        call = [f"model = FastText(sentences, sg=0, {common},",
                f"    min_n={config.min_n}, max_n={config.max_n}, bucket={config.bucket},  # character n-grams",
                ")"]
        save = [f"OUT = {config.model_name + '.bin'!r}",
                "save_facebook_model(model, OUT, encoding='utf-8')  # keeps the n-grams: unseen words get vectors"]
        imports.append("from gensim.models.fasttext import save_facebook_model")
    elif config.algorithm == "glove":
        cls = "KeyedVectors"
        imports += ["from collections import Counter", "import torch"]
        call = _glove_lines(config)
        save = [f"OUT = {config.model_name + '.bin'!r}",
                "wv.save_word2vec_format(OUT, binary=True)  # load it with KeyedVectors.load_word2vec_format"]
    else:
        cls = "Word2Vec"
        sg = 1 if config.algorithm == "skipgram" else 0
        call = [f"# sg={sg}: {'skip-gram' if sg else 'CBOW'}; workers=1 and a seed make the run repeatable exactly",
                f"model = Word2Vec(sentences, sg={sg}, {common},", "    compute_loss=True,", ")"]
        save = [f"OUT = {config.model_name + '.bin'!r}",
                "model.wv.save_word2vec_format(OUT, binary=True)  # load it with KeyedVectors.load_word2vec_format"]
    lines = ["import json", *[i for i in imports if i.startswith("from collections")], "",
             "import numpy as np", *(["import torch"] if "import torch" in imports else []),
             f"from gensim.models import {cls}",
             *sorted({i for i in imports if i.startswith("from ") and not i.startswith("from collections")})]
    if helper:
        lines.append(_OKT.rstrip())
    lines += ["", "", *corpus, f"print(len(sentences), 'sentences,', sum(map(len, sentences)), 'words')", "",
              *call, *save, "",
              *(["wv = model.wv"] if config.algorithm != "glove" else []),
              "print('vocabulary', len(wv.index_to_key), 'words; most frequent:', wv.index_to_key[:10])",
              "print('nearest to', wv.index_to_key[0], wv.most_similar(wv.index_to_key[0], topn=5))",
              "print(json.dumps({'vocab': wv.index_to_key, 'first': wv.vectors[:3].tolist(),",
              "                  'abs_sum': float(np.abs(wv.vectors).astype(np.float64).sum())}, ensure_ascii=False))"]
    libs = ("gensim", "konlpy") if helper else ("gensim",)
    if config.algorithm == "glove":
        libs = ("torch", *libs)
    return Snippet(f"Train {config.algorithm} word vectors on {Path(config.corpus).name}", "\n".join(lines), libs)


def _glove_lines(config: TrainConfig) -> list[str]:
    """GloVe in plain torch, step for step as the lab trains it (there is no maintained library trainer)."""
    from ..embeddings.glove import BATCH

    return [
        "# GloVe: minimise sum over pairs (i, k) with X_ik > 0 of f(X_ik) (w_i . w~_k + b_i + b~_k - log X_ik)^2,",
        "# f(x) = (x / x_max) ** alpha below x_max, 1 above; AdaGrad; the word's vector is w + w~",
        "torch.set_num_threads(1)  # tensors this small: one thread is fastest (and the sums repeat exactly)",
        f"VECTOR_SIZE, WINDOW, MIN_COUNT, EPOCHS, SEED = {config.vector_size}, {config.window}, {config.min_count}, "
        f"{config.epochs}, {config.seed}",
        f"X_MAX, ALPHA, LEARNING_RATE, BATCH = {config.x_max!r}, {config.alpha!r}, {config.learning_rate!r}, {BATCH}",
        "# the vocabulary: words seen at least MIN_COUNT times, most frequent first",
        "words = [w for w, c in Counter(w for s in sentences for w in s).most_common() if c >= MIN_COUNT]",
        "index = {w: n for n, w in enumerate(words)}",
        "counts = {}  # X: symmetric co-occurrence counts, each pair weighted 1/distance",
        "for sentence in sentences:",
        "    ids = [index.get(w, -1) for w in sentence]",
        "    for pos, a in enumerate(ids):",
        "        if a < 0:",
        "            continue",
        "        for dist in range(1, WINDOW + 1):",
        "            if pos + dist >= len(ids):",
        "                break",
        "            b = ids[pos + dist]",
        "            if b < 0:",
        "                continue",
        "            counts[(a, b)] = counts.get((a, b), 0.0) + 1.0 / dist",
        "            counts[(b, a)] = counts.get((b, a), 0.0) + 1.0 / dist",
        "pairs = torch.tensor(list(counts.keys()), dtype=torch.long).reshape(-1, 2)",
        "x = torch.tensor(list(counts.values()), dtype=torch.float32)",
        "weight = (x / X_MAX).pow(ALPHA).clamp(max=1.0)",
        "log_x = x.log()",
        "",
        "gen = torch.Generator().manual_seed(SEED)",
        "v, d = len(words), VECTOR_SIZE",
        "# word vectors w, context vectors wc, biases b and bc: uniform (-0.5, 0.5) / d",
        "w, wc = ((torch.rand(v, d, generator=gen) - 0.5) / d for _ in range(2))",
        "b, bc = ((torch.rand(v, generator=gen) - 0.5) / d for _ in range(2))",
        "hist = [torch.ones_like(p) for p in (w, wc, b, bc)]  # AdaGrad's summed squared gradients, from 1",
        "for epoch in range(EPOCHS):",
        "    order = torch.randperm(len(x), generator=gen)  # every non-zero pair once, in a seeded order",
        "    total = 0.0",
        "    for s in range(0, len(order), BATCH):",
        "        idx = order[s:s + BATCH]",
        "        i, k = pairs[idx, 0], pairs[idx, 1]",
        "        diff = (w[i] * wc[k]).sum(1) + b[i] + bc[k] - log_x[idx]",
        "        fdiff = weight[idx] * diff",
        "        total += float((fdiff * diff).sum())",
        "        grads = (torch.zeros_like(w).index_add_(0, i, fdiff[:, None] * wc[k]),",
        "                 torch.zeros_like(wc).index_add_(0, k, fdiff[:, None] * w[i]),",
        "                 torch.zeros_like(b).index_add_(0, i, fdiff),",
        "                 torch.zeros_like(bc).index_add_(0, k, fdiff))",
        "        for p, g, h in zip((w, wc, b, bc), grads, hist):",
        "            p -= LEARNING_RATE * g / h.sqrt()",
        "            h += g * g",
        "    print(f'epoch {epoch + 1}: loss {total / max(1, len(x)):.4f}')",
        "wv = KeyedVectors(d)  # gensim's word -> vector table, for queries and saving",
        "wv.add_vectors(words, (w + wc).numpy())",
    ]


def vectors_path(name: str) -> tuple[str, bool]:
    """(the saved vectors' file, whether it is a FastText model) of the embedding ``name``."""
    from ..embeddings import store

    folder = store.root() / name
    if not (folder / store.META).is_file():
        store.load(name)  # raises the lab's own "no such embedding" error
    fasttext = (folder / store.FASTTEXT).is_file()
    return str(folder / (store.FASTTEXT if fasttext else store.VECTORS)), fasttext


def _load_lines(name: str, var: str = "wv", where: dict | None = None) -> list[str]:
    path, fasttext = (where or {}).get(name) or vectors_path(name)
    if fasttext:
        return [f"{var} = load_facebook_vectors({path!r}, encoding='utf-8')  # {name}: FastText, any word gets a "
                "vector"]
    return [f"{var} = KeyedVectors.load_word2vec_format({path!r}, binary=True)  # {name}"]


def _loader_imports(names, where: dict | None = None) -> list[str]:
    kinds = {((where or {}).get(n) or vectors_path(n))[1] for n in names}
    out = []
    if False in kinds:
        out.append("from gensim.models import KeyedVectors")
    if True in kinds:
        out.append("from gensim.models.fasttext import load_facebook_vectors")
    return out


def query_snippet(name: str, op: str, words, topn: int = 10) -> Snippet:
    """One query on the saved vectors ``name``, as the lab asks it (``run_query``)."""
    words = [w.strip() for w in words if w.strip()]
    lines = ["import json", "", *_loader_imports([name]), "", "", *_load_lines(name)]
    if op == "similar":
        lines += [f"answer = wv.most_similar({words[0]!r}, topn={topn})  # cosine similarity, most similar first",
                  "for word, cos in answer:", "    print(f'{word:<20} {cos:.4f}')",
                  "result = {'neighbours': answer}"]
    elif op == "analogy":
        a, b, c = words[:3]
        lines += [f"# {a} - {b} + {c}: the three words themselves are never answers",
                  f"answer = wv.most_similar(positive=[{a!r}, {c!r}], negative=[{b!r}], topn={topn})",
                  "for word, cos in answer:", "    print(f'{word:<20} {cos:.4f}')",
                  "result = {'neighbours': answer}"]
    elif op == "similarity":
        lines += [f"cos = float(wv.similarity({words[0]!r}, {words[1]!r}))  # a . b / (|a| |b|)",
                  f"print('cos({words[0]}, {words[1]}) =', round(cos, 4))", "result = {'similarity': cos}"]
    elif op == "doesnt_match":
        lines += [f"odd = wv.doesnt_match({words!r})  # the word farthest from the others' mean",
                  "print('odd one out:', odd)", "result = {'odd_one': odd}"]
    elif op == "vector":
        lines += [f"vec = wv[{words[0]!r}]", "print(vec)", "result = {'vector': vec.tolist()}"]
    else:
        raise DojoError(f"op {op!r}: use similar, similarity, analogy, doesnt_match or vector")
    lines.append("print(json.dumps(result, ensure_ascii=False))")
    return Snippet(f"Ask {name}: {op} {' '.join(words)}", "\n".join(lines), ("gensim",))


def eval_snippet(names, where: dict | None = None) -> Snippet:
    """The benchmarks the lab runs: word-pair correlations and the analogy questions. ``where``: name ->
    (file, is FastText) for vectors not saved by the lab (the compare snippet's own files)."""
    from gensim.test.utils import datapath

    names = list(names)
    lines = ["import json", "", *_loader_imports(names, where), "", "",
             f"PAIRS = {[datapath(n) for n in ('wordsim353.tsv', 'simlex999.txt')]!r}  # ship with gensim",
             f"ANALOGIES = {datapath('questions-words.txt')!r}",
             "results = {}"]
    for name in names:
        lines += ["", *_load_lines(name, where=where), f"scores = results[{name!r}] = {{}}",
                  "for path in PAIRS:",
                  "    # Pearson and Spearman correlation with the human scores, over pairs whose words are known;",
                  "    # oov: the percent of pairs skipped",
                  "    try:",
                  "        pearson, spearman, oov = wv.evaluate_word_pairs(path)",
                  "    except ValueError:  # every pair has an unknown word",
                  "        scores[path.rsplit('/', 1)[-1]] = None",
                  "        continue",
                  "    scores[path.rsplit('/', 1)[-1]] = {'pearson': float(pearson[0]),",
                  "                                      'spearman': float(spearman[0]), 'oov_ratio': float(oov)}",
                  "accuracy, sections = wv.evaluate_word_analogies(ANALOGIES)  # rank 1 over answerable questions",
                  "total = sections[-1]  # 'Total accuracy'",
                  "scores['analogies'] = {'correct': len(total['correct']),",
                  "                       'answerable': len(total['correct']) + len(total['incorrect'])}",
                  f"print({name!r}, json.dumps(scores))"]
    lines.append("print(json.dumps(results))")
    return Snippet(f"Benchmarks for {', '.join(names)}", "\n".join(lines), ("gensim",))



def compare_snippet(configs) -> Snippet:
    """F3 / ``embed compare``: each algorithm trained with the same settings, then the benchmarks on the
    files the training parts saved."""
    configs = list(configs)
    parts = [train_snippet(c) for c in configs]
    where = {c.model_name: (c.model_name + ".bin", c.algorithm == "fasttext") for c in configs}
    judge = eval_snippet([c.model_name for c in configs], where)
    blocks = [f"# ----- {n}. {p.title} -----\n{p.code}" for n, p in enumerate(parts, start=1)]
    blocks.append(f"# ----- {len(parts) + 1}. {judge.title} -----\n{judge.code}")
    libs = tuple(dict.fromkeys(lib for p in [*parts, judge] for lib in p.libraries))
    return Snippet(f"Compare {', '.join(c.algorithm for c in configs)} on {Path(configs[0].corpus).name}",
                   "\n\n\n".join(blocks), libs)


def cooc_snippet(corpus: str, i: str, j: str, probes=(), window: int = 5, top: int = 6) -> Snippet:
    """The Counts tab / ``embed cooc``: GloVe's table 1, P(k|i) / P(k|j), counted in plain Python."""
    imports, lines = _corpus_lines(corpus)
    helper = "_OKT" in imports
    out = ["import json", "from collections import Counter", "",
           *sorted({x for x in imports if x != "_OKT"})]
    if helper:
        out.append(_OKT.rstrip())
    out += ["", "", *lines, f"I, J, WINDOW = {i!r}, {j!r}, {window}", f"PROBES = {list(probes)!r}", "", "",
            "def context_counts(word):",
            "    \"\"\"How often each word occurs within WINDOW positions of word (inside one line).\"\"\"",
            "    out = Counter()",
            "    for sentence in sentences:",
            "        for pos, token in enumerate(sentence):",
            "            if token == word:",
            "                lo, hi = max(0, pos - WINDOW), min(len(sentence), pos + WINDOW + 1)",
            "                out.update(sentence[k] for k in range(lo, hi) if k != pos)",
            "    return out",
            "", "",
            "ci, cj = context_counts(I), context_counts(J)",
            "xi, xj = sum(ci.values()), sum(cj.values())  # X_i: every context word counted around i",
            "if not PROBES:  # the most frequent context words the two share",
            f"    PROBES = [w for w, _ in (ci + cj).most_common() if w in ci and w in cj and w not in (I, J)][:{top}]",
            "print(f'X_{I} = {xi}, X_{J} = {xj}')",
            "rows = []",
            "for k in PROBES:",
            "    p_i, p_j = ci[k] / xi, cj[k] / xj",
            "    # large: k goes with i; small: k goes with j; near 1: with both or neither",
            "    ratio = p_i / p_j if p_j > 0 else None",
            "    rows.append([k, ci[k], cj[k], p_i, p_j, ratio])",
            "    shown = '-' if ratio is None else f'{ratio:.2f}'",
            "    print(f'{k:<14} P(k|{I})={p_i:.4f}  P(k|{J})={p_j:.4f}  ratio={shown}')",
            "print(json.dumps({'x_i': xi, 'x_j': xj, 'rows': rows}, ensure_ascii=False))"]
    libs = ("gensim", "konlpy") if helper else ("gensim",)
    return Snippet(f"Co-occurrence ratios of {i} and {j} in {Path(corpus).name}", "\n".join(out), libs)
