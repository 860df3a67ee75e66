"""The runs list's strings, Korean and English (registered by ``tui.labs.register_strings``)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "runs.title": "Training runs", "runs.empty": "No runs yet. Press n to start one.",
        "runs.col.id": "run", "runs.col.task": "task", "runs.col.model": "model", "runs.col.state": "state",
        "runs.col.step": "step", "runs.col.loss": "loss", "runs.col.eta": "ETA",
        "runs.stop_requested": "Stop requested: {id} saves a checkpoint after this step. Press s again to kill it.",
        "runs.killed": "{id} was killed.", "runs.not_running": "{id} is not running.",
        "runs.resumed": "Resumed {id}.", "runs.removed": "Removed {id}.",
        "runs.confirm_rm": "Press x again to delete {id} and its files.",
        "runs.hint": "Enter show  s stop  r resume  x delete  t try  c chat  e evaluate  m merge",
        "runs.merge_full": "{id} trained every weight: its model is already standalone, nothing to merge.",
        "runs.merging": "Merging the adapter of {id} into its base...",
        "runs.merged": "Merged: a standalone model in {out} (usable as --model, no peft needed).",
        "key.runs.chat": "Chat with it", "key.runs.evaluate": "Evaluate it", "key.runs.merge": "Merge",
        "runs.try_missing": "{id} has no model to try yet (it is {state}).",
        "key.runs.attach": "Show", "key.runs.stop": "Stop", "key.runs.resume": "Resume",
        "key.runs.remove": "Delete", "key.runs.new": "New run", "key.runs.try": "Try it",
        "key.runs.log": "Log scale", "key.runs.back": "Back",
        "msg.runs.not_running": "Run {id} is not running (it is {state}); nothing to stop.",
        "msg.runs.already_completed": "Run {id} already completed (step {step}/{total}); there is nothing to "
                                      "resume. Start a new run to train more.",
        "msg.runs.is_active": "Run {id} is {state}; it is already training.",
        "msg.runs.no_checkpoint": "Run {id} has no checkpoint to resume from (it ended before its first save); "
                                  "start it again as a new run.",
    },
    "ko": {
        "runs.title": "학습 실행", "runs.empty": "아직 실행이 없습니다. n 키로 새로 시작하세요.",
        "runs.col.id": "실행", "runs.col.task": "과제", "runs.col.model": "모델", "runs.col.state": "상태",
        "runs.col.step": "스텝", "runs.col.loss": "손실", "runs.col.eta": "남은 시간",
        "runs.stop_requested": "중지 요청: {id}은(는) 이번 스텝 뒤 체크포인트를 저장합니다. 강제 종료하려면 s를 "
                               "한 번 더 누르세요.",
        "runs.killed": "{id}을(를) 강제 종료했습니다.", "runs.not_running": "{id}은(는) 실행 중이 아닙니다.",
        "runs.resumed": "{id}을(를) 이어서 학습합니다.", "runs.removed": "{id}을(를) 삭제했습니다.",
        "runs.confirm_rm": "{id}와 그 파일을 지우려면 x를 한 번 더 누르세요.",
        "runs.hint": "Enter 보기  s 중지  r 이어 학습  x 삭제  t 써 보기  c 대화  e 평가  m 병합",
        "runs.merge_full": "{id}은(는) 모든 가중치를 학습했으므로 이미 독립 모델입니다. 병합할 것이 없습니다.",
        "runs.merging": "{id}의 어댑터를 기반 모델에 병합하는 중입니다.",
        "runs.merged": "병합 완료: {out}에 독립 모델을 저장했습니다 (--model로 쓰며 peft가 필요 없습니다).",
        "key.runs.chat": "대화하기", "key.runs.evaluate": "평가하기", "key.runs.merge": "병합",
        "runs.try_missing": "{id}에는 아직 써 볼 모델이 없습니다 (상태: {state}).",
        "key.runs.attach": "보기", "key.runs.stop": "중지", "key.runs.resume": "이어 학습",
        "key.runs.remove": "삭제", "key.runs.new": "새 실행", "key.runs.try": "써 보기",
        "key.runs.log": "로그 눈금", "key.runs.back": "뒤로",
        "msg.runs.not_running": "실행 {id}은(는) 학습 중이 아닙니다 (상태: {state}). 중지할 것이 없습니다.",
        "msg.runs.already_completed": "실행 {id}은(는) 이미 끝났습니다 (스텝 {step}/{total}). 이어 학습할 것이 "
                                      "없으니 더 학습하려면 새 실행을 시작하세요.",
        "msg.runs.is_active": "실행 {id}은(는) {state} 상태로, 이미 학습하고 있습니다.",
        "msg.runs.no_checkpoint": "실행 {id}에는 이어 학습할 체크포인트가 없습니다 (첫 저장 전에 끝났습니다). "
                                  "새 실행으로 다시 시작하세요.",
    },
}
