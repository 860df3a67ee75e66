"""The morphology lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Terms follow ``shared/GLOSSARY.md`` (형태소, 형태소 분석, 품사 태깅, 어절, 서브워드, 어휘 밖 단어);
``msg.*`` entries translate the engine's morphology and word-tokenizer messages.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "morph.title": "형태소 분석 실습",
        "morph.placeholder": "분석할 한국어 문장 (Enter로 분석)",
        "morph.status": "{analyzer}  F3 정규화(norm) {norm}  F4 어간(stem) {stem}",
        "morph.on": "켬", "morph.off": "끔",
        "morph.loading": "{analyzer} 준비 중... 처음에는 JVM과 사전을 불러오느라 몇 초(Kkma는 10초 이상) 걸립니다.",
        "morph.done": "{analyzer}: 형태소 {n}개",
        "morph.morph": "형태소", "morph.tag": "품사", "morph.nouns": "명사",
        "morph.others": "다른 분석기 (F5: 모두 분석)",
        "morph.others.waiting": "F5를 누르면 Okt, Komoran, Hannanum, Kkma 결과를 나란히 봅니다.",
        "morph.others.running": "{analyzer} 분석 중...",
        "morph.splits": "어절, 단어 토크나이저(NLTK), 서브워드",
        "morph.vocab": "어휘 크기와 어휘 밖 단어(OOV) 비율 (F6)",
        "morph.vocab.waiting": "F6: 내장 코퍼스의 학습 부분으로 어휘를 만들고 보류 부분에서 OOV 비율을 잽니다.",
        "morph.vocab.head": "{corpora}: 학습 {train:,}글자, 보류 {held:,}글자",
        "morph.vocab.split": "분할", "morph.vocab.size": "어휘", "morph.vocab.oov": "OOV",
        "morph.vocab.note": "서브워드 행은 내장 토크나이저의 어휘이며 OOV는 미등록 토큰(UNK)입니다.",
        "key.morph.analyzer": "분석기", "key.morph.norm": "정규화", "key.morph.stem": "어간",
        "key.morph.all": "모두", "group.morph.options": "Okt 옵션", "key.morph.vocab": "OOV", "key.morph.back": "뒤로",
        "msg.morph.unknown_analyzer": "{name!r}라는 형태소 분석기는 없습니다. 다음 중 하나를 쓰세요: {names}",
        "msg.morph.no_java": "KoNLPy 분석기는 Java로 동작하는데 Java를 찾지 못했습니다({detail}). JDK를 설치하거나"
                             "(예: 'sudo apt install openjdk-17-jdk') JAVA_HOME을 설정하세요. 실습의 나머지는 그대로 "
                             "쓸 수 있습니다.",
        "msg.morph.no_mecab": "Mecab이 설치되어 있지 않습니다(mecab-ko와 mecab-ko-dic이 필요합니다). okt, komoran, "
                              "hannanum, kkma 중 하나를 쓰세요.",
        "msg.morph.empty_text": "텍스트가 비어 있습니다. 분석할 한국어 문장을 입력하세요.",
        "msg.morph.okt_only": "norm과 stem은 Okt의 옵션이라 {analyzer}에는 적용되지 않습니다.",
        "msg.words.needs_data": "NLTK의 {name}에는 '{package}' 데이터가 필요한데 설치되어 있지 않고 여기서는 내려받을 "
                                "수 없습니다. 인터넷이 되면: python -m nltk.downloader {package}",
    },
    "en": {
        "morph.title": "Morphology lab",
        "morph.placeholder": "A Korean sentence to analyse (Enter analyses)",
        "morph.status": "{analyzer}  F3 norm {norm}  F4 stem {stem}",
        "morph.on": "on", "morph.off": "off",
        "morph.loading": "Preparing {analyzer}... the first time the JVM and dictionaries take a few seconds "
                         "(Kkma over ten).",
        "morph.done": "{analyzer}: {n} morphemes",
        "morph.morph": "morpheme", "morph.tag": "POS", "morph.nouns": "nouns",
        "morph.others": "Other analysers (F5: analyse with all)",
        "morph.others.waiting": "F5 shows Okt, Komoran, Hannanum and Kkma side by side.",
        "morph.others.running": "analysing with {analyzer}...",
        "morph.splits": "Eojeol, word tokenizers (NLTK), subwords",
        "morph.vocab": "Vocabulary size and out-of-vocabulary (OOV) rate (F6)",
        "morph.vocab.waiting": "F6 builds vocabularies from the built-in corpora's training part and measures OOV "
                               "on the held-out part.",
        "morph.vocab.head": "{corpora}: {train:,} characters train, {held:,} held out",
        "morph.vocab.split": "split", "morph.vocab.size": "vocab", "morph.vocab.oov": "OOV",
        "morph.vocab.note": "Subword rows are the embedded tokenizers' vocabularies; their OOV is unknown tokens.",
        "key.morph.analyzer": "Analyser", "key.morph.norm": "Norm", "key.morph.stem": "Stem",
        "key.morph.all": "All", "group.morph.options": "Okt options", "key.morph.vocab": "OOV", "key.morph.back": "Back",
        "msg.morph.unknown_analyzer": "No morphological analyzer {name!r}; use one of {names}.",
        "msg.morph.no_java": "KoNLPy's analyzers run on Java, which was not found ({detail}); install a JDK (e.g. "
                             "'sudo apt install openjdk-17-jdk') or set JAVA_HOME; the rest of the lab still works.",
        "msg.morph.no_mecab": "Mecab is not installed (it needs mecab-ko and mecab-ko-dic); use okt, komoran, "
                              "hannanum or kkma.",
        "msg.morph.empty_text": "The text is empty: type a Korean sentence to analyse.",
        "msg.morph.okt_only": "norm and stem are Okt's options; {analyzer} ignores them.",
        "msg.words.needs_data": "NLTK's {name} needs the '{package}' data, which is not installed and cannot be "
                                "downloaded here; with internet: python -m nltk.downloader {package}",
    },
}
