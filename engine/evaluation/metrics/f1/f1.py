"""F1 (macro by default) and the confusion matrix, from scikit-learn."""

import datasets
import evaluate
from sklearn.metrics import confusion_matrix, f1_score

_DESCRIPTION = ("F1 = 2 * precision * recall / (precision + recall) per label; 'macro' averages the labels "
                "equally, so a rare label counts as much as a common one. sklearn.metrics.f1_score.")
_KWARGS = """
Args:
    predictions: predicted labels (texts).
    references: true labels (texts).
    labels: every label, in the order of the confusion matrix (default: sorted labels seen).
    average: 'macro' (default), 'micro' or 'weighted'.
Returns:
    f1: a number in [0, 1]; confusion_matrix: rows are true labels, columns predicted ones.
"""


class F1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="", inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Value("string")}),
            reference_urls=["https://scikit-learn.org/stable/modules/generated/sklearn.metrics.f1_score.html"],
        )

    def _compute(self, predictions, references, labels=None, average="macro"):
        labels = list(labels) if labels else sorted(set(references) | set(predictions))
        f1 = f1_score(references, predictions, labels=labels, average=average, zero_division=0)
        matrix = confusion_matrix(references, predictions, labels=labels)
        return {"f1": float(f1), "labels": labels, "confusion_matrix": matrix.tolist()}
