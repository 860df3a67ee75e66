"""Exact match: the answer equals one of the references after light normalisation."""

import datasets
import evaluate

_DESCRIPTION = ("Exact match = share of predictions equal to any of their references, compared after "
                "lower-casing, trimming and collapsing runs of spaces (and, if asked, dropping a final period).")
_KWARGS = """
Args:
    predictions: answers (texts).
    references: accepted answers for each prediction (a list of texts each).
    ignore_punctuation: drop . , ! ? at the ends before comparing (default True).
Returns:
    exact_match: a number in [0, 1]; matches: 1 or 0 per item.
"""


def _norm(text, ignore_punctuation):
    text = " ".join(text.lower().split())
    return text.strip(".,!?。 ") if ignore_punctuation else text


class ExactMatch(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="", inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Sequence(datasets.Value("string"))}),
        )

    def _compute(self, predictions, references, ignore_punctuation=True):
        matches = [int(any(_norm(p, ignore_punctuation) == _norm(r, ignore_punctuation) for r in refs))
                   for p, refs in zip(predictions, references)]
        return {"exact_match": sum(matches) / len(matches) if matches else 0.0, "matches": matches}
