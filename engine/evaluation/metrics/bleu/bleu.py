"""Corpus BLEU from sacrebleu (Post, 2018), on a 0-100 scale."""

import datasets
import evaluate
import sacrebleu

_DESCRIPTION = ("BLEU: the geometric mean of 1- to 4-gram precisions of the predictions against the "
                "references, times a brevity penalty; sacrebleu.corpus_bleu with its standard tokenizer.")
_KWARGS = """
Args:
    predictions: texts.
    references: references for each prediction (a list of texts each; lists may differ in length).
    tokenize: sacrebleu tokenizer, '13a' (default), 'intl', 'char', 'ko-mecab' if installed...
Returns:
    bleu: 0-100; precisions, brevity_penalty, signature.
"""


def streams(references):
    """Per-item reference lists -> sacrebleu's reference streams (short lists padded with their first)."""
    width = max(len(r) for r in references)
    padded = [list(r) + [r[0]] * (width - len(r)) for r in references]
    return [list(s) for s in zip(*padded)]


class Bleu(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="", inputs_description=_KWARGS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "references": datasets.Sequence(datasets.Value("string"))}),
            reference_urls=["https://github.com/mjpost/sacrebleu"],
        )

    def _compute(self, predictions, references, tokenize="13a"):
        bleu = sacrebleu.BLEU(tokenize=tokenize)
        result = bleu.corpus_score(predictions, streams(references))
        signature = bleu.get_signature()
        return {"bleu": float(result.score), "precisions": list(result.precisions), "brevity_penalty": result.bp,
                "signature": str(signature)}
