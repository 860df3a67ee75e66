"""Chat engine on the tiny model: replies against transformers' own generate, context trimming,
bad input, named adapters switched without reloading the base, saved conversations."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from engine.chat.adapters import AdapterSet
from engine.chat.conversation import ChatMessage, Conversation, prompt_for_reply
from engine.chat.session import ChatSession
from engine.chat.store import ChatStore
from engine.errors import DojoError
from engine.generation.params import SamplingParams


def make_adapter(base_dir: Path, out: Path, seed: int) -> Path:
    """A real PEFT LoRA adapter on the tiny model, with non-zero B so it changes the output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir)
    torch.manual_seed(seed)
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj"],
                                                 init_lora_weights=False))
    peft_model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def adapters(tiny_llama_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("adapters")
    return make_adapter(tiny_llama_dir, root / "kind", 1), make_adapter(tiny_llama_dir, root / "rude", 2)


@pytest.fixture
def cache():
    from engine.models.cache import ModelCache

    return ModelCache()


def hf_greedy(loaded, messages, n):
    """Transformers' own chat template + generate: the independent computation."""
    import torch

    tok = loaded.tokenizer
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = torch.tensor([tok.encode(text, add_special_tokens=False)])
    out = loaded.model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=n,
                                pad_token_id=tok.pad_token_id)
    return out[0, ids.shape[1]:].tolist()


def test_reply_streams_what_transformers_generates(tiny_llama_dir, cache):
    session = ChatSession.open(str(tiny_llama_dir), params=SamplingParams(max_new_tokens=6), system="짧게 답해.",
                               cache=cache)
    events = []
    reply = session.reply("안녕하세요", on_event=events.append)
    expected = hf_greedy(session.loaded, [{"role": "system", "content": "짧게 답해."},
                                          {"role": "user", "content": "안녕하세요"}], 6)
    assert reply.result.token_ids == expected[:len(reply.result.token_ids)]
    assert "".join(e.text for e in events).strip() == reply.text
    assert [m.role for m in session.conversation.messages] == ["user", "assistant"]
    assert reply.message.tokens == len(reply.result.token_ids) and reply.message.adapter is None


def test_empty_message_is_refused_and_changes_nothing(tiny_llama_dir, cache):
    session = ChatSession.open(str(tiny_llama_dir), cache=cache)
    with pytest.raises(DojoError) as err:
        session.reply("   \n")
    assert err.value.key == "convo.empty_message"
    assert session.conversation.messages == []


def test_long_conversation_drops_oldest_turns_keeps_system(tiny_llama_dir, cache):
    loaded = cache.get(str(tiny_llama_dir))
    conv = Conversation(system="SYS")
    for i in range(6):
        conv.messages += [ChatMessage("user", f"the cat sat on the mat {i}"), ChatMessage("assistant", "hello world")]
    conv.add_user("안녕하세요")
    prompt = prompt_for_reply(conv, loaded.tokenizer, 128, 16)
    assert prompt.dropped > 0 and prompt.dropped % 2 == 0  # whole exchanges, starting at a user message
    assert len(prompt.ids) + 16 <= 128
    assert [n.key for n in prompt.notices] == ["convo.dropped_turns"]
    # independent: the template over system + the kept messages
    kept = [{"role": "system", "content": "SYS"}] + [{"role": m.role, "content": m.content}
                                                      for m in conv.messages[prompt.dropped:]]
    text = loaded.tokenizer.apply_chat_template(kept, tokenize=False, add_generation_prompt=True)
    assert prompt.ids == loaded.tokenizer.encode(text, add_special_tokens=False)
    # one fewer dropped would not fit
    fuller = [{"role": "system", "content": "SYS"}] + [{"role": m.role, "content": m.content}
                                                        for m in conv.messages[prompt.dropped - 2:]]
    longer = loaded.tokenizer.apply_chat_template(fuller, tokenize=False, add_generation_prompt=True)
    assert len(loaded.tokenizer.encode(longer, add_special_tokens=False)) + 16 > 128


