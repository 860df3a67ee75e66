"""`llm-dojo embed`: train word vectors, query them, judge them on benchmarks, see them.

Thin renderers over ``engine.embeddings``: the train options come from ``TrainConfig`` and
the query options from ``QueryConfig`` (bad values fail there as one ``error:`` line, exit 2);
per-epoch progress goes to stderr, results to stdout (``--json`` prints only the JSON).
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from engine.embeddings.config import QueryConfig, TrainConfig

from .common import JsonOpt, ShowCodeOpt, print_code, print_json
from .options import config_options

embed_app = typer.Typer(help="Word embeddings: train Word2Vec/FastText/GloVe, query, evaluate, co-occurrence, maps.",
                        no_args_is_help=True)
ModelArg = Annotated[str, typer.Argument(help="A trained embedding's name (see `llm-dojo embed list`), e.g. cbow-lee.",
                                         show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(embed_app, name="embed")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr)


def _train(config: TrainConfig, quiet: bool):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from engine.embeddings.train import train

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), console=_console(True), transient=True, disable=quiet) as bar:
        task = bar.add_task(f"{config.algorithm} on {config.corpus}", total=config.epochs, detail="")

        def show(event) -> None:
            loss = "" if event.loss is None else f", loss {event.loss:,.4g}"
            bar.update(task, completed=event.epoch, detail=f"epoch {event.epoch}/{event.epochs}, "
                                                           f"{event.words_per_s:,.0f} words/s{loss}")

        return train(config, on_event=show)


@embed_app.command("train")
@config_options(TrainConfig)
def train_cmd(json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Train word vectors on a corpus and save them (progress per epoch on stderr)."""
    config = TrainConfig(**given)
    if show_code:
        from engine.codegen.embeddings import train_snippet

        print_code(train_snippet(config))
        return
    result, _ = _train(config, json_out)
    if json_out:
        print_json(result.to_dict())
        return
    c = result.corpus
    last = result.epochs[-1] if result.epochs else None
    loss = "" if last is None or last.loss is None else f"; last epoch loss {last.loss:,.4g}"
    out = _console()
    out.print(f"{result.algorithm} on {c['name']}: {c['sentences']:,} lines, {c['words']:,} words, "
              f"{c['distinct']:,} distinct ({c['tokenizer']})")
    out.print(f"vocabulary {result.vocab_size:,} words (min-count {config.min_count}), {result.vector_size} dimensions, "
              f"{len(result.epochs)} epochs in {result.seconds:.2f} s, {result.words_per_s:,.0f} words/s{loss}")
    out.print(f"saved as [bold]{result.name}[/] ({result.path}); try: llm-dojo embed query {result.name} WORD",
              overflow="fold", highlight=False)


@embed_app.command("query")
@config_options(QueryConfig)
def query_cmd(model: ModelArg, words: Annotated[list[str], typer.Argument(
        help="similar: WORD; similarity: A B; analogy: A B C (A - B + C); doesnt_match: 3 or more words.",
        show_default=False)],
        json_out: JsonOpt = False, show_code: ShowCodeOpt = False, given: dict = None) -> None:
    """Ask trained vectors: nearest words, similarity, analogies, the odd one out."""
    from engine.embeddings.query import run_query
    from engine.embeddings.store import load

    config = QueryConfig(**given)
    if show_code:
        from engine.codegen.embeddings import query_snippet

        print_code(query_snippet(model, config.op, words, config.topn))
        return
    result = run_query(load(model), config.op, words, config.topn)
    if json_out:
        print_json({"model": model, **result.to_dict()})
        return
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    for notice in result.notices:
        sys.stderr.write(f"note: {notice}\n")
    if result.op == "similarity":
        out.print(f"cos({escape(result.words[0])}, {escape(result.words[1])}) = {result.similarity:.4f}")
    elif result.op == "doesnt_match":
        out.print(f"odd one out of {escape(' '.join(result.words))}: [bold]{escape(result.odd_one or '')}[/]")
    elif result.op == "vector":
        out.print(" ".join(f"{v:.3f}" for v in result.vector), overflow="fold")
    else:
        title = (f"{result.words[0]} - {result.words[1]} + {result.words[2]}" if result.op == "analogy"
                 else f"nearest to {result.words[0]}")
        table = Table(title=escape(title))
        table.add_column("word", overflow="fold")
        table.add_column("cosine", justify="right", no_wrap=True)
        for word, score in result.neighbours:
            table.add_row(escape(word), f"{score:.3f}")
        out.print(table)


