"""Evaluating language models the way evaluation harnesses do, small enough to read.

One module per question a student asks:

* ``config``   what can I set? (:class:`EvalConfig`; torch-free)
* ``data``     which items? built-in sets, local JSONL files (the format is documented there)
* ``scoring``  how likely is this continuation? batched log-likelihoods and rolling perplexity
* ``metrics``  accuracy, F1, exact match, BLEU, ROUGE-L, chrF: ``evaluate`` modules shipped in
  this package and loaded by path (the hub is offline), each wrapping a maintained library
* ``tasks``    perplexity, multiple choice, classification, generation -> an :class:`EvalResult`
* ``results``  results, several models side by side, JSON/CSV/Markdown
* ``contamination``  which items share an 8-word sequence with a model's known training text
* ``api``      load the base model and each adapter, run the task on each -> a comparison

Only torch-free modules are imported here, so the TUI starts without torch.
"""

from .config import TASKS, EvalConfig

__all__ = ["TASKS", "EvalConfig"]
