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
}
