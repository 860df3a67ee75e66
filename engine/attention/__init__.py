"""The attention lab: what a transformer's attention computes, inside a real model and from scratch.

One module per question a student asks:

* ``config``    what can I set? (one frozen dataclass per action; torch-free)
* ``results``   what comes back, as plain data (torch-free)
* ``capture``   which token looks at which, in every layer and head? (softmax weights and the raw
                scaled scores QK^T/sqrt(d), from any model ``engine.models`` resolves)
* ``posenc``    how does a transformer know the order of tokens? (the sinusoidal matrix, the dot
                product against distance, RoPE on a repeated word)
* ``encoder``   an encoder built from scratch in torch, checked against torch's own attention and
                trained as a sentence classifier beside a pretrained one

Only the torch-free modules are imported here, so the TUI's start-up stays cheap.
"""

from .config import AttentionConfig, AttentionEncoderConfig, AttentionPosEncConfig, AttentionRopeConfig

__all__ = ["AttentionConfig", "AttentionEncoderConfig", "AttentionPosEncConfig", "AttentionRopeConfig"]
