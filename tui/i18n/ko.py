"""한국어 UI 문자열. ``en.py``와 키가 같다(테스트가 확인). ``{이름}``은 형식 필드.

용어는 ``shared/GLOSSARY.md``를 따른다. 동아시아 '모호한 폭' 문자(—, ·, →, …)는 쓰지
않는다: 한국어 로캘 터미널에서 두 칸으로 그려져 줄 맞춤이 깨지기 때문이다.
"""

STRINGS: dict[str, str] = {
    "app.title": "LLM 도장",
    # home
    "home.title": "코스 지도",
    "home.intro": "Enter: 열기 · j/k: 이동 · c: 이어 보기",
    "home.day": "{day}일차",
    "home.practice": "실습",
    "home.labs": "실습실",
    "home.runs": "학습 실행",
    "home.chat": "내 모델과 채팅",
    "home.labs.detail": "레슨을 거치지 않고 코스의 모든 실습을 바로 엽니다.",
    "home.runs.detail": "백그라운드에서 계속 도는 학습 실행(SFT, LoRA, DPO).",
    "home.chat.detail": "기본 모델, 그리고 직접 학습한 어댑터와 대화합니다.",
    "home.broken": "불러오지 못한 레슨",
    "home.detail": "{summary}\n약 {minutes}분. 실습: {lab}.",
    "home.nothing_to_continue": "이어 볼 레슨이 아직 없습니다. 먼저 레슨을 여세요.",
    "home.no_such_lesson": "{lesson} 레슨이 없습니다.",
    "home.detail.short": "약 {minutes}분 · 실습: {lab}",
    "home.col.lesson": "레슨",
    "home.col.status": "상태",
    "home.col.quiz": "퀴즈",
    "home.runs.training": "{count}개 학습 중",
    "home.coming": "준비 중",
    "status.not_started": "시작 전",
    "status.in_progress": "진행 중",
    "status.done": "완료",
    # labs
    "lab.tokenizer": "토크나이저",
    "lab.morphology": "형태소 분석",
    "lab.embeddings": "단어 임베딩",
    "lab.language-model": "언어 모델",
    "lab.attention": "어텐션",
    "lab.models": "모델",
    "lab.generation": "텍스트 생성",
    "lab.sft": "지도 미세조정(SFT)",
    "lab.lora": "LoRA",
    "lab.dpo": "선호도 튜닝(DPO)",
    "lab.evaluation": "평가",
    "lab.applications": "LLM 응용",
    "lab.chat": "채팅",
    "labs.title": "실습실",
    "labs.intro": "레슨에서 t를 누르면 그 레슨의 실습이 열립니다. '준비 중'인 실습은 아직 "
    "만들어지지 않았고, 무엇을 하게 될지는 해당 레슨에 적혀 있습니다.",
    "labs.coming": "{lab} (준비 중)",
    # lesson
    "lesson.step": "{index}/{total}단계: {title}",
    "lesson.hint": "n 또는 오른쪽 화살표: 다음 단계   p 또는 왼쪽 화살표: 이전   t: 실습",
    "lesson.hint.last": "마지막 단계입니다. n: 퀴즈 풀기   t: 실습",
    "lesson.lab_missing": "이 레슨의 실습({lab})은 아직 앱에 없습니다. t: 할 일 미리 보기",
    # quiz
    "quiz.title": "퀴즈: {lesson}",
    "quiz.counter": "{total}문제 중 {index}번",
    "quiz.placeholder.numeric": "숫자를 입력하고 Enter (0.07, 0,07, 1/15, 35바이트 모두 가능)",
    "quiz.placeholder.short": "답을 입력하고 Enter",
    "quiz.correct": "정답입니다!",
    "quiz.incorrect": "아쉽네요. 정답: {answer}",
    "quiz.next": "다음 문제 (Enter)",
    "quiz.finish": "점수 보기 (Enter)",
    "quiz.done": "퀴즈 완료",
    "quiz.score": "점수: {total}문제 중 {correct}개 정답",
    "quiz.back_hint": "Esc: 코스 지도로 돌아가기",
    "quiz.empty": "먼저 답을 입력하세요.",
    "quiz.need_number": "숫자로 답해 주세요(예: 35, 0.711, 1/15). 아직 채점하지 않았습니다.",
    "quiz.choose_hint": "숫자 키 1-9로 고르거나, 화살표로 옮긴 뒤 Enter.",
    # try it
    "tryit.title": "실습해 보기: {lab}",
    "tryit.not_yet": "이 실습은 아직 만들어지지 않았습니다. 이 레슨의 예시로 무엇을 하게 될지 "
    "소개합니다.",
    "tryit.example": "레슨의 예시 값:",
    "modal.close": "닫기 (Esc)",
    # progress database
    "db.corrupt.title": "학습 기록 파일을 읽을 수 없습니다",
    "db.corrupt.body": "다음 위치의 학습 기록 데이터베이스가 손상되었습니다(디스크 오류나 "
    "쓰기 도중 중단).\n{path}\n손상된 파일을 같은 폴더에 백업으로 남기고 새 기록으로 "
    "시작하거나, 종료한 뒤 먼저 살펴볼 수 있습니다.",
    "db.corrupt.fresh": "백업 후 새로 시작 (b)",
    "db.corrupt.quit": "종료 (q)",
    "db.recovered": "손상된 파일은 {backup}(으)로 남겼고, 학습 기록을 새로 시작합니다.",
    "db.locked": "다른 LLM 도장이 학습 기록 데이터베이스를 쓰고 있습니다. 그 창을 닫고 다시 "
    "시작하세요.",
    "fatal.title": "LLM 도장을 시작할 수 없습니다",
    "fatal.quit": "종료 (q)",
    # coming soon
    "soon.runs.title": "학습 실행",
    "soon.runs.body": "여기서 SFT, LoRA, DPO 학습을 백그라운드 실행으로 시작하고, 손실 곡선을 "
    "실시간으로 보며, 앱을 닫거나 SSH 연결이 끊긴 뒤에도 다시 붙어 볼 수 있게 됩니다. "
    "실행은 앱과 상관없이 계속 돕니다.",
    "soon.chat.title": "채팅",
    "soon.chat.body": "채팅 화면은 아직 만들어지지 않았습니다. 완성되면 여기서 내장 모델, 그리고 "
    "직접 학습한 어댑터와 나란히 대화하고, 샘플링 설정을 보면서 답이 어떻게 달라지는지 "
    "비교하게 됩니다. 그때까지는 생성 실습에서 모델과 글을 주고받을 수 있습니다.",
    "soon.back": "Esc: 돌아가기",
    # terminal size
    "small.notice": "터미널 창을 80x24 이상으로 키워 주세요 (지금 {width}x{height}).",
    # command palette
    "cmd.open_lesson": "레슨 열기: {title}",
    "cmd.open_lab": "실습 열기",
    "cmd.open_lab.help": "실습 목록",
    "cmd.language": "언어 전환 (English)",
    "cmd.language.help": "앱과 레슨을 영어로 표시",
    "cmd.theme": "밝은/어두운 테마 전환",
    "cmd.theme.help": "밝은 강의실이나 프로젝터용",
    "cmd.runs": "학습 실행",
    "cmd.runs.help": "백그라운드 학습 실행",
    "cmd.chat": "채팅",
    "cmd.chat.help": "모델, 내 어댑터와 대화",
    "cmd.quit": "종료",
    "cmd.quit.help": "LLM 도장 끝내기 (학습 기록은 저장됨)",
    # 엔진 설정으로 만든 입력 양식 (tui.widgets.config_form)
    "form.yes": "예",
    "form.no": "아니요",
    "form.bad_value": "{field}: 알맞은 형식의 값이 아닙니다 (숫자, 또는 예/아니요)",
    "error.unexpected": "예상하지 못한 오류: {error}",
    # 확인 (tui.screens.confirm)
    "confirm.yes": "예, 종료 (y)",
    "confirm.no": "아니요, 계속 (n)",
    "confirm.quit": "이 화면의 작업이 사라집니다. 그래도 LLM 도장을 종료할까요?",
    "key.confirm.yes": "예",
    "key.confirm.no": "아니요",
    # key bindings (footer), by binding id
    "key.app.quit": "종료",
    "key.app.language": "English",
    "key.app.theme": "테마",
    "key.app.palette": "명령",
    "key.home.up": "위",
    "key.home.down": "아래",
    "key.home.open": "열기",
    "key.home.continue": "이어 보기",
    "key.lesson.previous": "이전",
    "key.lesson.next": "다음",
    "key.lesson.try_it": "실습",
    "key.lesson.back": "지도",
    **{f"key.quiz.choose{i}": f"{i}번 선택" for i in range(1, 10)},
    "key.quiz.next": "다음",
    "key.quiz.back": "지도",
    "key.modal.close": "닫기",
    "key.db.fresh": "새로 시작",
    "key.db.quit": "종료",
    "key.fatal.quit": "종료",
    "key.info.back": "돌아가기",
    "group.move": "이동",
    "group.choose": "선택",
}
