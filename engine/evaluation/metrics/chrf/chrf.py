"""chrF from sacrebleu (Popovic, 2015): character n-gram F-score, 0-100; suits Korean."""

import datasets
import evaluate
import sacrebleu

_DESCRIPTION = ("chrF: F-score (beta 2) of character 1- to 6-gram overlap between prediction and reference; "
                "no word tokenizer needed, so it is fair to Korean. sacrebleu.corpus_chrf.")
_KWARGS = """
Args:
    predictions: texts.
    references: references for each prediction (a list of texts each).
Returns:
    chrf: 0-100.
"""


class Chrf(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="", inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Sequence(datasets.Value("string"))}),
            reference_urls=["https://github.com/mjpost/sacrebleu"],
        )

    def _compute(self, predictions, references):
        width = max(len(r) for r in references)
        padded = [list(r) + [r[0]] * (width - len(r)) for r in references]
        result = sacrebleu.corpus_chrf(predictions, [list(s) for s in zip(*padded)])
        return {"chrf": float(result.score)}
