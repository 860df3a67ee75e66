"""Text generation, made visible: streaming, the sampling pipeline, strategies, chat formats.

One module per question a student asks:

* ``params``        what can I set, and what is a bad value? (:class:`SamplingParams`; torch-free)
* ``stream``        what does the model write, token by token? (events from ``model.generate``)
* ``events``        the token events and the final result, as plain data (torch-free)
* ``detok``         how do token ids become text without broken Hangul?
* ``pipeline``      how is the next token chosen? (raw -> temperature -> top-k -> top-p -> final)
* ``strategies``    greedy vs beam search vs sampling, side by side
* ``chat_formats``  what string does a chat model really read? (torch-free)
* ``gpu``           how fast is it, and how close to what the memory allows?
* ``adapter``       generating with a LoRA adapter on its base model

Only the torch-free modules are imported here, so ``from engine.generation import
SamplingParams`` stays cheap for the TUI's start-up.
"""

from .params import ParamError, SamplingParams

__all__ = ["ParamError", "SamplingParams"]
