"""The embeddings lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Terms follow ``shared/GLOSSARY.md`` (단어 임베딩, 코퍼스, 어휘 사전, 어휘 밖 단어(OOV), 동시 등장,
에폭, 손실). ``msg.emb.*`` translate the engine's messages (``engine/embeddings/messages.py``).
"""

from __future__ import annotations

from engine.embeddings.messages import MESSAGES

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "embed.title": "단어 임베딩 실습",
        "key.embed.train": "학습", "key.embed.eval": "벤치마크", "key.embed.compare": "모두 비교",
        "key.embed.stop": "중지/뒤로",
        "embed.tab.query": "질의", "embed.tab.bench": "벤치마크", "embed.tab.cooc": "동시 등장",
        "embed.tab.map": "2D 지도",
        "field.TrainConfig.algorithm": "알고리즘", "field.TrainConfig.corpus": "코퍼스",
        "field.TrainConfig.vector_size": "차원", "field.TrainConfig.window": "창 크기",
        "field.TrainConfig.min_count": "최소 빈도", "field.TrainConfig.negative": "네거티브",
        "field.TrainConfig.epochs": "에폭", "field.TrainConfig.seed": "시드",
        "choice.TrainConfig.algorithm.cbow": "CBOW", "choice.TrainConfig.algorithm.skipgram": "스킵그램",
        "choice.TrainConfig.algorithm.fasttext": "FastText", "choice.TrainConfig.algorithm.glove": "GloVe",
        "choice.TrainConfig.corpus.lee": "Lee 뉴스(영어)", "choice.TrainConfig.corpus.kolaw": "헌법(한국어)",
        "choice.TrainConfig.corpus.kobill": "법률안(한국어)", "choice.TrainConfig.corpus.korean": "한국어 전체",
        "embed.status.idle": "Ctrl+R로 학습합니다. 저장된 임베딩 {n}개",
        "embed.status.corpus": "코퍼스 준비 중 (한국어는 처음 한 번 형태소 분석에 몇 초 걸립니다)",
        "embed.status.training": "{algorithm} 학습 중\n에폭 {epoch}/{epochs}, 초당 {wps} 단어{loss}",
        "embed.status.loss": "손실 {loss}",
        "embed.status.done": "{name} 완료\n어휘 {vocab}개, {epochs} 에폭, {seconds}초\n초당 {wps} 단어",
        "embed.status.cancelled": "중지됨: 에폭 {epoch}/{epochs}",
        "embed.status.failed": "오류: {error}",
        "embed.status.evaluating": "벤치마크 평가 중: {name}",
        "embed.status.comparing": "비교 학습 {done}/{total}: {algorithm}",
        "embed.query.placeholder": "fire  |  israeli palestinian  |  arafat - palestinian + israeli",
        "embed.query.help": "단어 하나: 가까운 단어, 둘: 코사인 유사도, a - b + c: 유추, 셋 이상: 어울리지 않는 단어",
        "embed.query.none": "먼저 Ctrl+R로 임베딩을 학습하세요.",
        "embed.query.model": "모델 {name}",
        "embed.query.near": "가까운 단어: {word}",
        "embed.query.analogy": "유추: {a} - {b} + {c}",
        "embed.query.similarity": "코사인 유사도({a}, {b}) = {value}",
        "embed.query.odd": "어울리지 않는 단어: {word}",
        "embed.col.word": "단어", "embed.col.cos": "코사인", "embed.col.model": "모델",
        "embed.col.analogy": "유추", "embed.col.ratio": "비율",
        "embed.bench.hint": "F2: 이번에 학습한 임베딩을 gensim 평가 함수로 wordsim353, simlex999, "
                            "questions-words에 평가합니다. F3: 네 알고리즘을 같은 설정으로 학습해 비교합니다.",
        "embed.bench.note": "ws353, simlex: 스피어만 상관계수 ρ. OOV%: 어휘 밖 단어 때문에 건너뛴 쌍의 비율, wordsim353/simlex999 "
                            "(코퍼스가 작으면 대부분 건너뜁니다). 유추: 정확도/풀 수 있던 문제 수 ({total}개 중).",
        "embed.cooc.placeholder": "israeli palestinian arafat forces said",
        "embed.cooc.help": "i j 다음에 비교할 단어 k를 적고 Enter (k가 없으면 둘 다와 자주 나온 단어). "
                           "창 크기와 코퍼스는 학습 설정을 따릅니다.",
        "embed.cooc.totals": "X_i = {xi}, X_j = {xj}, 창 {window}",
        "embed.tab.onehot": "원-핫",
        "embed.onehot.help": "문장을 적고 Enter: 원-핫 벡터에 임베딩 행렬 W(무작위 값)를 곱하면 W의 한 행이 "
                             "나옵니다. 임베딩 층은 곱셈 대신 그 행을 찾아옵니다.",
        "embed.onehot.col": "원-핫",
        "embed.onehot.equal": "원-핫 x W는 W에서 행을 찾아온 값과 같습니다 (어휘 {n}개, {d}차원).",
        "embed.onehot.differ": "원-핫 x W가 W의 행과 다릅니다 (어휘 {n}개, {d}차원).",
        "embed.onehot.dots": "서로 다른 원-핫 벡터의 내적: {dots}. 밀집 벡터의 코사인: {low}에서 {high}.",
        "embed.map.placeholder": "fire crews israeli palestinian arafat sharon",
        "embed.map.help": "단어를 셋 이상 적고 Enter: 벡터를 PCA로 두 축에 펼칩니다.",
        "embed.map.caption": "두 축이 분산의 {x}%, {y}%를 설명합니다",
        "msg.emb.empty_vocab": "최소 빈도 {min_count}이면 어휘 사전에 남는 단어가 없습니다. 이 코퍼스에서 가장 "
                               "흔한 단어가 {top}번 나오므로 {top} 이하로 정하세요 (Lee 코퍼스는 5가 알맞습니다)",
        "msg.emb.oov": "'{word}'는 어휘 밖 단어(OOV)입니다 (최소 빈도로 남은 {vocab}개 단어에 없음). "
                       "'{suggestion}'을(를) 찾으셨나요?",
        "msg.emb.oov_no_suggestion": "'{word}'는 어휘 밖 단어(OOV)이고 (남은 단어 {vocab}개), 철자가 비슷한 "
                                     "단어도 없습니다",
        "msg.emb.oov_subwords": "'{word}'는 학습에서 본 적 없는 단어라 FastText가 문자 n-gram으로 벡터를 "
                                "만들었습니다",
        "msg.emb.repeated_word": "유추에 '{word}'가 두 번 나옵니다. a - b + c에는 서로 다른 세 단어가 필요합니다 "
                                 "(예: arafat palestinian israeli)",
        "msg.emb.too_few_words": "{op}에는 단어 {need}개가 필요한데 {got}개입니다",
        "msg.emb.empty_file": "코퍼스 파일 {path}에 단어가 없습니다. 한 줄에 한 문장(문서)인 UTF-8 텍스트 "
                              "파일을 주세요",
        "msg.emb.not_utf8": "코퍼스 파일 {path}가 UTF-8이 아닙니다 ({position}번째 바이트를 읽을 수 없음). "
                            "UTF-8로 저장해 다시 시도하세요",
        "msg.emb.no_file": "'{name}'이라는 코퍼스도 파일도 없습니다. {corpora} 중 하나나 UTF-8 텍스트 파일 "
                           "경로를 쓰세요",
        "msg.emb.no_model": "'{name}'이라는 학습된 임베딩이 없습니다. 먼저 학습하세요 (llm-dojo embed train "
                            "--name {name}). 학습된 것: {known}",
        "msg.emb.bad_name": "'{name}'은(는) 폴더 이름으로 쓸 수 없습니다. 영문자, 숫자, '-', '_'를 쓰세요",
        "msg.emb.cancelled": "에폭 {epoch}/{epochs}에서 학습을 멈췄습니다",
        "msg.emb.ngram_range": "min-n {min_n}, max-n {max_n}: FastText는 1 <= min-n <= max-n이어야 합니다 "
                               "(논문은 3과 6)",
        "msg.emb.positive": "{name}은(는) {minimum} 이상이어야 하는데 {value}입니다",
        "msg.emb.too_small_vocab": "최소 빈도를 적용하면 단어가 {words}개뿐이라 학습할 수 없습니다. 최소 빈도를 "
                                    "낮추거나 더 큰 코퍼스를 쓰세요",
        "msg.emb.konlpy_failed": "KoNLPy가 Java 형태소 분석기를 시작하지 못했습니다 ({error}). Java 17(JDK)을 "
                                 "설치하고 다시 시도하세요",
        "msg.emb.glove_diverged": "GloVe가 에폭 {epoch}에서 발산했습니다 (손실이 NaN). 학습률 {lr}이(가) "
                                  "너무 높으니 절반으로 줄여 보세요",
        "msg.emb.same_pair": "두 단어가 같습니다 ('{word}'). 서로 다른 두 단어를 고르세요",
        "msg.emb.no_cooc": "'{word}'는 코퍼스에 나오지 않아 동시 등장 횟수가 없습니다",
    },
    "en": {
        "embed.title": "Word embeddings lab",
        "key.embed.train": "Train", "key.embed.eval": "Benchmarks", "key.embed.compare": "Compare all",
        "key.embed.stop": "Stop/Back",
        "embed.tab.query": "Query", "embed.tab.bench": "Benchmarks", "embed.tab.cooc": "Counts",
        "embed.tab.map": "Map",
        "field.TrainConfig.algorithm": "algorithm", "field.TrainConfig.corpus": "corpus",
        "field.TrainConfig.vector_size": "dimensions", "field.TrainConfig.window": "window",
        "field.TrainConfig.min_count": "min count", "field.TrainConfig.negative": "negative",
        "field.TrainConfig.epochs": "epochs", "field.TrainConfig.seed": "seed",
        "choice.TrainConfig.algorithm.cbow": "CBOW", "choice.TrainConfig.algorithm.skipgram": "skip-gram",
        "choice.TrainConfig.algorithm.fasttext": "FastText", "choice.TrainConfig.algorithm.glove": "GloVe",
        "choice.TrainConfig.corpus.lee": "Lee news (en)", "choice.TrainConfig.corpus.kolaw": "constitution (ko)",
        "choice.TrainConfig.corpus.kobill": "bills (ko)", "choice.TrainConfig.corpus.korean": "all Korean",
        "embed.status.idle": "Ctrl+R trains. {n} saved embeddings",
        "embed.status.corpus": "Preparing the corpus (Korean takes a few seconds of morpheme analysis, once)",
        "embed.status.training": "Training {algorithm}\nepoch {epoch}/{epochs}, {wps} words/s{loss}",
        "embed.status.loss": "loss {loss}",
        "embed.status.done": "{name} done\n{vocab} words, {epochs} epochs, {seconds} s\n{wps} words/s",
        "embed.status.cancelled": "Stopped: epoch {epoch}/{epochs}",
        "embed.status.failed": "Error: {error}",
        "embed.status.evaluating": "Benchmarking {name}",
        "embed.status.comparing": "Comparing {done}/{total}: {algorithm}",
        "embed.query.placeholder": "fire  |  israeli palestinian  |  arafat - palestinian + israeli",
        "embed.query.help": "One word: neighbours; two: cosine similarity; a - b + c: analogy; three or more: "
                            "the odd one out",
        "embed.query.none": "Train an embedding first (Ctrl+R).",
        "embed.query.model": "model {name}",
        "embed.query.near": "nearest to {word}",
        "embed.query.analogy": "analogy: {a} - {b} + {c}",
        "embed.query.similarity": "cosine({a}, {b}) = {value}",
        "embed.query.odd": "odd one out: {word}",
        "embed.col.word": "word", "embed.col.cos": "cosine", "embed.col.model": "model",
        "embed.col.analogy": "analogy", "embed.col.ratio": "ratio",
        "embed.bench.hint": "F2 judges this session's embeddings on wordsim353, simlex999 and questions-words "
                            "with gensim's evaluators. F3 trains all four algorithms with the same settings.",
        "embed.bench.note": "ws353, simlex: Spearman correlation ρ. OOV%: pairs skipped for unknown words, wordsim353/simlex999 "
                            "(most, on a small corpus). Analogy: accuracy/questions answerable (of {total}).",
        "embed.cooc.placeholder": "israeli palestinian arafat forces said",
        "embed.cooc.help": "Type i j, then context words k, and Enter (no k: the words seen most near both). "
                           "Window and corpus come from the training settings.",
        "embed.cooc.totals": "X_i = {xi}, X_j = {xj}, window {window}",
        "embed.tab.onehot": "One-hot",
        "embed.onehot.help": "Type a sentence and Enter: a one-hot vector times an embedding matrix W (random "
                             "values) gives one row of W. An embedding layer looks that row up instead.",
        "embed.onehot.col": "one-hot",
        "embed.onehot.equal": "one-hot x W equals the rows looked up in W ({n} words, {d} dimensions).",
        "embed.onehot.differ": "one-hot x W differs from W's rows ({n} words, {d} dimensions).",
        "embed.onehot.dots": "Dot products of different one-hot vectors: {dots}. Dense cosines: {low} to {high}.",
        "embed.map.placeholder": "fire crews israeli palestinian arafat sharon",
        "embed.map.help": "Type three or more words and Enter: PCA lays their vectors out on two axes.",
        "embed.map.caption": "the two axes explain {x}% and {y}% of the variance",
        **{f"msg.{key}": text for key, text in MESSAGES.items()},
    },
}
