"""The language-model lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Terms follow ``shared/GLOSSARY.md`` (인과 언어 모델(CLM), 마스크 언어 모델(MLM), 퍼플렉서티,
로그 가능도, 확률 / 분포, 컨텍스트 길이); ``msg.*`` entries translate the engine's messages.
"""

from __future__ import annotations

from engine.lm.messages import MESSAGES

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "lm.title": "언어 모델 실습",
        "lm.placeholder.prompt": "문장이나 프롬프트 (Enter로 계산)",
        "lm.placeholder.masked": "[MASK]가 들어간 문장 (Enter로 계산)",
        "lm.tab.next": "다음 토큰",
        "lm.tab.surprise": "토큰별 놀람",
        "lm.tab.fill": "빈칸 채우기",
        "lm.status.loading": "{model} 불러오는 중...",
        "lm.status.working": "{model} 계산 중...",
        "lm.status.next": "{model}: 프롬프트 {n}토큰 뒤의 다음 토큰",
        "lm.status.surprise": "{model}: {n}토큰 채점",
        "lm.status.fill": "{model}: 마스크 {n}개",
        "lm.status.failed": "실패: {error}",
        "lm.waiting": "계산 중...",
        "lm.col.token": "토큰",
        "lm.col.prob": "확률",
        "lm.col.logprob": "로그 확률",
        "lm.col.surprise": "놀람 -log p",
        "lm.col.rank": "순위",
        "lm.col.pick": "모델의 1순위",
        "lm.next.head": "어휘 {vocab:,}개 중 상위 {n}개 (원래 분포: 온도, top-k, top-p 없음)",
        "lm.next.foot": "보이는 {n}개의 합 {shown:.3f}, 분포 전체의 합 {total:.6f}, 엔트로피 {entropy:.2f} nats",
        "lm.surprise.head": "확률은 앞 토큰만 보고 준 값, 놀람 = -log p (nats)",
        "lm.surprise.foot": "퍼플렉서티 {ppl:,.2f} = exp(평균 음의 로그 가능도 {mean:.3f}), 토큰 {n}개, 합 {total:.2f}",
        "lm.surprise.worst": "가장 놀란 토큰: {token} (확률 {prob}, 순위 {rank})",
        "lm.surprise.bos": "첫 토큰은 문장 시작 토큰 {bos}만 보고 예측합니다.",
        "lm.fill.mask": "마스크 {n}: 양쪽 문맥을 보는 {mlm}, 왼쪽 문맥만 보는 {clm}",
        "lm.fill.mask_only": "마스크 {n}: {mlm} (양쪽 문맥)",
        "lm.fill.left": "{clm}에 준 왼쪽 문맥: {prompt}",
        "lm.fill.tokens": "{mlm}의 입력 토큰: {tokens}",
        "lm.example": "예문 ({lang})",
        "key.lm.next": "다음 토큰", "key.lm.surprise": "놀람",
        "key.lm.fill": "빈칸", "key.lm.example": "예문", "key.lm.back": "뒤로",
        "msg.lm.empty_text": "텍스트가 비어 있습니다. 문장을 입력하세요 (예: {example})",
        "msg.lm.no_mask": "마스크 토큰이 없습니다. 빠진 단어 자리에 {mask}를 쓰세요 (예: {example})",
        "msg.lm.masked_model": "{model}은(는) 마스크 언어 모델({mask}의 양쪽을 읽음)입니다. llm-dojo fill-mask에 쓰세요. "
                               "{what}에는 dojo-tiny 같은 인과 언어 모델이 필요합니다.",
        "msg.lm.causal_model": "{model}은(는) 인과 언어 모델(왼쪽에서 오른쪽으로 읽고 마스크 토큰이 없음)입니다. "
                               "llm-dojo score나 llm-dojo next-token에 쓰세요. 빈칸 채우기에는 dojo-tiny-mlm 같은 "
                               "마스크 언어 모델이 필요합니다.",
        "msg.lm.not_a_lm": "{model}은(는) 인과 언어 모델도 마스크 언어 모델도 아닙니다(헤드: {arch}). 채점과 다음 토큰은 "
                           "dojo-tiny, 빈칸 채우기는 dojo-tiny-mlm을 쓰세요.",
        "msg.lm.too_short": "'{text}'는 토큰 하나뿐입니다. 첫 토큰은 앞에 아무것도 없어 예측할 수 없으니 두 토큰 "
                            "이상이 필요합니다.",
        "msg.lm.truncated_start": "텍스트가 {n}토큰인데 {model}은(는) 최대 {context}토큰까지 읽습니다. 앞의 "
                                  "{kept}토큰만 썼습니다.",
        "msg.lm.truncated_end": "텍스트가 {n}토큰인데 {model}은(는) 최대 {context}토큰까지 읽습니다. 끝에 가까운 "
                                "{kept}토큰만 썼습니다.",
        "msg.lm.mask_cut": "모든 {mask}가 {model}이(가) 읽을 수 있는 {context}토큰 밖에 있습니다. 마스크를 앞으로 "
                           "옮기거나 텍스트를 줄이세요.",
        "msg.lm.too_many_masks": "마스크가 {n}개입니다. {mask}는 하나씩 따로 예측하니 {limit}개 이하로 쓰세요.",
        "msg.lm.no_left_context": "마스크 {n}이 문장 맨 앞에 있어 인과 언어 모델은 왼쪽 문맥 없이 텍스트의 첫 "
                                  "토큰을 예측합니다.",
        "msg.lm.top_range": "top {value}: 후보는 1개에서 {limit}개 사이로 보여 줍니다.",
        "msg.lm.first_not_scored": "{model}의 토크나이저에는 문장 시작 토큰이 없어 첫 토큰 '{token}'은 채점하지 "
                                   "않습니다 (앞에 아무것도 없음).",
    },
    "en": {
        "lm.title": "Language-model lab",
        "lm.placeholder.prompt": "A sentence or prompt (Enter to compute)",
        "lm.placeholder.masked": "A sentence with [MASK] (Enter to compute)",
        "lm.tab.next": "Next token",
        "lm.tab.surprise": "Surprise",
        "lm.tab.fill": "Fill-mask",
        "lm.status.loading": "loading {model}...",
        "lm.status.working": "{model} computing...",
        "lm.status.next": "{model}: next token after {n} prompt tokens",
        "lm.status.surprise": "{model}: {n} tokens scored",
        "lm.status.fill": "{model}: {n} mask(s)",
        "lm.status.failed": "failed: {error}",
        "lm.waiting": "computing...",
        "lm.col.token": "token",
        "lm.col.prob": "p",
        "lm.col.logprob": "log p",
        "lm.col.surprise": "surprise -log p",
        "lm.col.rank": "rank",
        "lm.col.pick": "model's pick",
        "lm.next.head": "top {n} of a vocabulary of {vocab:,} (the raw distribution: no temperature, top-k or top-p)",
        "lm.next.foot": "the {n} shown sum to {shown:.3f}; the whole distribution sums to {total:.6f}; "
                        "entropy {entropy:.2f} nats",
        "lm.surprise.head": "p given only the tokens before; surprise = -log p (nats)",
        "lm.surprise.foot": "perplexity {ppl:,.2f} = exp(mean negative log-likelihood {mean:.3f}) over {n} tokens "
                            "(sum {total:.2f})",
        "lm.surprise.worst": "most surprising: {token} (p {prob}, rank {rank})",
        "lm.surprise.bos": "the first token is predicted from the beginning-of-text token {bos} alone",
        "lm.fill.mask": "mask {n}: {mlm} reads both sides, {clm} the left side only",
        "lm.fill.mask_only": "mask {n}: {mlm} (both sides)",
        "lm.fill.left": "left context read by {clm}: {prompt}",
        "lm.fill.tokens": "{mlm} input tokens: {tokens}",
        "lm.example": "example ({lang})",
        "key.lm.next": "Next token", "key.lm.surprise": "Surprise",
        "key.lm.fill": "Fill-mask", "key.lm.example": "Example", "key.lm.back": "Back",
        **{f"msg.{key}": text[0].upper() + text[1:] + "." for key, text in MESSAGES.items()},
    },
}
