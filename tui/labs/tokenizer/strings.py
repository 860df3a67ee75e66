"""The tokenizer lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Glossary terms (토큰, 토크나이저, 서브워드, 어휘 사전, 병합, 미등록 토큰) follow
``shared/GLOSSARY.md``; Korean strings avoid East Asian ambiguous-width symbols. ``msg.*``
entries translate the engine's notices and errors (``engine/tokenize/messages.py``).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "tok.title": "토크나이저 실습",
        "tok.tab.play": "플레이그라운드", "tok.tab.steps": "단계별 학습", "tok.tab.compare": "비교",
        "tok.tab.train": "학습",
        "tok.placeholder": "토큰화할 텍스트를 입력하세요",
        "tok.waiting": "텍스트를 입력하면 바로 토큰으로 나눕니다.",
        "tok.stats": "{tokenizer} ({kind}, 어휘 {vocab:,}): 토큰 {tokens:,}개, 글자 {chars:,}, 바이트 {bytes:,}, "
                     "토큰당 {cpt:.2f}글자 {bpt:.2f}바이트",
        "tok.roundtrip.yes": "디코딩하면 원문 그대로", "tok.roundtrip.no": "디코딩하면 원문과 다름",
        "tok.unknown": "미등록 토큰(UNK) {n}개",
        "tok.legend": "밑줄: 한 글자의 일부 바이트(<EC 8B>)  빨강: 미등록 토큰",
        "tok.ids": "ID",
        "tok.steps.header": "{algo}  {example}  {marker}  {at}/{total}단계",
        "tok.steps.marker_on": "</w> 있음", "tok.steps.marker_off": "</w> 없음",
        "tok.steps.start": "시작: 단어를 글자로 나눈 상태",
        "tok.steps.merge": "병합 {index}: {left} + {right} -> {merged} ({value}{tied})",
        "tok.steps.count": "빈도 {n}", "tok.steps.score": "점수 {v}",
        "tok.steps.tied": ", 동점 {n}개 중 처음 센 쌍",
        "tok.steps.pruned": "제거 {index}: {tokens} (손실 {loss:.3f})",
        "tok.steps.start_loss": "시작 손실 {loss:.3f} (어휘 {n}개)",
        "tok.steps.next": "다음 후보", "tok.steps.words": "단어", "tok.steps.vocab": "어휘 사전 ({n})",
        "tok.steps.pair": "쌍", "tok.steps.freq": "빈도", "tok.steps.scorecol": "점수",
        "tok.steps.token": "토큰", "tok.steps.loss_up": "손실 증가",
        "tok.steps.done": "끝: 더 병합하거나 제거할 것이 없습니다",
        "tok.steps.deck_ok": "덱과 일치",
        "tok.compare.split": "분할", "tok.compare.tokens": "토큰", "tok.compare.cpt": "글자/토큰",
        "tok.compare.bpt": "바이트/토큰", "tok.compare.unk": "UNK", "tok.compare.exact": "복원",
        "tok.compare.words": "어절(공백)", "tok.compare.characters": "글자",
        "tok.compare.waiting": "F8: 지금 텍스트를 모든 토크나이저로 나눠 나란히 봅니다.",
        "tok.yes": "예", "tok.no": "아니오",
        "tok.train.hint": "Ctrl+R: 이 설정으로 토크나이저를 학습해 플레이그라운드(F2)에 추가합니다.",
        "field.TokenizerTrainConfig.kind": "종류", "field.TokenizerTrainConfig.corpus": "코퍼스",
        "field.TokenizerTrainConfig.vocab_size": "어휘 크기", "field.TokenizerTrainConfig.min_frequency": "최소 빈도",
        "field.TokenizerTrainConfig.normalizer": "정규화", "field.TokenizerTrainConfig.hangul_alphabet": "한글 2,350자",
        "field.TokenizerTrainConfig.base": "재학습 원본",
        "choice.TokenizerTrainConfig.corpus.kolaw": "kolaw (대한민국 헌법)",
        "choice.TokenizerTrainConfig.corpus.kobill": "kobill (법률안 10건)",
        "choice.TokenizerTrainConfig.corpus.lee": "lee (영어 뉴스)",
        "choice.TokenizerTrainConfig.corpus.wiki": "wiki (영어 위키백과 발췌)",
        "choice.TokenizerTrainConfig.corpus.project": "project (이 과정의 한국어/영어 글)",
        "tok.train.running": "학습 중: {stage} {detail}",
        "tok.train.done": "{name}: 어휘 {vocab:,}개, 글자 {chars:,}개에서 {seconds:.1f}초. 예: {sample}",
        "tok.details.loading": "transformers로 토크나이저를 불러오는 중... (처음에는 몇 초 걸립니다)",
        "tok.details.head": "transformers로 본 {name} ({cls})",
        "key.tok.details": "상세",
        "key.tok.tokenizer": "토크나이저", "key.tok.algo": "알고리즘", "key.tok.marker": "</w>",
        "key.tok.prev": "이전", "key.tok.next": "다음", "key.tok.play": "재생", "key.tok.compare": "비교",
        "key.tok.train": "학습", "key.tok.back": "뒤로", "group.tok.step": "단계",
        "msg.tok.steps_ran_out": "{asked}단계 중 {done}단계만 가능했습니다. 더 병합하거나 제거할 것이 없습니다.",
        "msg.tok.deck_slip": "덱이 자기 알고리즘과 다른 곳: {where}",
        "msg.tok.deck_neg_log": "덱의 Unigram 숫자는 -log P라고 적혀 있지만 실제로는 확률 P(토큰 확률의 곱)입니다.",
        "msg.tok.deck.bpe_marker": "{step}단계: 덱은 {deck!r}를 추가하지만 이 실행은 </w> 표시 때문에 {pair}를 "
                                   "병합합니다(빈도 {count}). 덱의 목록은 표시 없이 돌린 결과입니다.",
        "msg.tok.deck.bpe_differs": "{step}단계: 덱은 {deck!r}를 추가하지만 이 실행은 {pair}를 병합합니다(빈도 {count}).",
        "msg.tok.deck.wordpiece_slip": "{step}단계: 덱은 {deck}를 병합하지만 그 점수는 {deck_score}입니다. 같은 "
                                       "공식으로 {pair}의 점수가 {score}로 더 높습니다.",
        "msg.tok.deck.unigram_p": "{word}: 덱의 {printed}는 -log P라고 적혀 있지만 P입니다(-log P = {neg_log}).",
        "msg.tok.deck.unigram_tie": "{word}: 덱의 {printed}는 -log P라고 적혀 있지만 P입니다(-log P = {neg_log}). "
                                    "확률이 같은 분할: {ties}",
        "msg.tok.deck.unigram_differs": "{word}: 덱은 {printed}, 계산 결과는 {p}입니다.",
        "msg.tok.empty_text": "텍스트가 비어 있습니다. 토큰화할 내용을 입력하세요.",
        "msg.tok.truncated": "텍스트가 {chars:,}글자라 앞의 {shown:,}글자만 보여 줍니다(개수는 전체 기준).",
        "msg.tok.surrogates": "짝이 없는 서로게이트 코드 포인트 {n}개(이모지의 반쪽이나 UTF-8이 아닌 바이트)는 "
                              "인코딩할 수 없어 U+FFFD로 바꿨습니다.",
        "msg.tok.unknown_tokenizer": "{name!r}라는 토크나이저가 없습니다. 쓸 수 있는 것: {names}",
        "msg.tok.vocab_below_alphabet": "어휘 크기 {vocab}는 알파벳에 필요한 글자 {alphabet}개(와 특수 토큰)보다 "
                                        "작습니다. {need} 이상으로 하세요.",
        "msg.tok.vocab_not_reached": "어휘가 {got}개에서 멈췄습니다(요청 {asked}개). 이 코퍼스에는 더 추가할 만큼 "
                                     "자주 나오는 조각이 없습니다.",
    },
    "en": {
        "tok.title": "Tokenizer lab",
        "tok.tab.play": "Playground", "tok.tab.steps": "Step through", "tok.tab.compare": "Compare",
        "tok.tab.train": "Train",
        "tok.placeholder": "Type text to tokenize",
        "tok.waiting": "Type some text: it is split into tokens as you type.",
        "tok.stats": "{tokenizer} ({kind}, vocabulary {vocab:,}): {tokens:,} tokens, {chars:,} characters, "
                     "{bytes:,} bytes, {cpt:.2f} characters and {bpt:.2f} bytes per token",
        "tok.roundtrip.yes": "decodes back exactly", "tok.roundtrip.no": "does not decode back exactly",
        "tok.unknown": "{n} unknown token(s)",
        "tok.legend": "underlined: bytes of part of a character (<EC 8B>)  red: unknown token",
        "tok.ids": "ids",
        "tok.steps.header": "{algo}  {example}  {marker}  step {at}/{total}",
        "tok.steps.marker_on": "with </w>", "tok.steps.marker_off": "no </w>",
        "tok.steps.start": "start: every word split into characters",
        "tok.steps.merge": "merge {index}: {left} + {right} -> {merged} ({value}{tied})",
        "tok.steps.count": "count {n}", "tok.steps.score": "score {v}",
        "tok.steps.tied": ", first counted of {n} tied",
        "tok.steps.pruned": "prune {index}: {tokens} (loss {loss:.3f})",
        "tok.steps.start_loss": "start loss {loss:.3f} ({n} tokens)",
        "tok.steps.next": "next candidates", "tok.steps.words": "words", "tok.steps.vocab": "vocabulary ({n})",
        "tok.steps.pair": "pair", "tok.steps.freq": "count", "tok.steps.scorecol": "score",
        "tok.steps.token": "token", "tok.steps.loss_up": "loss +",
        "tok.steps.done": "done: nothing left to merge or prune",
        "tok.steps.deck_ok": "matches the deck",
        "tok.compare.split": "split", "tok.compare.tokens": "tokens", "tok.compare.cpt": "chars/tok",
        "tok.compare.bpt": "bytes/tok", "tok.compare.unk": "UNK", "tok.compare.exact": "exact",
        "tok.compare.words": "words (spaces)", "tok.compare.characters": "characters",
        "tok.compare.waiting": "F8: split the text with every tokenizer, side by side.",
        "tok.yes": "yes", "tok.no": "no",
        "tok.train.hint": "Ctrl+R trains a tokenizer with these settings and adds it to the playground (F2).",
        "field.TokenizerTrainConfig.kind": "kind", "field.TokenizerTrainConfig.corpus": "corpus",
        "field.TokenizerTrainConfig.vocab_size": "vocab size", "field.TokenizerTrainConfig.min_frequency": "min count",
        "field.TokenizerTrainConfig.normalizer": "normalizer", "field.TokenizerTrainConfig.hangul_alphabet": "Hangul 2,350",
        "field.TokenizerTrainConfig.base": "retrain",
        "choice.TokenizerTrainConfig.corpus.kolaw": "kolaw (Korean constitution)",
        "choice.TokenizerTrainConfig.corpus.kobill": "kobill (ten Korean bills)",
        "choice.TokenizerTrainConfig.corpus.lee": "lee (English news)",
        "choice.TokenizerTrainConfig.corpus.wiki": "wiki (English Wikipedia excerpt)",
        "choice.TokenizerTrainConfig.corpus.project": "project (this course's own text)",
        "tok.train.running": "training: {stage} {detail}",
        "tok.train.done": "{name}: {vocab:,} tokens from {chars:,} characters in {seconds:.1f} s. Sample: {sample}",
        "tok.details.loading": "Loading the tokenizer with transformers... (seconds the first time)",
        "tok.details.head": "{name} as transformers sees it ({cls})",
        "key.tok.details": "Details",
        "key.tok.tokenizer": "Tokenizer", "key.tok.algo": "Algo", "key.tok.marker": "</w>",
        "key.tok.prev": "Prev", "key.tok.next": "Next", "key.tok.play": "Play", "key.tok.compare": "Compare",
        "key.tok.train": "Train", "key.tok.back": "Back", "group.tok.step": "Step",
        "msg.tok.steps_ran_out": "Only {done} of {asked} steps were possible: nothing is left to merge or prune.",
        "msg.tok.deck_slip": "The deck differs from its own algorithm here: {where}",
        "msg.tok.deck_neg_log": "The deck's Unigram numbers are probabilities P (products of token probabilities), "
                                "although it labels them -log P.",
        "msg.tok.deck.bpe_marker": "Step {step}: the deck adds {deck!r}, this run merges {pair} (count {count}) "
                                   "because of the </w> marker (the deck's list is the run without it).",
        "msg.tok.deck.bpe_differs": "Step {step}: the deck adds {deck!r}, this run merges {pair} (count {count}).",
        "msg.tok.deck.wordpiece_slip": "Step {step}: the deck merges {deck}, which scores {deck_score}; by the same "
                                       "formula {pair} scores {score}, higher.",
        "msg.tok.deck.unigram_p": "{word}: the deck prints {printed} and calls it -log P; it is P "
                                  "(-log P = {neg_log}).",
        "msg.tok.deck.unigram_tie": "{word}: the deck prints {printed} and calls it -log P; it is P "
                                    "(-log P = {neg_log}); equally likely splits: {ties}",
        "msg.tok.deck.unigram_differs": "{word}: the deck prints {printed}, the computation gives {p}.",
        "msg.tok.empty_text": "The text is empty: type something to tokenize.",
        "msg.tok.truncated": "The text is {chars:,} characters; the view shows the first {shown:,} (counts cover "
                             "all of it).",
        "msg.tok.surrogates": "{n} unpaired surrogate code point(s) (half of an emoji, or bytes that were not UTF-8) "
                              "cannot be encoded; each became U+FFFD.",
        "msg.tok.unknown_tokenizer": "No tokenizer called {name!r}; available here: {names}",
        "msg.tok.vocab_below_alphabet": "Vocab size {vocab} is smaller than the {alphabet} characters the alphabet "
                                        "needs (plus special tokens); use at least {need}.",
        "msg.tok.vocab_not_reached": "The vocabulary stopped at {got} tokens (asked for {asked}): this corpus has "
                                     "no more pieces frequent enough to add.",
    },
}
