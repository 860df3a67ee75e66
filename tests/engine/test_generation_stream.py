"""Streamed generation equals transformers' own, Korean streams per syllable, cancel is prompt."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from engine.errors import DojoError
from engine.generation.params import SamplingParams
from engine.generation.stream import GenerationResult, TokenEvent, stream_generate


@pytest.fixture(scope="module")
def tiny(tiny_llama_dir):
    from engine.models.load import load_model

    return load_model(str(tiny_llama_dir))


@pytest.fixture(scope="module", params=["fixture", "dojo-tiny"])
def any_model(request, tiny):
    """The random fixture model, and the embedded dojo-tiny when it has been built."""
    if request.param == "fixture":
        return tiny
    from engine.models.load import load_model
    from engine.models.resolve import embedded_models

    if "dojo-tiny" not in embedded_models():
        pytest.skip("dojo-tiny is not built yet (llm-dojo train pretrain)")
    return load_model("dojo-tiny")


def run(loaded, ids, params, **kw):
    events = list(stream_generate(loaded.model, loaded.tokenizer, ids, params, **kw))
    assert isinstance(events[-1], GenerationResult)
    return [e for e in events if isinstance(e, TokenEvent)], events[-1]


@pytest.mark.parametrize("prompt", ["the cat sat", "옛날 옛적에"])
def test_greedy_equals_plain_generate(any_model, prompt):
    tok, model = any_model.tokenizer, any_model.model
    ids = tok.encode(prompt)
    events, result = run(any_model, ids, SamplingParams(max_new_tokens=40))
    plain = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                           max_new_tokens=40, do_sample=False, pad_token_id=tok.pad_token_id)
    assert result.token_ids == plain[0, len(ids):].tolist()
    assert [e.token_id for e in events if e.token_id >= 0] == result.token_ids
    # the text equals the tokenizer's decode of the same ids, in the context of the prompt
    full = tok.decode(ids + result.token_ids, skip_special_tokens=True)
    assert result.text == full[len(tok.decode(ids, skip_special_tokens=True)):]


def test_logprob_and_alternatives_are_the_models(tiny):
    ids = tiny.tokenizer.encode("hello world")
    events, _ = run(tiny, ids, SamplingParams(max_new_tokens=3), top_n=4)
    with torch.no_grad():
        logp = torch.log_softmax(tiny.model(torch.tensor([ids])).logits[0, -1].float(), -1)
    first = events[0]
    assert first.logprob == pytest.approx(float(logp[first.token_id]), abs=1e-5)
    assert [a.token_id for a in first.top] == torch.topk(logp, 4).indices.tolist()
    assert first.top[0].token_id == first.token_id  # greedy picks the most likely


def test_seeded_sampling_is_reproducible_and_matches_generate(any_model):
    tok, model = any_model.tokenizer, any_model.model
    ids = tok.encode("language models")
    params = SamplingParams(do_sample=True, temperature=0.9, top_k=40, top_p=0.9, max_new_tokens=30, seed=1234)
    _, a = run(any_model, ids, params)
    _, b = run(any_model, ids, params)
    assert a.token_ids == b.token_ids
    from transformers import set_seed

    set_seed(1234)
    plain = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                           do_sample=True, temperature=0.9, top_k=40, top_p=0.9, max_new_tokens=30,
                           pad_token_id=tok.pad_token_id)
    assert a.token_ids == plain[0, len(ids):].tolist()
    _, c = run(any_model, ids, SamplingParams(**{**params.to_dict(), "seed": 99, "stop": ()}))
    assert c.token_ids != a.token_ids


def _forced(sequence):
    """prefix_allowed_tokens_fn that makes generate emit exactly ``sequence``."""
    def allowed(batch_id, input_ids):
        step = input_ids.shape[-1] - allowed.prompt_len
        return [sequence[min(step, len(sequence) - 1)]]
    return allowed


def test_korean_streams_syllable_by_syllable(tiny):
    tok = tiny.tokenizer
    target = "안녕하세요 토크나이저 예제입니다."
    seq = tok.encode(target, add_special_tokens=False)
    assert len(seq) > len(target.replace(" ", "")) // 2  # byte-level BPE splits syllables across tokens
    ids = tok.encode("hello")
    fn = _forced(seq)
    fn.prompt_len = len(ids)
    events, result = run(tiny, ids, SamplingParams(max_new_tokens=len(seq)),
                         extra_generate_kwargs={"prefix_allowed_tokens_fn": fn})
    assert result.token_ids == seq and result.text == target
    assert all("\ufffd" not in e.text for e in events)
    raw = b""
    shown = ""
    for event, token in zip(events, seq):
        raw += bytes(_byte_level(tok.backend_tokenizer.id_to_token(token)))
        shown += event.text
        # never held back more than needed: every complete character so far is shown
        assert shown == _complete_prefix(raw)
    assert sum(1 for e in events if e.text) >= len(target.replace(" ", "")) - 1


def _byte_level(piece):
    from engine.generation.detok import _byte_level_alphabet

    return [_byte_level_alphabet()[c] for c in piece]


def _complete_prefix(raw: bytes) -> str:
    for cut in range(len(raw), -1, -1):
        try:
            return raw[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""


def test_cancel_stops_within_one_token(tiny):
    model = tiny.model
    starts: list[float] = []

    def slow(module, args, kwargs):
        starts.append(time.perf_counter())
        time.sleep(0.03)

    handle = model.register_forward_pre_hook(slow, with_kwargs=True)
    try:
        cancel = threading.Event()
        cancelled_at = None
        seen = 0
        gen = stream_generate(model, tiny.tokenizer, tiny.tokenizer.encode("the cat"),
                              SamplingParams(max_new_tokens=100), cancel=cancel)
        for ev in gen:
            if isinstance(ev, TokenEvent):
                seen += 1
                if seen == 3:
                    cancelled_at = time.perf_counter()
                    cancel.set()
            else:
                result = ev
    finally:
        handle.remove()
    assert result.finish_reason == "cancelled"
    assert seen == 3 and len(result.token_ids) == 3
    assert sum(1 for t in starts if t > cancelled_at) <= 1  # at most the step in flight
    assert len(starts) <= 5


def test_closing_the_stream_cancels(tiny):
    gen = stream_generate(tiny.model, tiny.tokenizer, tiny.tokenizer.encode("the"), SamplingParams(max_new_tokens=100))
    next(gen)
    gen.close()  # must not hang: the generate thread is told to stop and joined
    assert not any(t.name == "dojo-generate" and t.is_alive() for t in threading.enumerate())


def test_stop_strings(tiny):
    tok = tiny.tokenizer
    ids = tok.encode("hello")
    seq = tok.encode(" the cat sat on the mat.", add_special_tokens=False)
    fn = _forced(seq)
    fn.prompt_len = len(ids)
    forced = {"prefix_allowed_tokens_fn": fn}
    _, stopped = run(tiny, ids, SamplingParams(max_new_tokens=len(seq), stop=("sat",)), extra_generate_kwargs=forced)
    assert stopped.finish_reason == "stop" and stopped.text.endswith("sat")
    assert stopped.text == " the cat sat"
    _, never = run(tiny, ids, SamplingParams(max_new_tokens=8, stop=("zzzz-never",)))
    assert never.finish_reason == "length"
    assert any("never occurred" in n.text and "zzzz-never" in n.text for n in never.notices)


def test_temperature_zero_sampling_is_greedy_with_a_notice(tiny):
    ids = tiny.tokenizer.encode("the cat")
    _, greedy = run(tiny, ids, SamplingParams(max_new_tokens=10))
    _, zero = run(tiny, ids, SamplingParams(do_sample=True, temperature=0.0, max_new_tokens=10))
    assert zero.token_ids == greedy.token_ids and not zero.params.do_sample
    assert any("greedy" in n.text for n in zero.notices)


def test_context_errors(tiny):
    tok = tiny.tokenizer
    with pytest.raises(DojoError, match="at most 1[0-9]+ new tokens fit"):
        list(stream_generate(tiny.model, tok, tok.encode("the cat"), SamplingParams(max_new_tokens=500)))
    long_ids = tok.encode("the cat sat on the mat. " * 40)
    with pytest.raises(DojoError, match="shorten the prompt"):
        list(stream_generate(tiny.model, tok, long_ids, SamplingParams(max_new_tokens=5)))


def test_out_of_memory_says_what_to_do(tiny, monkeypatch):
    def boom(*a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(tiny.model, "generate", boom)
    with pytest.raises(DojoError) as err:
        list(stream_generate(tiny.model, tiny.tokenizer, tiny.tokenizer.encode("hi"), SamplingParams()))
    msg = str(err.value)
    assert "\n" not in msg and "out of memory" in msg
    assert "max-new-tokens" in msg and "4-bit" in msg and "shorter prompt" in msg


def test_timing_is_reported(tiny):
    _, result = run(tiny, tiny.tokenizer.encode("the"), SamplingParams(max_new_tokens=12))
    d = result.to_dict()
    assert d["timing"]["time_to_first_token_s"] > 0 and d["timing"]["tokens_per_s"] > 0
    assert d["new_tokens"] == len(d["token_ids"]) == 12


def test_run_stream_callback_path_matches_the_generator(tiny):
    import math

    from engine.generation.stream import run_stream

    ids = tiny.tokenizer.encode("the cat")
    params = SamplingParams(max_new_tokens=15)
    _, via_generator = run(tiny, ids, params)
    seen = []
    lean = run_stream(tiny.model, tiny.tokenizer, ids, params, seen.append, logprobs=False)
    assert lean.token_ids == via_generator.token_ids and lean.text == via_generator.text
    assert "".join(e.text for e in seen) == lean.text
    assert all(math.isnan(e.logprob) and e.top == () for e in seen)  # nothing computed that is not asked for
    assert threading.current_thread().name != "dojo-generate" and len(seen) == 15
