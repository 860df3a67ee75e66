"""ROUGE-L F-measure from Google's rouge_score, averaged over items (0-1)."""

import datasets
import evaluate
from rouge_score import rouge_scorer

_DESCRIPTION = ("ROUGE-L: the longest common subsequence of words between prediction and reference, as an "
                "F-measure; rouge_score.rouge_scorer, best reference per item, mean over items.")
_KWARGS = """
Args:
    predictions: texts.
    references: references for each prediction (a list of texts each).
    tokenizer: 'whitespace' (default: lower-cased words split on spaces, which keeps Hangul) or 'default'
        (rouge_score's own, which keeps only a-z and 0-9 and so drops every Korean word).
Returns:
    rougeL: 0-1; per_item: each item's F-measure.
"""


class WhitespaceTokenizer:
    def tokenize(self, text):
        return text.lower().split()


class Rouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="", inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Sequence(datasets.Value("string"))}),
            reference_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
        )

    def _compute(self, predictions, references, tokenizer="whitespace"):
        tok = WhitespaceTokenizer() if tokenizer == "whitespace" else None
        scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=tok)
        per_item = [scorer.score_multi(list(refs), pred)["rougeL"].fmeasure
                    for pred, refs in zip(predictions, references)]
        return {"rougeL": sum(per_item) / len(per_item) if per_item else 0.0, "per_item": per_item}
