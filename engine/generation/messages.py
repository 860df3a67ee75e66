"""What the generation lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "gen.greedy_temperature": "temperature 0 always picks the most likely token, which is greedy decoding: "
                              "generating greedily (sampling off)",
    "gen.knobs_unused": "temperature and top-p only shape sampling; this run is greedy, so they have no "
                        "effect (turn sampling on to use them)",
    "gen.stop_never_seen": "the stop string(s) {stops} never occurred; generation ran to max-new-tokens ({n})",
    "gen.beam_not_streamed": "beam search keeps several sequences and picks one at the end, so its text "
                             "appears all at once",
    "gen.empty_prompt": "the prompt is empty: give the model some text to continue",
    "gen.prompt_too_long": "the prompt is {prompt} tokens but this model reads at most {context}; "
                           "shorten the prompt so there is room for new tokens",
    "gen.beyond_context": "max-new-tokens {n} is beyond the context: the prompt takes {prompt} of this model's "
                          "{context} tokens, so at most {room} new tokens fit",
    "chat.alpaca_no_system": "Alpaca has no system message: it is left out (the fixed first sentence plays "
                             "that part)",
    "chat.alpaca_single_turn": "Alpaca is single-turn: only the first user message is used",
    "chat.gemma_no_system": "Gemma has no system role: the system message opens the first user turn",
    "chat.no_messages": "no messages to format: give at least one user message",
    "chat.gemma_alternate": "Gemma turns must alternate user/assistant/user/..., starting with the user",
    "chat.alpaca_needs_user": "Alpaca needs a user message: it becomes the instruction",
    "chat.no_template": "{model}'s tokenizer has no chat template (it was not trained as a chat model); use a "
                        "built-in format instead: --format {formats} (chatml is a good default)",
}
