"""What the attention lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "att.range": "{name} {value} must be a whole number of at least {minimum}",
    "att.range_to": "{name} {value} must be a whole number from {minimum} to {maximum}",
    "att.odd_dim": "dim {dim} is odd: sinusoidal encodings fill dimensions in sin/cos pairs (2i and 2i+1), "
                   "so use an even dim such as 64",
    "att.base": "base {base} must be a number above 1: it sets the longest wavelength (the paper uses 10000)",
    "att.one_word": "{name} '{value}' must be one word with no spaces (the demo repeats it)",
    "att.same_word": "the other word must differ from '{word}', or there is no content to compare",
    "att.data": "data '{data}': use ko (Korean sentiment sentences) or en (Pang & Lee polarity sentences)",
    "att.heads_divide": "d-model {d_model} is not divisible by heads {heads}: each head gets d_model/heads "
                        "dimensions, so pick e.g. d-model 64 with 4 heads",
    "att.lr": "learning rate {lr} must be above 0 and at most 1; 1e-3 suits a small model from scratch",
    "att.empty": "the text is empty: give the model a sentence to read, e.g. \"The cat sat on the mat\"",
    "att.truncated": "the text is {n} tokens but {model} reads at most {context}: only the first {context} "
                     "tokens are shown",
    "att.no_layer": "layer {layer} does not exist: {model} has layers 0 to {last}",
    "att.no_head": "head {head} does not exist: {model} has heads 0 to {last} in each layer",
    "att.switched_eager": "{model} was loaded with {impl} attention, which never builds the weight matrix; "
                          "it runs with eager attention for this capture",
    "att.no_eager": "{model} cannot switch to eager attention ({reason}), so its attention weights cannot be "
                    "returned; try dojo-tiny or dojo-tiny-mlm",
    "att.no_scores": "the raw scores are computed from {arch}'s query/key projections, which this lab does "
                     "not know for this architecture; only the softmax weights are shown",
    "att.no_rope": "{model} does not use RoPE (no rotary embedding found): pick a Llama-style model such as "
                   "dojo-tiny",
    "att.no_data": "the Pang & Lee sentences ship with gensim (test/test_data/pang_lee_polarity.cor); "
                   "install gensim to use --data en",
}
