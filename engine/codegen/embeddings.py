"""The embeddings lab as plain gensim (and KoNLPy for Korean text): training Word2Vec/FastText with the
form's values and seed, the queries on saved vectors, and the benchmarks the lab runs.

With ``workers=1`` and the same seed, gensim's training is repeatable: the snippet's vectors are the
lab's (the test compares them). Saved vectors are loaded by their local path, the benchmarks by the
paths of the files that ship in gensim's test data. GloVe is the lab's own torch code (there is no
maintained library trainer), so its training has no library snippet; its saved vectors query like the
others.
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
    if config.algorithm == "glove":
        raise DojoError.keyed("emb.code_glove")
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
    else:
        cls = "Word2Vec"
        sg = 1 if config.algorithm == "skipgram" else 0
        call = [f"# sg={sg}: {'skip-gram' if sg else 'CBOW'}; workers=1 and a seed make the run repeatable exactly",
                f"model = Word2Vec(sentences, sg={sg}, {common},", "    compute_loss=True,", ")"]
        save = [f"OUT = {config.model_name + '.bin'!r}",
                "model.wv.save_word2vec_format(OUT, binary=True)  # load it with KeyedVectors.load_word2vec_format"]
    lines = ["import json", "", "import numpy as np", f"from gensim.models import {cls}", *sorted(set(imports))]
    if helper:
        lines.append(_OKT.rstrip())
    lines += ["", "", *corpus, f"print(len(sentences), 'sentences,', sum(map(len, sentences)), 'words')", "",
              *call, *save, "",
              "wv = model.wv",
              "print('vocabulary', len(wv.index_to_key), 'words; most frequent:', wv.index_to_key[:10])",
              "print('nearest to', wv.index_to_key[0], wv.most_similar(wv.index_to_key[0], topn=5))",
              "print(json.dumps({'vocab': wv.index_to_key, 'first': wv.vectors[:3].tolist(),",
              "                  'abs_sum': float(np.abs(wv.vectors).astype(np.float64).sum())}, ensure_ascii=False))"]
    libs = ("gensim", "konlpy") if helper else ("gensim",)
    return Snippet(f"Train {config.algorithm} word vectors on {Path(config.corpus).name}", "\n".join(lines), libs)


def vectors_path(name: str) -> tuple[str, bool]:
    """(the saved vectors' file, whether it is a FastText model) of the embedding ``name``."""
    from ..embeddings import store

    folder = store.root() / name
    if not (folder / store.META).is_file():
        store.load(name)  # raises the lab's own "no such embedding" error
    fasttext = (folder / store.FASTTEXT).is_file()
    return str(folder / (store.FASTTEXT if fasttext else store.VECTORS)), fasttext


def _load_lines(name: str, var: str = "wv") -> list[str]:
    path, fasttext = vectors_path(name)
    if fasttext:
        return [f"{var} = load_facebook_vectors({path!r}, encoding='utf-8')  # {name}: FastText, any word gets a "
                "vector"]
    return [f"{var} = KeyedVectors.load_word2vec_format({path!r}, binary=True)  # {name}"]


def _loader_imports(names) -> list[str]:
    kinds = {vectors_path(n)[1] for n in names}
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


def eval_snippet(names) -> Snippet:
    """The benchmarks the lab runs: word-pair correlations and the analogy questions."""
    from gensim.test.utils import datapath

    names = list(names)
    lines = ["import json", "", *_loader_imports(names), "", "",
             f"PAIRS = {[datapath(n) for n in ('wordsim353.tsv', 'simlex999.txt')]!r}  # ship with gensim",
             f"ANALOGIES = {datapath('questions-words.txt')!r}",
             "results = {}"]
    for name in names:
        lines += ["", *_load_lines(name), f"scores = results[{name!r}] = {{}}",
                  "for path in PAIRS:",
                  "    # Pearson and Spearman correlation with the human scores, over pairs whose words are known;",
                  "    # oov: the percent of pairs skipped",
                  "    try:",
                  "        pearson, spearman, oov = wv.evaluate_word_pairs(path)",
                  "    except ValueError:  # every pair has an unknown word",
                  "        scores[path.rsplit('/', 1)[-1]] = None",
                  "        continue",
                  "    scores[path.rsplit('/', 1)[-1]] = {'pearson': float(pearson[0]), 'spearman': float(spearman[0]),",
                  "                                      'oov_ratio': float(oov)}",
                  "accuracy, sections = wv.evaluate_word_analogies(ANALOGIES)  # rank 1 over answerable questions",
                  "total = sections[-1]  # 'Total accuracy'",
                  "scores['analogies'] = {'correct': len(total['correct']),",
                  "                       'answerable': len(total['correct']) + len(total['incorrect'])}",
                  f"print({name!r}, json.dumps(scores))"]
    lines.append("print(json.dumps(results))")
    return Snippet(f"Benchmarks for {', '.join(names)}", "\n".join(lines), ("gensim",))