@embed_app.command("list")
def list_cmd(json_out: JsonOpt = False) -> None:
    """Trained embeddings saved on this machine."""
    import json

    from engine.embeddings import store

    rows = []
    for name in store.list_saved():
        meta = json.loads((store.root() / name / store.META).read_text(encoding="utf-8"))
        rows.append({"name": name, "algorithm": meta.get("algorithm"), "corpus": meta.get("corpus", {}).get("name"),
                     "vector_size": meta.get("config", {}).get("vector_size"),
                     "epochs": len(meta.get("epochs", [])), "seconds": meta.get("seconds")})
    if json_out:
        print_json({"embeddings": rows})
        return
    if not rows:
        _console().print("no trained embeddings yet: llm-dojo embed train")
        return
    from rich.table import Table

    table = Table()
    for col in ("name", "algorithm", "corpus", "dims", "epochs", "seconds"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], str(r["algorithm"]), str(r["corpus"]), str(r["vector_size"]), str(r["epochs"]),
                      str(r["seconds"]))
    _console().print(table)


def _eval_table(results) -> None:
    from rich.table import Table

    table = Table(title="benchmarks (gensim's evaluators); OOV: % of pairs skipped")
    for col in ("model", "ws353 ρ", "OOV", "simlex ρ", "OOV", "analogies"):
        table.add_column(col, overflow="fold", justify="left" if col == "model" else "right")
    for r in results:
        ws, sl = r.pairs
        a = r.analogies
        acc = "-" if a.accuracy is None else f"{a.accuracy:.1%}"

        def rho(p) -> str:
            return "-" if p.spearman is None else f"{p.spearman:.3f}"

        table.add_row(r.name, rho(ws), f"{ws.oov_ratio:.0f}%", rho(sl), f"{sl.oov_ratio:.0f}%",
                      f"{acc} of {a.answerable:,}")
    _console().print(table)
    sections = Table(title="questions-words per section: right / answerable (sections with none answerable left out)")
    sections.add_column("section", overflow="fold")
    for r in results:
        sections.add_column(r.name, justify="right", overflow="fold")
    for n, (name, _, _) in enumerate(results[0].analogies.sections):
        cells = [f"{r.analogies.sections[n][1]} / {r.analogies.sections[n][2]}" for r in results]
        if any(r.analogies.sections[n][2] for r in results):
            sections.add_row(name, *cells)
    _console().print(sections)


@embed_app.command("eval")
def eval_cmd(models: Annotated[Optional[list[str]], typer.Argument(
        help="Trained embeddings to judge (default: every saved one).", show_default=False)] = None,
        json_out: JsonOpt = False, show_code: ShowCodeOpt = False) -> None:
    """wordsim353 and simlex999 (Spearman, Pearson, OOV ratio) and questions-words (accuracy per section)."""
    from engine.embeddings import store
    from engine.embeddings.evaluate import evaluate

    names = list(models or store.list_saved())
    if not names:
        store.load("cbow-lee")  # says how to train one
    if show_code:
        from engine.codegen.embeddings import eval_snippet

        print_code(eval_snippet(names))
        return
    results = [evaluate(store.load(name)) for name in names]
    if json_out:
        print_json({"results": [r.to_dict() for r in results]})
        return
    _eval_table(results)


@embed_app.command("compare")
@config_options(TrainConfig, exclude=("algorithm", "name"))
def compare_cmd(algorithms: Annotated[str, typer.Option("--algorithms", help="Comma-separated algorithms to train.")]
                = "cbow,skipgram,fasttext", json_out: JsonOpt = False, show_code: ShowCodeOpt = False,
                given: dict = None) -> None:
    """Train several algorithms with the same settings, then judge them in one table."""
    from engine.embeddings.config import ALGORITHMS
    from engine.embeddings.evaluate import evaluate
    from engine.errors import DojoError

    chosen = [a.strip() for a in algorithms.split(",") if a.strip()]
    for a in chosen:
        if a not in ALGORITHMS:
            raise DojoError(f"--algorithms {a}: use some of {', '.join(ALGORITHMS)}, separated by commas")
    if show_code:
        from engine.codegen.embeddings import compare_snippet

        print_code(compare_snippet([TrainConfig(algorithm=a, **given) for a in chosen]))
        return
    rows = []
    for algorithm in chosen:
        result, embedding = _train(TrainConfig(algorithm=algorithm, **given), json_out)
        rows.append((result, evaluate(embedding)))
    if json_out:
        print_json({"results": [{**e.to_dict(), "train": t.to_dict()} for t, e in rows]})
        return
    _eval_table([e for _, e in rows])


