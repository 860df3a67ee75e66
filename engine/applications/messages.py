"""What the LLM applications lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "apps.shots_dropped": "the prompt was {over} tokens over the model's {context}-token context: {dropped} of "
                          "{shots} shots were dropped to make it fit",
    "apps.too_long": "the prompt is {tokens} tokens, {over} more than the model's {context}-token context even "
                     "with no shots: shorten the instruction, context or input",
    "apps.dense_fallback": "the dense retriever's tokenizer cannot read this question ({unknown} of {tokens} "
                           "tokens unknown): retrieved with BM25 instead",
    "apps.offline_hub": "{name!r} is not a built-in set or a local file, and the Hugging Face hub is offline "
                        "(HF_HUB_OFFLINE=1 or no --online): give a file path or one of: {builtin}",
    "apps.empty_index": "the index has no passages to search: the course folder {root} holds no lesson text",
    "apps.no_rows": "{source} has no rows: a dataset needs at least one row to show",
    "apps.no_runs": "no finished SFT or LoRA run of {model} on sentiment data yet: start one in the SFT or LoRA "
                    "lab to add fine-tuned rows to this table",
    "apps.passages_dropped": "{dropped} of {k} retrieved passages did not fit the model's {context}-token "
                             "context and were left out of the prompt",
    "apps.no_overlap": "no {lang} passage shares a word with the question: the passages shown are not matches "
                       "(ask in Korean or English, with words the lessons use)",
}
