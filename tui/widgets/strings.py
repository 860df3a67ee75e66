"""Strings of the widgets several labs share (the live run view, the loss plot, sliders).

Registered with the app's tables by ``tui.labs.register_strings`` like a lab's own
table; the widgets look them up with the app's one ``t()``.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "key.code.show": "Code", "key.code.copy": "Copy", "key.code.save": "Save .py",
        "key.code.notebook": "Save .ipynb", "key.code.close": "Close",
        "code.copied": "Copied {lines} lines to the clipboard (OSC 52; some terminals need it allowed).",
        "code.saved": "Saved: {path}",
        "code.nothing": "Nothing to show yet: run something in this lab first, then press F12.",
        "run.none": "No run attached. Start one, or pick one in the runs list.",
        "run.queued": "#{position} in line for {devices} (after {after}); it starts by itself",
        "run.step": "step {step}/{total}", "run.eta": "ETA {eta}", "run.items": "items {step}/{total}",
        "run.col.model": "model", "run.col.metric": "metric", "run.col.value": "value", "run.col.stderr": "± stderr",
        "run.col.delta": "Δ base",
        "run.loss": "loss {value}", "run.eval": "eval loss {value}", "run.acc": "accuracy {value}",
        "run.lr": "lr {value}", "run.tps": "{value} tok/s", "run.margin": "reward margin {value}",
        "run.best": "kept the weights of step {step} (best {metric} {value})",
        "run.stage": "{stage}: {detail}",
        "plot.caption": "Lines: {lines}. Steps along the bottom. F5: log scale ({scale}).",
        "plot.linear": "linear", "plot.log": "log",
        "series.train/loss": "train loss", "series.eval/loss": "eval loss", "series.lr": "learning rate",
        "series.eval/accuracy": "eval accuracy", "series.rewards/margins": "reward margin",
        "series.rewards/accuracies": "reward accuracy",
        "state.queued": "queued", "state.running": "running", "state.stopping": "stopping",
        "state.completed": "completed", "state.failed": "failed", "state.cancelled": "cancelled",
        "key.slider.less": "Less", "key.slider.more": "More", "key.slider.much_less": "Much less",
        "key.slider.much_more": "Much more", "key.slider.min": "Minimum", "key.slider.max": "Maximum",
        "key.plot.log": "Log scale",
    },
    "ko": {
        "key.code.show": "코드", "key.code.copy": "복사", "key.code.save": ".py 저장",
        "key.code.notebook": ".ipynb 저장", "key.code.close": "닫기",
        "code.copied": "{lines}줄을 클립보드에 복사했습니다 (OSC 52, 터미널에 따라 허용 설정이 필요합니다).",
        "code.saved": "저장했습니다: {path}",
        "code.nothing": "아직 보여 줄 코드가 없습니다. 이 실습에서 먼저 무언가를 실행한 뒤 F12를 누르세요.",
        "run.none": "연결된 실행이 없습니다. 새로 시작하거나 실행 목록에서 고르세요.",
        "run.queued": "{devices} 대기열 {position}번째 ({after} 다음), 장치가 비면 저절로 시작합니다",
        "run.step": "스텝 {step}/{total}", "run.eta": "남은 시간 {eta}", "run.items": "항목 {step}/{total}",
        "run.col.model": "모델", "run.col.metric": "지표", "run.col.value": "값", "run.col.stderr": "± 표준오차",
        "run.col.delta": "Δ 기준",
        "run.loss": "손실 {value}", "run.eval": "평가 손실 {value}", "run.acc": "정확도 {value}",
        "run.lr": "학습률 {value}", "run.tps": "초당 {value} 토큰", "run.margin": "보상 차이 {value}",
        "run.best": "스텝 {step}의 가중치를 저장했습니다 (가장 좋은 {metric} {value})",
        "run.stage": "{stage}: {detail}",
        "plot.caption": "선: {lines}. 가로축은 스텝. F5: 로그 눈금 ({scale}).",
        "plot.linear": "선형", "plot.log": "로그",
        "series.train/loss": "학습 손실", "series.eval/loss": "평가 손실", "series.lr": "학습률",
        "series.eval/accuracy": "평가 정확도", "series.rewards/margins": "보상 차이",
        "series.rewards/accuracies": "보상 정확도",
        "state.queued": "대기", "state.running": "학습 중", "state.stopping": "중지 중",
        "state.completed": "완료", "state.failed": "실패", "state.cancelled": "취소됨",
        "key.slider.less": "줄이기", "key.slider.more": "늘리기", "key.slider.much_less": "많이 줄이기",
        "key.slider.much_more": "많이 늘리기", "key.slider.min": "최솟값", "key.slider.max": "최댓값",
        "key.plot.log": "로그 눈금",
    },
}
