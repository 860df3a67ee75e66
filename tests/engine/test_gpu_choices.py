"""GPU-box choices, checked on the CPU with CUDA mocked (issue 11): one GPU by default,
the visible-device mask, native bf16 by compute capability, the bitsandbytes floor and
true parameter counts of packed 4-bit models."""

from __future__ import annotations

import types

import pytest

from engine import device as dev
from engine.errors import DeviceError
from engine.models.load import count_parameters, device_map_for


@pytest.mark.parametrize(("requested", "mask", "expected"), [
    ("cuda", None, "0"), ("auto", None, "0"), ("cuda:1", None, "1"),
    ("cuda:1", "2,3", "3"), ("cuda", "2,3", "2"), ("auto", " 5, 6 ", "5"),
])
def test_a_run_sees_exactly_one_gpu_within_the_mask(requested, mask, expected):
    assert dev.visible_devices(requested, mask) == expected


def test_a_gpu_outside_the_mask_is_a_one_line_error():
    with pytest.raises(DeviceError, match="CUDA_VISIBLE_DEVICES=2,3 shows 2 GPU"):
        dev.visible_devices("cuda:2", "2,3")


def test_the_worker_sets_the_mask_before_torch(monkeypatch):
    from engine.runs import worker

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    monkeypatch.setattr(dev, "pick_device", lambda requested: requested)
    assert worker._pick_device("cuda:1") == "cuda"
    import os

    assert os.environ["CUDA_VISIBLE_DEVICES"] == "3"


def test_models_sit_on_one_gpu_unless_spreading_is_asked_for():
    assert device_map_for("cpu", quantized=False) is None
    assert device_map_for("mps", quantized=False) is None
    assert device_map_for("cuda", quantized=False) == {"": 0}  # not "auto": never spread by accident
    assert device_map_for("cuda:1", quantized=True) == {"": 1}
    assert device_map_for("cuda", quantized=False, spread=True) == "auto"


def fake_cuda(monkeypatch, capability: tuple[int, int], emulated_bf16: bool = True):
    torch = dev._torch()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda index=0: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: emulated_bf16)


@pytest.mark.parametrize(("capability", "dtype"), [((7, 5), "float16"), ((7, 0), "float16"), ((8, 0), "bfloat16"),
                                                    ((8, 9), "bfloat16"), ((9, 0), "bfloat16")])
def test_bf16_only_where_the_gpu_computes_it_natively(monkeypatch, capability, dtype):
    fake_cuda(monkeypatch, capability)  # torch says "bf16 supported" on a T4 too (emulation)
    assert dev.pick_dtype("cuda") == dtype
    assert dev.bf16_native(0) is (dtype == "bfloat16")


def test_sft_mixed_precision_follows_native_bf16(monkeypatch):
    from engine.runs.spec import RunSpec
    from engine.training.sft import _mixed_precision

    fake_cuda(monkeypatch, (7, 5))
    assert _mixed_precision(RunSpec(), "cuda") == {"bf16": False, "fp16": True}
    fake_cuda(monkeypatch, (8, 0))
    assert _mixed_precision(RunSpec(), "cuda") == {"bf16": True, "fp16": False}


def test_bitsandbytes_floor_is_checked_with_a_one_line_error(monkeypatch):
    assert dev.version_tuple("0.46.1") == (0, 46, 1) and dev.version_tuple("0.47.0.dev0+cu12") == (0, 47, 0)
    assert dev.bitsandbytes_too_old("0.45.5") and not dev.bitsandbytes_too_old("0.46.1")
    assert not dev.bitsandbytes_too_old(None)
    monkeypatch.setattr(dev, "bitsandbytes_version", lambda: "0.45.5")
    with pytest.raises(DeviceError, match=r"0\.46\.1 or newer \(this machine has 0\.45\.5\)"):
        dev.check_quantization("cuda", True, False)
    monkeypatch.setattr(dev, "bitsandbytes_version", lambda: None)
    with pytest.raises(DeviceError, match="needs bitsandbytes"):
        dev.check_quantization("cuda:0", False, True)


def test_doctor_names_an_old_bitsandbytes(monkeypatch):
    from engine import doctor

    monkeypatch.setattr(doctor, "_version", lambda pkg: "0.45.0" if pkg == "bitsandbytes" else "1.0")
    check = next(c for c in doctor._gpu_checks() if c.name == "bitsandbytes")
    assert "older than 0.46.1" in check.value and "-U" in check.fix


def test_parameter_count_undoes_4bit_packing(tiny_llama_dir):
    import torch

    from engine.models.load import load_model

    loaded = load_model(str(tiny_llama_dir))
    true_count = sum(p.numel() for p in loaded.model.parameters())
    assert loaded.parameters == true_count == count_parameters(loaded.model)
    # a packed model stores two 4-bit values per element: numel() halves, num_parameters() does not
    packed = types.SimpleNamespace(parameters=lambda: iter([torch.zeros(true_count // 2)]),
                                   num_parameters=lambda: true_count)
    assert count_parameters(packed) == true_count


def test_compile_with_4bit_weights_is_refused():
    from engine.generation.gpu import SpeedOptions

    speed = SpeedOptions(static_cache=True, compile=True)
    with pytest.raises(DeviceError, match="does not work on 4-bit/8-bit"):
        speed.generate_kwargs("cuda", quantized=True)
    assert SpeedOptions(static_cache=True).generate_kwargs("cuda", quantized=True)["disable_compile"] is True


def test_gpu_bench_builds_its_model_without_an_fp32_copy():
    """The bench's model is allocated once, in the target dtype (the meta device holds the fp32 graph)."""
    import importlib.util
    from pathlib import Path

    import torch

    path = Path(__file__).resolve().parents[2] / "bench" / "gpu_generation.py"
    spec = importlib.util.spec_from_file_location("gpu_generation_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    allocated: list[torch.dtype] = []
    real_empty = torch.empty_like

    def spy(tensor, *args, **kwargs):
        out = real_empty(tensor, *args, **kwargs)
        allocated.append(out.dtype)
        return out

    torch.empty_like = spy
    try:
        model, _ = bench.build("smoke", "cpu", torch.bfloat16)
    finally:
        torch.empty_like = real_empty
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    assert allocated and set(allocated) == {torch.bfloat16}  # no float32 tensor was ever materialised
