"""Pretraining presets: the embedded models' recipes as frozen, documented configs.

``dojo-tiny`` and ``dojo-tiny-mlm`` are the models that ship inside the package.
``dojo-micro`` and ``dojo-micro-mlm`` are the same recipes shrunk until they run in
seconds, so tests exercise the real code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import DojoError
from ..text.corpus import CorpusSpec


@dataclass(frozen=True)
class PretrainPreset:
    name: str
    kind: str
    """'clm' (LlamaForCausalLM, byte-level BPE) or 'mlm' (BertForMaskedLM, WordPiece)."""
    vocab_size: int = 8192
    """About 8k: enough merges for whole English words and common Korean syllable
    pairs, small enough that the embedding matrix does not dwarf the layers."""
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    intermediate: int = 688
    """LLaMA's SwiGLU width rule (8/3 x hidden, rounded to a multiple of 8)."""
    max_positions: int = 512
    seq_len: int = 256
    batch_size: int = 16
    steps: int = 650
    """Pretraining steps. 650 x 16 x 256 = 2.7M tokens, about two passes over the
    corpus, which is where held-out loss stopped improving in trial runs."""
    lr: float = 3e-3
    """Tiny models tolerate (and need) a high peak learning rate."""
    warmup: int = 40
    chat_steps: int = 180
    """CLM only: steps of chat tuning on the project's instruction pairs after
    pretraining, so the chat template is learned."""
    chat_lr: float = 1e-3
    chat_batch_size: int = 16
    mask_prob: float = 0.15
    """MLM only: BERT's masking rate (of which 80% [MASK], 10% random, 10% kept)."""
    seed: int = 1234
    checkpoint_every: int = 50
    corpus: CorpusSpec = field(default_factory=CorpusSpec)

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.seq_len


PRESETS: dict[str, PretrainPreset] = {
    "dojo-tiny": PretrainPreset(name="dojo-tiny", kind="clm"),
    "dojo-tiny-mlm": PretrainPreset(
        name="dojo-tiny-mlm",
        kind="mlm",
        vocab_size=8000,
        hidden=192,
        layers=4,
        heads=4,
        intermediate=768,
        max_positions=256,
        seq_len=128,
        batch_size=32,
        steps=700,
        lr=1e-3,
        warmup=50,
        chat_steps=0,
    ),
}
PRESETS["dojo-micro"] = replace(
    PRESETS["dojo-tiny"], name="dojo-micro", vocab_size=600, hidden=32, layers=2, heads=2,
    intermediate=64, max_positions=128, seq_len=32, batch_size=4, steps=12, warmup=2,
    chat_steps=4, chat_batch_size=4, checkpoint_every=5,
    corpus=CorpusSpec(english_chars=40_000, korean_repeat=1),
)
PRESETS["dojo-micro-mlm"] = replace(
    PRESETS["dojo-tiny-mlm"], name="dojo-micro-mlm", vocab_size=600, hidden=32, layers=2, heads=2,
    intermediate=64, max_positions=64, seq_len=32, batch_size=4, steps=12, warmup=2, checkpoint_every=5,
    corpus=CorpusSpec(english_chars=40_000, korean_repeat=1),
)


def get_preset(name: str) -> PretrainPreset:
    try:
        return PRESETS[name]
    except KeyError:
        raise DojoError(f"no pretraining preset named {name!r}; choose one of: {', '.join(PRESETS)}") from None
