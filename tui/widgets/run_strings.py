"""Korean and English strings of the training and runs screens, and their key bindings.

They live beside the widgets (not in ``tui/i18n``) so the run screens can be built and
tested on their own; ``rt`` follows the app's live language through
``tui.i18n.get_lang``. The ``key.*`` entries (binding descriptions) are registered
with the app's tables, so the screens use the shared ``localize_bindings``.
"""

from __future__ import annotations

from ..i18n import add_strings, get_lang

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "training.title": "Supervised fine-tuning (SFT)",
        "training.intro": "Fine-tune a model in a background run. It keeps going if you close the app or lose "
                          "the connection; find it again under Training runs.",
        "form.model": "Model", "form.task": "Task", "form.data": "Dataset",
        "form.method": "Method", "form.epochs": "Epochs", "form.batch": "Batch size", "form.lr": "Learning rate",
        "form.seq": "Max length", "form.device": "Device", "form.start": "Start training",
        "form.defaults": "Defaults for {machine}", "form.gpu": "a GPU", "form.cpu": "CPU only",
        "task.sentiment": "Sentiment", "task.instruction": "Instruction (chat)",
        "method.full": "Full", "form.bad_number": "{field}: not a number",
        "run.none": "No run attached. Start one, or pick one in the runs list.",
        "run.starting": "Starting a run...", "run.started": "Started run {id}",
        "run.step": "step {step}/{total}", "run.eta": "ETA {eta}", "run.state": "{state}",
        "run.loss": "loss {value}", "run.eval": "eval loss {value}", "run.acc": "accuracy {value}",
        "run.lr": "lr {value}", "run.tps": "{value} tok/s", "run.ended": "Run {id}: {state}",
        "plot.title": "Left axis: train and eval loss. Right axis: learning rate.",
        "runs.title": "Training runs", "runs.empty": "No runs yet. Press n to start one.",
        "col.id": "run", "col.task": "task", "col.model": "model", "col.state": "state", "col.step": "step",
        "col.loss": "loss", "col.eta": "ETA",
        "runs.stop_requested": "Stop requested: {id} saves a checkpoint after this step. Press s again to kill it.",
        "runs.killed": "{id} was killed.", "runs.not_running": "{id} is not running.",
        "runs.resumed": "Resumed {id}.", "runs.removed": "Removed {id}.",
        "runs.confirm_rm": "Press x again to delete {id} and its files.",
        "state.queued": "queued", "state.running": "running", "state.stopping": "stopping",
        "state.completed": "completed", "state.failed": "failed", "state.cancelled": "cancelled",
        "key.training.start": "Start", "key.training.runs": "Runs", "key.training.stop": "Stop",
        "key.training.back": "Back", "key.runs.attach": "Attach", "key.runs.stop": "Stop",
        "key.runs.resume": "Resume", "key.runs.remove": "Remove", "key.runs.new": "New run",
        "key.runs.back": "Back",
    },
    "ko": {
        "training.title": "지도 미세조정(SFT)",
        "training.intro": "모델을 백그라운드 학습 실행(런)으로 파인튜닝합니다. 앱을 닫거나 연결이 끊겨도 학습은 계속되며, "
                          "'학습 실행' 목록에서 다시 찾을 수 있습니다.",
        "form.model": "모델", "form.task": "과제", "form.data": "데이터셋",
        "form.method": "방법", "form.epochs": "에폭", "form.batch": "배치 크기", "form.lr": "학습률",
        "form.seq": "최대 길이", "form.device": "장치", "form.start": "학습 시작",
        "form.defaults": "{machine} 기본값", "form.gpu": "GPU", "form.cpu": "CPU 전용",
        "task.sentiment": "감성 분류", "task.instruction": "지시문 (채팅)",
        "method.full": "전체 파인튜닝", "form.bad_number": "{field}: 숫자가 아닙니다",
        "run.none": "연결된 실행이 없습니다. 새로 시작하거나 실행 목록에서 고르세요.",
        "run.starting": "실행을 시작하는 중...", "run.started": "실행 {id} 시작",
        "run.step": "스텝 {step}/{total}", "run.eta": "남은 시간 {eta}", "run.state": "{state}",
        "run.loss": "손실 {value}", "run.eval": "평가 손실 {value}", "run.acc": "정확도 {value}",
        "run.lr": "학습률 {value}", "run.tps": "초당 {value} 토큰", "run.ended": "실행 {id}: {state}",
        "plot.title": "왼쪽 축: 학습·평가 손실, 오른쪽 축: 학습률",
        "runs.title": "학습 실행", "runs.empty": "아직 실행이 없습니다. n 키로 새로 시작하세요.",
        "col.id": "실행", "col.task": "과제", "col.model": "모델", "col.state": "상태", "col.step": "스텝",
        "col.loss": "손실", "col.eta": "남은 시간",
        "runs.stop_requested": "중지 요청: {id}은(는) 이번 스텝 뒤 체크포인트를 저장합니다. 강제 종료하려면 s를 한 번 더 누르세요.",
        "runs.killed": "{id}을(를) 강제 종료했습니다.", "runs.not_running": "{id}은(는) 실행 중이 아닙니다.",
        "runs.resumed": "{id}을(를) 이어서 학습합니다.", "runs.removed": "{id}을(를) 삭제했습니다.",
        "runs.confirm_rm": "{id}와 그 파일을 지우려면 x를 한 번 더 누르세요.",
        "state.queued": "대기", "state.running": "학습 중", "state.stopping": "중지 중",
        "state.completed": "완료", "state.failed": "실패", "state.cancelled": "취소됨",
        "key.training.start": "시작", "key.training.runs": "실행 목록", "key.training.stop": "중지",
        "key.training.back": "뒤로", "key.runs.attach": "보기", "key.runs.stop": "중지",
        "key.runs.resume": "이어 학습", "key.runs.remove": "삭제", "key.runs.new": "새 실행",
        "key.runs.back": "뒤로",
    },
}

# the footer descriptions of the screens' bindings, in the app's tables
add_strings({lang: {k: v for k, v in table.items() if k.startswith("key.")} for lang, table in STRINGS.items()})


def rt(key: str, **values: object) -> str:
    """``key`` in the live language (English when the language has no table)."""
    table = STRINGS.get(get_lang(), STRINGS["en"])
    text = table[key]
    return text.format(**values) if values else text

