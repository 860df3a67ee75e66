"""The attention lab's strings, Korean and English (registered by ``tui.labs.register_strings``).

Terms follow ``shared/GLOSSARY.md`` (어텐션, 멀티헤드 어텐션, 쿼리/키/값, 위치 인코딩, 회전 위치 임베딩(RoPE),
피드포워드 네트워크, 층 정규화, 잔차 연결, 인코더, 사전학습, 파인튜닝). Korean strings avoid East Asian
ambiguous-width symbols. ``msg.att.*`` translate the engine's messages (``engine/attention/messages.py``).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ko": {
        "att.title": "어텐션 실습",
        "att.tab.map": "어텐션 맵", "att.tab.pe": "위치 인코딩", "att.tab.rope": "RoPE", "att.tab.enc": "인코더",
        "att.placeholder": "어텐션을 볼 문장을 입력하세요",
        "att.loading": "{model} 모델을 불러오는 중...",
        "att.map.head": "{model}  {n}토큰  층 {layer}/{layers}  {head}  {view}",
        "att.map.avg": "헤드 평균", "att.map.one": "헤드 {head}/{heads}",
        "att.map.weights": "소프트맥스 가중치", "att.map.scores": "원점수 QK^T/sqrt(d)",
        "att.map.causal": "인과 마스크(-)", "att.map.bidir": "양방향(마스크 없음)",
        "att.map.attends": "가장 많이 보는 토큰: {pairs}",
        "att.map.check": "행 합 오차 {rows}, softmax(점수+M) 대 가중치 오차 {check}",
        "att.pe.head": "PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...), i < d/2 "
                       "(위치 {length}개, d = {dim})",
        "att.pe.plot": "그래프: 거리 k에 따른 PE(p).PE(p+k). 시작 위치 p와 상관없이 같습니다"
                       "(최대 차이 {spread:.1e}).",
        "att.pe.deck": "덱 확인: i는 d/2 - 1까지입니다(덱의 0 <= i <= d/2가 아니라 덱 코드의 "
                       "range(int(d/2))).",
        "att.rope.head": "\"{words}\"를 {model}의 {layer}층 {head}번 헤드에 넣고, 각 '{word}'의 회전된 q와 k로 "
                         "q_i k_j / sqrt(d)를 계산했습니다.",
        "att.rope.offsets": "상대 거리 {off}: {values}",
        "att.rope.same": "같은 단어, 같은 상대 거리이면 같은 점수(최대 차이 {spread:.1e}). 회전하지 않으면 모든 "
                         "점수가 같습니다(차이 {flat:.1e}): 위치 정보가 전혀 없다는 뜻입니다.",
        "att.rope.content": "{at}번째 단어 자리에 '{other}'를 넣으면 그 자리와의 점수가 최대 {change:.2f} 바뀝니다: "
                            "RoPE는 위치만이 아니라 내용에도 여전히 의존합니다.",
        "att.rope.wait": "RoPE 예제를 계산하는 중...",
        "att.enc.hint": "Ctrl+R: 처음부터 만든 인코더를 Trainer로 학습합니다(몇 초). 옆에서 사전학습된 "
                        "dojo-tiny-mlm도 같은 데이터로 파인튜닝합니다.",
        "att.enc.verify": "우리 구현과 torch 비교: scaled_dot_product_attention 오차 {sdpa:.1e}, "
                          "MultiheadAttention 오차 {mha:.1e}",
        "att.enc.shapes": "부분 층마다 텐서 모양 (배치 2, 토큰 12)",
        "att.enc.step": "부분 층", "att.enc.shape": "모양",
        "att.enc.training": "{model} 학습 중: {step}/{total}단계, 손실 {loss:.4f}",
        "att.enc.result": "{model}: 검증 정확도 {acc:.3f}, F1 {f1:.3f}, 검증 손실 {loss:.3f} ({seconds:.1f}초)",
        "att.enc.majority": "항상 많은 쪽 레이블만 답하면 정확도 {acc:.3f}",
        "att.enc.data": "데이터 {data}: 학습 {train}문장, 검증 {test}문장",
        "att.enc.cancelled": "학습을 멈췄습니다.",
        "att.enc.plot": "손실(위: 처음부터 만든 인코더, 아래 색: dojo-tiny-mlm)",
        "key.att.layer": "층", "key.att.head": "헤드", "key.att.view": "점수", "key.att.model": "모델",
        "key.att.train": "학습", "key.att.back": "뒤로",
        "msg.att.range": "{name} {value}: {minimum} 이상의 정수를 쓰세요",
        "msg.att.range_to": "{name} {value}: {minimum}부터 {maximum}까지의 정수를 쓰세요",
        "msg.att.odd_dim": "dim {dim}은 홀수입니다. 사인/코사인 인코딩은 차원을 2i, 2i+1 쌍으로 채우므로 64처럼 "
                           "짝수를 쓰세요",
        "msg.att.base": "base {base}: 1보다 큰 수여야 합니다. 가장 긴 파장을 정합니다(논문은 10000)",
        "msg.att.one_word": "{name} '{value}': 공백 없는 한 단어여야 합니다(예제가 그 단어를 반복합니다)",
        "msg.att.same_word": "다른 단어는 '{word}'와 달라야 내용을 비교할 수 있습니다",
        "msg.att.data": "data '{data}': ko(한국어 감성 문장) 또는 en(Pang & Lee 극성 문장)을 쓰세요",
        "msg.att.heads_divide": "d-model {d_model}이 헤드 수 {heads}로 나누어떨어지지 않습니다. 헤드마다 "
                                "d_model/heads 차원을 쓰므로 d-model 64에 헤드 4처럼 고르세요",
        "msg.att.lr": "학습률 {lr}: 0보다 크고 1 이하여야 합니다. 작은 모델을 처음부터 학습할 때는 1e-3이 "
                      "알맞습니다",
        "msg.att.empty": "텍스트가 비어 있습니다. 모델이 읽을 문장을 넣으세요. 예: \"The cat sat on the mat\"",
        "msg.att.truncated": "텍스트가 {n}토큰이지만 {model}은 최대 {context}토큰까지 읽습니다. 앞의 {context}토큰만 "
                             "보여 줍니다",
        "msg.att.no_layer": "{layer}층은 없습니다. {model}의 층은 0부터 {last}까지입니다",
        "msg.att.no_head": "{head}번 헤드는 없습니다. {model}의 헤드는 층마다 0부터 {last}까지입니다",
        "msg.att.switched_eager": "{model}은 {impl} 어텐션으로 불러왔는데, 이 방식은 가중치 행렬을 만들지 "
                                  "않습니다. 이번 캡처는 eager 어텐션으로 실행합니다",
        "msg.att.no_eager": "{model}은 eager 어텐션으로 바꿀 수 없어({reason}) 어텐션 가중치를 돌려줄 수 없습니다. "
                            "dojo-tiny나 dojo-tiny-mlm을 써 보세요",
        "msg.att.no_scores": "원점수는 {arch}의 쿼리/키 투영에서 계산하는데, 이 구조는 실습이 모릅니다. "
                             "소프트맥스 가중치만 보여 줍니다",
        "msg.att.no_rope": "{model}은 RoPE를 쓰지 않습니다(회전 임베딩이 없음). dojo-tiny 같은 Llama 계열 "
                           "모델을 고르세요",
        "msg.att.no_data": "Pang & Lee 문장은 gensim에 들어 있습니다(test/test_data/pang_lee_polarity.cor). "
                           "--data en을 쓰려면 gensim을 설치하세요",
    },
    "en": {
        "att.title": "Attention lab",
        "att.tab.map": "Attention map", "att.tab.pe": "Positional encoding", "att.tab.rope": "RoPE",
        "att.tab.enc": "Encoder",
        "att.placeholder": "Type a sentence to see its attention",
        "att.loading": "Loading {model}...",
        "att.map.head": "{model}  {n} tokens  layer {layer}/{layers}  {head}  {view}",
        "att.map.avg": "head average", "att.map.one": "head {head}/{heads}",
        "att.map.weights": "softmax weights", "att.map.scores": "raw scores QK^T/sqrt(d)",
        "att.map.causal": "causal mask (-)", "att.map.bidir": "bidirectional (no mask)",
        "att.map.attends": "Attends most to: {pairs}",
        "att.map.check": "row sums off by {rows}, softmax(scores+M) vs weights {check}",
        "att.pe.head": "PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...), i < d/2 "
                       "({length} positions, d = {dim})",
        "att.pe.plot": "Plot: PE(p).PE(p+k) against the distance k, the same for every start p "
                       "(largest difference {spread:.1e}).",
        "att.pe.deck": "Deck check: i runs to d/2 - 1, not to d/2 as the deck writes (its own code uses "
                       "range(int(d/2))).",
        "att.rope.head": "\"{words}\" through {model}, layer {layer} head {head}: q_i k_j / sqrt(d) from the "
                         "rotated query and key of each '{word}'.",
        "att.rope.offsets": "offset {off}: {values}",
        "att.rope.same": "Same word, same offset, same score (largest difference {spread:.1e}). Without the "
                         "rotation every score is equal (difference {flat:.1e}): no position at all.",
        "att.rope.content": "Put '{other}' in place of word {at} and its scores change by up to {change:.2f}: RoPE still "
                            "depends on content, not only on position.",
        "att.rope.wait": "Computing the RoPE example...",
        "att.enc.hint": "Ctrl+R: train the from-scratch encoder with Trainer (seconds); beside it, the pretrained "
                        "dojo-tiny-mlm is fine-tuned on the same data.",
        "att.enc.verify": "Ours vs torch: scaled_dot_product_attention error {sdpa:.1e}, MultiheadAttention "
                          "error {mha:.1e}",
        "att.enc.shapes": "Tensor shape after every sub-layer (batch 2, 12 tokens)",
        "att.enc.step": "sub-layer", "att.enc.shape": "shape",
        "att.enc.training": "training {model}: step {step}/{total}, loss {loss:.4f}",
        "att.enc.result": "{model}: held-out accuracy {acc:.3f}, F1 {f1:.3f}, held-out loss {loss:.3f} "
                          "({seconds:.1f} s)",
        "att.enc.majority": "Always answering the most common label: accuracy {acc:.3f}",
        "att.enc.data": "data {data}: {train} sentences to train, {test} held out",
        "att.enc.cancelled": "Training stopped.",
        "att.enc.plot": "Loss (first line: the from-scratch encoder, second colour: dojo-tiny-mlm)",
        "key.att.layer": "Layer", "key.att.head": "Head", "key.att.view": "Scores", "key.att.model": "Model",
        "key.att.train": "Train", "key.att.back": "Back",
    },
}


def _english_messages() -> None:
    """The English ``msg.att.*`` entries are the engine's own sentences (one place to edit them)."""
    from engine.attention.messages import MESSAGES

    for key, text in MESSAGES.items():
        STRINGS["en"][f"msg.{key}"] = text


_english_messages()