@embed_app.command("cooc")
def cooc_cmd(i: Annotated[str, typer.Argument(help="Word i (the deck: ice).", show_default=False)],
             j: Annotated[str, typer.Argument(help="Word j (the deck: steam).", show_default=False)],
             probes: Annotated[Optional[list[str]], typer.Argument(
                 help="Context words k (default: the most frequent shared ones).", show_default=False)] = None,
             corpus: Annotated[str, typer.Option("--corpus", "-c", help="lee, kolaw, kobill, korean or a file.")]
             = "lee",
             window: Annotated[int, typer.Option("--window", help="Words on each side that count as context.")] = 5,
             json_out: JsonOpt = False, show_code: ShowCodeOpt = False) -> None:
    """Co-occurrence counts and GloVe's ratio table: P(k|i), P(k|j) and their ratio."""
    from engine.embeddings.cooc import ratio_table
    from engine.embeddings.corpus import load_corpus
    from engine.errors import DojoError

    if window < 1:
        raise DojoError(f"--window {window}: count at least 1 word on each side (5 is Word2Vec's default)")
    if show_code:
        from engine.codegen.embeddings import cooc_snippet

        print_code(cooc_snippet(corpus, i, j, tuple(probes or ()), window))
        return
    table = ratio_table(load_corpus(corpus), i, j, tuple(probes or ()), window)
    if json_out:
        print_json(table.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    out = Table(title=escape(f"window {window}: X_{i} = {table.total_i:,}, X_{j} = {table.total_j:,}"))
    for col in ("k", f"X({i},k)", f"X({j},k)", f"P(k|{i})", f"P(k|{j})", "ratio"):
        out.add_column(escape(col), overflow="fold", justify="left" if col == "k" else "right")
    for r in table.rows:
        out.add_row(escape(r.word), str(r.count_i), str(r.count_j), f"{r.p_i:.4f}", f"{r.p_j:.4f}",
                    "-" if r.ratio is None else f"{r.ratio:.2f}")
    _console().print(out)


@embed_app.command("onehot")
def onehot_cmd(sentence: Annotated[str, typer.Argument(help="A sentence (the deck's by default).")]
               = "Time flies like an arrow",
               dim: Annotated[int, typer.Option("--dim", help="Embedding dimensions of W.")] = 4,
               json_out: JsonOpt = False) -> None:
    """One-hot vectors times an embedding matrix W give W's rows: the lookup an embedding layer does."""
    from engine.embeddings.onehot import onehot_vs_dense

    r = onehot_vs_dense(sentence, dim)
    if json_out:
        print_json(r.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="one-hot x W = embedding row")
    table.add_column("word", overflow="fold")
    table.add_column("one-hot", no_wrap=True)
    table.add_column("x W", overflow="fold")
    for token, row, prod in zip(r.tokens, r.onehot, r.product):
        table.add_row(escape(token), "".join(str(v) for v in row), " ".join(f"{v:+.2f}" for v in prod))
    _console().print(table)
    _console().print(f"one-hot x W equals the rows looked up: {r.equal}; one-hot dot products of different "
                     "words are all 0, dense cosines are not.")


@embed_app.command("context")
def context_cmd(word: Annotated[str, typer.Argument(help="The word to follow (e.g. fire).", show_default=False)],
                sentence_a: Annotated[str, typer.Argument(help="A sentence that contains it.", show_default=False)],
                sentence_b: Annotated[str, typer.Argument(help="Another sentence that contains it.",
                                                          show_default=False)],
                model: Annotated[str, typer.Option("--model", "-m", help="A causal language model.")] = "dojo-tiny",
                json_out: JsonOpt = False) -> None:
    """The same word in two sentences: its vectors' cosine at every layer of a transformer (0 = static)."""
    from transformers.utils import logging as hf_logging

    from engine.embeddings.contextual import contextual_similarity

    hf_logging.disable_progress_bar()
    r = contextual_similarity(word, sentence_a, sentence_b, model)
    if json_out:
        print_json(r.to_dict())
        return
    out = _console()
    out.print(f"tokens of {word!r}: {list(r.tokens[0])} / {list(r.tokens[1])}", highlight=False)
    for n, cos in enumerate(r.layers):
        label = "input embeddings (static)" if n == 0 else f"layer {n}"
        out.print(f"{label:>26}: cosine {cos:.4f}", highlight=False)


@embed_app.command("map")
def map_cmd(model: ModelArg, words: Annotated[list[str], typer.Argument(help="Three or more words to place.",
                                                                       show_default=False)],
            json_out: JsonOpt = False) -> None:
    """Place words on a 2D map (PCA of their vectors)."""
    from engine.embeddings.pca import word_map
    from engine.embeddings.store import load

    r = word_map(load(model), words)
    if json_out:
        print_json({"model": model, **r.to_dict()})
        return
    out = _console()
    out.print(f"PCA: the two axes keep {r.explained[0]:.0%} and {r.explained[1]:.0%} of the variance")
    for w, (x, y) in zip(r.words, r.points):
        out.print(f"{w:>16} {x:+.3f} {y:+.3f}", highlight=False)
