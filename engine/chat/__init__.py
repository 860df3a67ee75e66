"""Chat with a model and its fine-tuned adapters: a conversation, streamed replies, saved chats.

* :mod:`.conversation`: the conversation (system prompt + turns) and how it becomes the
  model's input, dropping the oldest turns (never the system prompt) when it outgrows
  the context, with a notice;
* :mod:`.adapters`: several PEFT adapters on one loaded base (peft named adapters),
  switched between turns without reloading the base, and refused before loading when
  they are not adapters or were trained on another base;
* :mod:`.session`: one reply (streamed ``TokenEvent``\\ s, cancel, tokens and tokens/s),
  and base-vs-adapter side by side with the same seed;
* :mod:`.store`: saved conversations as JSON files under the data dir; a corrupt one
  is skipped and reported.

Torch-free at import: heavy modules load inside functions.
"""
