"""What the evaluation lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "eval.truncated": "{n} of {total} items were longer than the model's context ({context} tokens): their "
                      "prompts were cut from the left, and the score counts them as they were read",
    "eval.no_labels_in_card": "the model has no task card with label words: the label words come from the data "
                              "({labels})",
    "eval.metric_missing_package": "the metric {metric} needs the package {package}: pip install {package}",
    "eval.empty_set": "the evaluation set {source} has no items to score",
    "eval.cancelled": "evaluation stopped after {done} of {total} items",
}
