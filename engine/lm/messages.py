"""What the language-model lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "lm.empty_text": "the text is empty: type a sentence (for example {example})",
    "lm.no_mask": "the text has no mask token: write {mask} where the missing word goes, for example {example}",
    "lm.masked_model": "{model} is a masked language model (it reads both sides of a {mask}): use llm-dojo "
                       "fill-mask with it; {what} needs a causal language model such as dojo-tiny",
    "lm.causal_model": "{model} is a causal language model (it reads left to right and has no mask token): use "
                       "llm-dojo score or llm-dojo next-token with it; fill-mask needs a masked language model "
                       "such as dojo-tiny-mlm",
    "lm.not_a_lm": "{model} is neither a causal nor a masked language model (its head is {arch}); use dojo-tiny "
                   "for score and next-token, dojo-tiny-mlm for fill-mask",
    "lm.too_short": "'{text}' is one token; a sentence needs at least two tokens to score (the first has nothing "
                    "before it to be predicted from)",
    "lm.truncated_start": "the text is {n} tokens but {model} reads at most {context}: only the first {kept} "
                          "tokens were used",
    "lm.truncated_end": "the text is {n} tokens but {model} reads at most {context}: only the {kept} tokens "
                        "nearest the end were used",
    "lm.mask_cut": "every {mask} lies beyond the {context} tokens {model} can read: put the mask earlier or "
                   "shorten the text",
    "lm.too_many_masks": "{n} masks: write at most {limit}, each {mask} is predicted on its own",
    "lm.no_left_context": "mask {n} starts the text: the causal model has no left context, so it predicts "
                          "the first token of a text",
    "lm.top_range": "top {value}: show between 1 and {limit} candidates",
    "lm.first_not_scored": "{model}'s tokenizer has no beginning-of-text token, so the first token "
                           "'{token}' is not scored (nothing comes before it)",
}