def test_last_message_alone_too_long(tiny_llama_dir, cache):
    session = ChatSession.open(str(tiny_llama_dir), params=SamplingParams(max_new_tokens=8), cache=cache)
    with pytest.raises(DojoError) as err:
        session.reply("language models predict the next token " * 20)
    assert err.value.key == "convo.too_long" and session.conversation.messages == []


def test_model_without_template_gets_chatml_with_notice(tiny_llama_dir, cache):
    from engine.generation.chat_formats import chatml

    loaded = cache.get(str(tiny_llama_dir))
    tok = loaded.tokenizer
    saved, tok.chat_template = tok.chat_template, None
    try:
        conv = Conversation()
        conv.add_user("hi")
        prompt = prompt_for_reply(conv, tok, 128, 4, "tiny")
    finally:
        tok.chat_template = saved
    assert prompt.notices[0].key == "convo.builtin_template"
    assert prompt.ids == tok.encode(chatml([{"role": "user", "content": "hi"}]), add_special_tokens=False)


def test_cancel_stops_reply(tiny_llama_dir, cache):
    session = ChatSession.open(str(tiny_llama_dir), params=SamplingParams(max_new_tokens=40), cache=cache)
    cancel = threading.Event()
    reply = session.reply("hello", cancel=cancel, on_event=lambda e: cancel.set() if e.index == 2 else None)
    assert reply.result.finish_reason == "cancelled" and len(reply.result.token_ids) <= 4


def logits(model, ids):
    import torch

    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, -1]


def test_adapters_switch_without_reloading(tiny_llama_dir, adapters, cache):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    loaded = cache.get(str(tiny_llama_dir))
    base_obj = loaded.model
    ids = loaded.tokenizer.encode("hello world", add_special_tokens=False)
    base_logits = logits(base_obj, ids)
    aset = AdapterSet(loaded.model, str(tiny_llama_dir), loaded.resolved.path)
    assert aset.add(adapters[0]) == "kind" and aset.add(adapters[1]) == "rude"
    # independent: a fresh base with each adapter through PeftModel.from_pretrained
    want = {}
    for path in adapters:
        fresh = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), str(path)).eval()
        want[path.name] = logits(fresh, ids)
    for name in ("kind", "rude", None, "kind"):
        with aset.active_model(name) as model:
            got = logits(model, ids)
        assert model is base_obj
        assert torch.allclose(got, base_logits if name is None else want[name], atol=1e-5), name
    assert not torch.allclose(want["kind"], want["rude"])
    # outside a reply the shared base is the base (another lab on the cache sees no adapter)
    assert torch.allclose(logits(base_obj, ids), base_logits, atol=1e-6)
    session_model = cache.get(str(tiny_llama_dir)).model
    assert session_model is base_obj and cache.loads == 1
    aset.use(None)
    assert [aset.cycle(), aset.cycle(), aset.cycle()] == ["kind", "rude", None]


def test_session_reply_names_adapter_and_side_by_side(tiny_llama_dir, adapters, cache):
    session = ChatSession.open(str(tiny_llama_dir), adapters=[str(adapters[0])],
                               params=SamplingParams(do_sample=True, temperature=0.9, max_new_tokens=5), cache=cache)
    assert session.adapters.active == "kind"
    base, tuned = session.side_by_side("hello", seed=3)
    assert base.message.adapter is None and tuned.message.adapter == "kind"
    assert session.conversation.messages == []  # side by side leaves the conversation alone
    session.params = SamplingParams(do_sample=True, temperature=0.9, max_new_tokens=5, seed=3)
    again = session.reply("hello", adapter=None)
    assert again.result.token_ids == base.result.token_ids  # same seed, same settings, same base answer
    reply = session.reply("world")
    assert reply.message.adapter == "kind"
    assert cache.loads == 1


