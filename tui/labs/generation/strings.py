"""The generation lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Glossary terms (온도, 탐욕적 탐색, 빔 탐색, 채팅 템플릿 ...) follow ``shared/GLOSSARY.md``;
Korean strings avoid East Asian ambiguous-width symbols (· → …), which some Korean-locale
terminals draw two cells wide. ``msg.*`` entries translate the engine's notices and
errors (``engine/generation/messages.py``).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "gen.title": "텍스트 생성 실습",
        "gen.temperature": "온도", "gen.top_k": "top-k", "gen.top_p": "top-p",
        "gen.repetition_penalty": "반복 페널티", "gen.max_new_tokens": "최대 토큰", "gen.num_beams": "빔 개수",
        "gen.seed": "시드", "gen.off": "끔",
        "gen.mode.sample": "샘플링", "gen.mode.greedy": "탐욕적 탐색", "gen.mode.beam": "빔 탐색",
        "gen.mode.chat": "채팅", "gen.mode.prompt": "프롬프트", "gen.mode.keys": "F2 샘플링, F3 채팅",
        "gen.system.placeholder": "시스템 프롬프트 (비워 두면 없음)",
        "gen.tab.output": "출력", "gen.tab.next": "다음 토큰", "gen.tab.compare": "전략 비교",
        "gen.tab.template": "채팅 템플릿",
        "gen.status.loading": "{model} 불러오는 중... (처음 한 번만 걸립니다)",
        "gen.status.ready": "{model} 준비됨 ({device}). Ctrl+R 생성, Esc 중지",
        "gen.status.generating": "생성 중... Esc로 중지",
        "gen.status.stopped": "중지됨: 토큰 {n}개",
        "gen.status.done": "토큰 {n}개, 첫 토큰 {ttft} ms, 초당 {tps} 토큰 ({reason})",
        "gen.status.comparing": "전략 비교 중: {done}/{total} ({label})",
        "gen.status.compared": "전략 {n}개 비교 완료, {seconds}초",
        "gen.status.failed": "오류: {error}",
        "gen.status.room": "프롬프트 {prompt}토큰, 새 토큰은 최대 {room}개",
        "gen.reason.eos": "끝 토큰", "gen.reason.length": "최대 길이", "gen.reason.stop": "멈춤 문자열",
        "gen.reason.cancelled": "중지",
        "gen.loading.output": "모델을 불러오는 중입니다. 준비되면 Ctrl+R로 생성하세요.",
        "gen.next.waiting": "프롬프트를 입력하면 한 번의 순전파로 다음 토큰 분포를 계산합니다.",
        "gen.next.header": "순전파 {n}회, 어휘 {vocab:,}개. 슬라이더는 캐시된 로짓만 다시 계산합니다.",
        "gen.next.greedy": "탐욕적 탐색: 온도, top-k, top-p는 샘플링에만 쓰이므로 최종 확률은 가장 높은 토큰 하나에 "
                           "모두 갑니다 (F2로 샘플링).",
        "gen.next.kept": "남은 수",
        "gen.stage.raw": "원래", "gen.stage.penalty": "페널티", "gen.stage.temperature": "온도",
        "gen.stage.top-k": "top-k", "gen.stage.top-p": "top-p", "gen.stage.final": "최종",
        "gen.compare.waiting": "F4: 같은 프롬프트로 탐욕적 탐색, 빔 탐색(모든 빔), 시드별 샘플링을 나란히 봅니다. "
                               "비교는 최대 {n}토큰까지 만듭니다.",
        "gen.compare.logprob": "로그 확률", "gen.compare.score": "빔 점수", "gen.compare.run": "전략",
        "gen.compare.text": "생성된 텍스트",
        "gen.cand.greedy": "탐욕적", "gen.cand.beam": "빔 {n}", "gen.cand.seed": "시드 {n}",
        "gen.template.own": "{model}의 채팅 템플릿 (add_generation_prompt=True)",
        "gen.template.builtin": "내장 {fmt} 형식",
        "gen.template.none": "이 토크나이저에는 채팅 템플릿이 없습니다. 내장 형식을 보여 줍니다 (F6으로 바꾸기).",
        "gen.template.hint": "F6: 형식 바꾸기 (자체, chatml, llama3, gemma, alpaca)",
        "gen.task_card": "이 모델은 감성 분류로 미세조정되었습니다. 프롬프트에 학습 때의 형식을 씌웁니다.",
        "gen.labels": "레이블 점수: {labels}",
        "gen.unsaved": "생성이 진행 중입니다. 그래도 나갈까요?",
        "key.gen.generate": "생성", "key.gen.stop": "중지/뒤로", "key.gen.sample": "샘플링",
        "key.gen.chat": "채팅", "key.gen.compare": "비교", "key.gen.format": "형식",
        "msg.gen.greedy_temperature": "온도 0은 항상 가장 확률이 높은 토큰을 고르므로 탐욕적 탐색입니다. "
                                      "샘플링을 끄고 탐욕적으로 생성합니다.",
        "msg.gen.knobs_unused": "온도와 top-p는 샘플링에만 쓰입니다. 지금은 탐욕적 탐색이라 효과가 없습니다 "
                                "(F2로 샘플링을 켜세요).",
        "msg.gen.stop_never_seen": "멈춤 문자열 {stops}이(가) 나오지 않아 최대 토큰 수({n})까지 생성했습니다.",
        "msg.gen.beam_not_streamed": "빔 탐색은 여러 후보를 끝까지 본 뒤 하나를 고르므로 텍스트가 한 번에 나타납니다.",
        "msg.gen.empty_prompt": "프롬프트가 비어 있습니다. 모델이 이어 쓸 텍스트를 입력하세요.",
        "msg.gen.prompt_too_long": "프롬프트가 {prompt}토큰인데 이 모델은 최대 {context}토큰만 읽습니다. 새 토큰이 "
                                   "들어갈 자리가 남도록 프롬프트를 줄이세요.",
        "msg.gen.beyond_context": "최대 토큰 {n}개는 컨텍스트를 넘습니다. 프롬프트가 {context}토큰 중 {prompt}개를 "
                                  "차지해 새 토큰은 최대 {room}개까지 들어갑니다.",
        "msg.chat.alpaca_no_system": "Alpaca 형식에는 시스템 메시지가 없어 빠집니다 (정해진 첫 문장이 그 역할을 "
                                     "합니다).",
        "msg.chat.alpaca_single_turn": "Alpaca 형식은 한 턴짜리라 첫 사용자 메시지만 씁니다.",
        "msg.chat.gemma_no_system": "Gemma에는 시스템 역할이 없어 시스템 메시지가 첫 사용자 턴 앞에 붙습니다.",
        "msg.chat.no_messages": "형식을 씌울 메시지가 없습니다. 사용자 메시지를 하나 이상 입력하세요.",
        "msg.chat.gemma_alternate": "Gemma 턴은 사용자부터 시작해 사용자와 조수가 번갈아 나와야 합니다.",
        "msg.chat.alpaca_needs_user": "Alpaca 형식에는 지시문이 될 사용자 메시지가 필요합니다.",
        "msg.chat.no_template": "{model}의 토크나이저에는 채팅 템플릿이 없습니다 (채팅 모델로 학습되지 "
                                "않았습니다). 내장 형식을 쓰세요: {formats} (chatml이 무난합니다)",
    },
    "en": {
        "gen.title": "Text generation lab",
        "gen.temperature": "temperature", "gen.top_k": "top-k", "gen.top_p": "top-p",
        "gen.repetition_penalty": "repetition", "gen.max_new_tokens": "max tokens", "gen.num_beams": "beams",
        "gen.seed": "seed", "gen.off": "off",
        "gen.mode.sample": "sampling", "gen.mode.greedy": "greedy", "gen.mode.beam": "beam search",
        "gen.mode.chat": "chat", "gen.mode.prompt": "prompt", "gen.mode.keys": "F2 sampling, F3 chat",
        "gen.system.placeholder": "System prompt (empty: none)",
        "gen.tab.output": "Output", "gen.tab.next": "Next token", "gen.tab.compare": "Compare",
        "gen.tab.template": "Chat template",
        "gen.status.loading": "Loading {model}... (only the first time)",
        "gen.status.ready": "{model} ready ({device}). Ctrl+R generates, Esc stops",
        "gen.status.generating": "Generating... Esc stops",
        "gen.status.stopped": "Stopped after {n} tokens",
        "gen.status.done": "{n} tokens, first token {ttft} ms, {tps} tokens/s ({reason})",
        "gen.status.comparing": "Comparing: {done}/{total} ({label})",
        "gen.status.compared": "{n} strategies compared in {seconds} s",
        "gen.status.failed": "Error: {error}",
        "gen.status.room": "prompt {prompt} tokens, at most {room} new",
        "gen.reason.eos": "end token", "gen.reason.length": "max length", "gen.reason.stop": "stop string",
        "gen.reason.cancelled": "stopped",
        "gen.loading.output": "Loading the model. When it is ready, Ctrl+R generates.",
        "gen.next.waiting": "Type a prompt: one forward pass gives the next-token distribution.",
        "gen.next.header": "{n} forward pass(es), vocabulary {vocab:,}. Sliders recompute from cached logits.",
        "gen.next.greedy": "Greedy decoding: temperature, top-k and top-p shape sampling only, so the final "
                           "probability is all on the most likely token (F2 samples).",
        "gen.next.kept": "kept",
        "gen.stage.raw": "raw", "gen.stage.penalty": "penalty", "gen.stage.temperature": "temp",
        "gen.stage.top-k": "top-k", "gen.stage.top-p": "top-p", "gen.stage.final": "final",
        "gen.compare.waiting": "F4: greedy, beam search (every beam) and one sample per seed, side by side, "
                               "up to {n} tokens each.",
        "gen.compare.logprob": "log-prob", "gen.compare.score": "beam score", "gen.compare.run": "run",
        "gen.compare.text": "generated text",
        "gen.cand.greedy": "greedy", "gen.cand.beam": "beam {n}", "gen.cand.seed": "seed {n}",
        "gen.template.own": "{model}'s chat template (add_generation_prompt=True)",
        "gen.template.builtin": "built-in {fmt} format",
        "gen.template.none": "This tokenizer has no chat template; showing a built-in format (F6 to change).",
        "gen.template.hint": "F6: change format (own, chatml, llama3, gemma, alpaca)",
        "gen.task_card": "This model was fine-tuned to label sentiment: the prompt gets its training format.",
        "gen.labels": "Label scores: {labels}",
        "gen.unsaved": "A generation is running. Leave anyway?",
        "key.gen.generate": "Generate", "key.gen.stop": "Stop/Back", "key.gen.sample": "Sampling",
        "key.gen.chat": "Chat", "key.gen.compare": "Compare", "key.gen.format": "Format",
        "msg.gen.greedy_temperature": "Temperature 0 always picks the most likely token, which is greedy "
                                      "decoding: generating greedily (sampling off).",
        "msg.gen.knobs_unused": "Temperature and top-p only shape sampling; this run is greedy, so they have no "
                                "effect (F2 turns sampling on).",
        "msg.gen.stop_never_seen": "The stop string(s) {stops} never occurred; generation ran to max tokens ({n}).",
        "msg.gen.beam_not_streamed": "Beam search keeps several sequences and picks one at the end, so its text "
                                     "appears all at once.",
        "msg.gen.empty_prompt": "The prompt is empty: give the model some text to continue.",
        "msg.gen.prompt_too_long": "The prompt is {prompt} tokens but this model reads at most {context}; shorten "
                                   "it so there is room for new tokens.",
        "msg.gen.beyond_context": "Max tokens {n} is beyond the context: the prompt takes {prompt} of this model's "
                                  "{context} tokens, so at most {room} new tokens fit.",
        "msg.chat.alpaca_no_system": "Alpaca has no system message: it is left out (the fixed first sentence "
                                     "plays that part).",
        "msg.chat.alpaca_single_turn": "Alpaca is single-turn: only the first user message is used.",
        "msg.chat.gemma_no_system": "Gemma has no system role: the system message opens the first user turn.",
        "msg.chat.no_messages": "No messages to format: give at least one user message.",
        "msg.chat.gemma_alternate": "Gemma turns must alternate user/assistant/user/..., starting with the user.",
        "msg.chat.alpaca_needs_user": "Alpaca needs a user message: it becomes the instruction.",
        "msg.chat.no_template": "{model}'s tokenizer has no chat template (it was not trained as a chat model); "
                                "use a built-in format: {formats} (chatml is a good default).",
    },
}
