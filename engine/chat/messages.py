"""What chat says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "convo.empty_message": "the message is empty: type something for the model to answer",
    "convo.dropped_turns": "the conversation is longer than the model's context ({context} tokens): the oldest "
                           "{n} message(s) were left out of what the model reads (the system prompt is kept)",
    "convo.too_long": "your last message alone ({prompt} tokens with the system prompt) leaves no room for "
                      "{n} new tokens in this model's {context}-token context; shorten it or lower max-new-tokens",
    "convo.builtin_template": "{model} has no chat template of its own: using the built-in chatml format "
                              "(the model was not trained on it, so expect weak answers)",
    "convo.toy_model": "dojo-tiny is a toy model (random-ish answers); add SmolLM2-135M-Instruct in the models lab "
                       "for a real chat",
    "convo.not_adapter": "{path} is not a PEFT adapter (no adapter_config.json); pass the folder a LoRA run saved",
    "convo.no_folder": "no adapter folder at {path}",
    "convo.wrong_base": "the adapter {name} was trained on {recorded}, not on {model}; chat with it using "
                        "--model {recorded}",
    "convo.unknown_adapter": "no adapter named {name} is loaded; loaded: {names}",
    "convo.other_model": "this conversation was with {saved}; it continues with {model}",
    "convo.adapter_skipped": "the adapter {path} was not loaded again: {why}",
    "convo.corrupt": "the saved conversation {file} cannot be read ({why}); it was skipped",
    "convo.not_found": "no saved conversation {id}; list them with: llm-dojo chat --list",
}