def test_bad_adapters_refused_before_loading(tiny_llama_dir, adapters, tmp_path, cache):
    loaded = cache.get(str(tiny_llama_dir))
    aset = AdapterSet(loaded.model, str(tiny_llama_dir), loaded.resolved.path)
    other = shutil.copytree(adapters[0], tmp_path / "other")
    cfg = json.loads((other / "adapter_config.json").read_text())
    cfg["base_model_name_or_path"] = "meta-llama/Llama-3.2-1B"
    (other / "adapter_config.json").write_text(json.dumps(cfg))
    cases = {other: "convo.wrong_base", tiny_llama_dir: "convo.not_adapter", tmp_path / "missing": "convo.no_folder"}
    for path, key in cases.items():
        with pytest.raises(DojoError) as err:
            aset.add(path)
        assert err.value.key == key
    assert aset.peft is None and aset.names == []  # nothing was injected into the base
    with pytest.raises(DojoError) as err:
        ChatSession.open(str(tiny_llama_dir), adapters=[str(tiny_llama_dir)], cache=cache)
    assert err.value.key == "convo.not_adapter"


def test_store_roundtrip_corrupt_skipped_markdown(tmp_path):
    store = ChatStore(tmp_path / "chats")
    conv = Conversation(system="너는 선생님이야.", model="dojo-tiny", adapters=["/a/kind"])
    conv.add_user("하늘은 왜 파란색이야?")
    conv.add_reply(ChatMessage("assistant", "빛이 흩어져서야.", adapter="kind", tokens=5, tokens_per_s=12.5))
    store.save(conv)
    (tmp_path / "chats" / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "chats" / "odd.json").write_text(json.dumps({"messages": [{"role": "x"}]}), encoding="utf-8")
    found, problems = store.list()
    assert [c.id for c in found] == [conv.id]
    assert sorted(p.args["file"] for p in problems) == ["broken.json", "odd.json"]
    again = store.load(conv.id)
    assert again.to_dict() == conv.to_dict() and again.title == "하늘은 왜 파란색이야?"
    md = again.to_markdown()
    assert "## assistant (kind)" in md and "빛이 흩어져서야." in md and "## system" in md
    store.rename(conv.id, "하늘")
    assert store.load(conv.id).title == "하늘"
    store.delete(conv.id)
    assert store.list()[0] == []
    with pytest.raises(DojoError) as err:
        store.load(conv.id)
    assert err.value.key == "convo.not_found"
    with pytest.raises(DojoError):
        store.load("../../etc/passwd")


def test_second_session_on_cached_model_reuses_its_adapters(tiny_llama_dir, adapters, cache):
    first = ChatSession.open(str(tiny_llama_dir), adapters=[str(adapters[0])], cache=cache)
    peft_model = first.adapters.peft
    second = ChatSession.open(str(tiny_llama_dir), adapters=[str(adapters[0]), str(adapters[1])], cache=cache)
    assert second.adapters is first.adapters and second.adapters.peft is peft_model
    assert second.adapters.names == ["kind", "rude"] and cache.loads == 1


def test_resume_restores_adapters_settings_and_says_what_it_could_not(tiny_llama_dir, adapters, cache, tmp_path):
    conv = Conversation(model="dojo-tiny", adapters=[str(adapters[0]), str(tmp_path / "gone")],
                        settings=SamplingParams(do_sample=True, temperature=0.7, max_new_tokens=3).to_dict())
    conv.add_user("hello")
    conv.add_reply(ChatMessage("assistant", "hi", adapter="kind"))
    session = ChatSession.open(str(tiny_llama_dir), cache=cache)
    notices = session.resume(conv)
    assert [n.key for n in notices] == ["convo.other_model", "convo.adapter_skipped"]
    assert session.adapters.names == ["kind"] and session.adapters.active == "kind"
    assert session.params.temperature == 0.7 and session.params.max_new_tokens == 3
    reply = session.reply("again")
    assert reply.message.adapter == "kind" and len(session.conversation.messages) == 4
    assert session.conversation.adapters == [str(adapters[0])]
