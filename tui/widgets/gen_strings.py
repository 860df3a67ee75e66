"""The generation lab's UI strings, Korean and English.

The app's tables (``tui/i18n/ko.py`` and ``en.py``) are closed dicts owned by the
app; until they grow a way to add a lab's own table, the lab keeps its strings here
with the same rules: identical keys in both languages (a test checks), glossary
terms (온도, 탐욕적 탐색, 빔 탐색, 채팅 템플릿 ...), and the live language from
``tui.i18n.get_lang``.
"""

from __future__ import annotations

from ..i18n import add_strings, get_lang

KO: dict[str, str] = {
    "title": "텍스트 생성 실습",
    "settings": "설정",
    "temperature": "온도",
    "top_k": "top-k",
    "top_p": "top-p",
    "repetition_penalty": "반복 페널티",
    "max_new_tokens": "최대 토큰",
    "num_beams": "빔 개수",
    "seed": "시드",
    "off": "끔",
    "mode.sample": "샘플링",
    "mode.greedy": "탐욕적 탐색",
    "mode.beam": "빔 탐색",
    "mode.chat": "채팅",
    "mode.prompt": "프롬프트",
    "prompt.placeholder": "이어 쓸 텍스트를 입력하세요",
    "system.placeholder": "시스템 프롬프트 (비워 두면 없음)",
    "tab.output": "출력",
    "tab.next": "다음 토큰",
    "tab.compare": "전략 비교",
    "tab.template": "채팅 템플릿",
    "status.loading": "{model} 불러오는 중...",
    "status.ready": "{model} 준비됨 ({device}). Ctrl+R 생성, Esc 중지",
    "status.generating": "생성 중... Esc로 중지",
    "status.stopped": "중지됨: {n}개 토큰",
    "status.done": "{n}개 토큰 · 첫 토큰 {ttft} ms · 초당 {tps} 토큰 ({reason})",
    "status.comparing": "탐욕적 탐색 · 빔 탐색 · 샘플링 실행 중...",
    "status.failed": "오류: {error}",
    "next.waiting": "프롬프트를 입력하면 한 번의 순전파로 다음 토큰 분포를 계산합니다.",
    "next.header": "순전파 {n}회 · 어휘 {vocab:,}개 · 슬라이더는 캐시된 로짓만 다시 계산",
    "next.kept": "남은 수",
    "stage.raw": "원래",
    "stage.penalty": "페널티",
    "stage.temperature": "온도",
    "stage.top-k": "top-k",
    "stage.top-p": "top-p",
    "stage.final": "최종",
    "compare.waiting": "F4: 같은 프롬프트로 탐욕적 탐색, 빔 탐색(모든 빔), 시드별 샘플링을 나란히 봅니다.",
    "compare.logprob": "로그확률",
    "compare.score": "빔 점수",
    "template.own": "{model}의 채팅 템플릿 (add_generation_prompt=True)",
    "template.builtin": "내장 {fmt} 형식",
    "template.none": "이 토크나이저에는 채팅 템플릿이 없습니다. 내장 형식을 보여 줍니다 (F6으로 바꾸기).",
    "template.hint": "F6: 형식 바꾸기 (자체 → chatml → llama3 → gemma → alpaca)",
    "key.generate": "생성",
    "key.stop": "중지/뒤로",
    "key.sample": "샘플링 켜기/끄기",
    "key.chat": "채팅 모드",
    "key.compare": "전략 비교",
    "key.format": "템플릿 형식",
    "notice.greedy_temp": "온도 0은 항상 가장 확률이 높은 토큰을 고르므로 탐욕적 탐색과 같습니다.",
    "notice.beam_stream": "빔 탐색은 모든 빔을 끝까지 본 뒤 고르므로 한 토큰씩 스트리밍되지 않습니다.",
}

EN: dict[str, str] = {
    "title": "Text generation lab",
    "settings": "Settings",
    "temperature": "temperature",
    "top_k": "top-k",
    "top_p": "top-p",
    "repetition_penalty": "rep. penalty",
    "max_new_tokens": "max tokens",
    "num_beams": "beams",
    "seed": "seed",
    "off": "off",
    "mode.sample": "sampling",
    "mode.greedy": "greedy",
    "mode.beam": "beam search",
    "mode.chat": "chat",
    "mode.prompt": "prompt",
    "prompt.placeholder": "Type the text to continue",
    "system.placeholder": "System prompt (empty: none)",
    "tab.output": "Output",
    "tab.next": "Next token",
    "tab.compare": "Compare",
    "tab.template": "Chat template",
    "status.loading": "Loading {model}...",
    "status.ready": "{model} ready ({device}). Ctrl+R generates, Esc stops",
    "status.generating": "Generating... Esc stops",
    "status.stopped": "Stopped after {n} tokens",
    "status.done": "{n} tokens · first token {ttft} ms · {tps} tokens/s ({reason})",
    "status.comparing": "Running greedy, beam search and sampling...",
    "status.failed": "Error: {error}",
    "next.waiting": "Type a prompt: one forward pass gives the next-token distribution.",
    "next.header": "{n} forward pass(es) · vocabulary {vocab:,} · sliders recompute from cached logits",
    "next.kept": "kept",
    "stage.raw": "raw",
    "stage.penalty": "penalty",
    "stage.temperature": "temp",
    "stage.top-k": "top-k",
    "stage.top-p": "top-p",
    "stage.final": "final",
    "compare.waiting": "F4: greedy, beam search (every beam) and one sample per seed, side by side.",
    "compare.logprob": "log-prob",
    "compare.score": "beam score",
    "template.own": "{model}'s chat template (add_generation_prompt=True)",
    "template.builtin": "built-in {fmt} format",
    "template.none": "This tokenizer has no chat template; showing a built-in format (F6 to change).",
    "template.hint": "F6: change format (own -> chatml -> llama3 -> gemma -> alpaca)",
    "key.generate": "Generate",
    "key.stop": "Stop/Back",
    "key.sample": "Sampling on/off",
    "key.chat": "Chat mode",
    "key.compare": "Compare",
    "key.format": "Template format",
    "notice.greedy_temp": "Temperature 0 always picks the most likely token: that is greedy decoding.",
    "notice.beam_stream": "Beam search picks a sequence only at the end, so it does not stream token by token.",
}

TABLES = {"ko": KO, "en": EN}

# the footer descriptions of the screen's bindings (ids "gen.<name>") in the app's tables
add_strings({lang: {f"key.gen.{k[4:]}": v for k, v in table.items() if k.startswith("key.")}
             for lang, table in TABLES.items()})
add_strings({
    "ko": {"key.slider.less": "줄이기", "key.slider.more": "늘리기", "key.slider.much_less": "많이 줄이기",
           "key.slider.much_more": "많이 늘리기", "key.slider.min": "최솟값", "key.slider.max": "최댓값"},
    "en": {"key.slider.less": "Less", "key.slider.more": "More", "key.slider.much_less": "Much less",
           "key.slider.much_more": "Much more", "key.slider.min": "Minimum", "key.slider.max": "Maximum"},
})


def gt(key: str, **values: object) -> str:
    """``key`` in the live language (English when the language has no table)."""
    text = TABLES.get(get_lang(), EN)[key]
    return text.format(**values) if values else text
