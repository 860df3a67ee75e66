"""The LLM applications lab: datasets, prompts, in-context learning and a small RAG.

One module per question a student asks:

* ``config``    what can I set? (one frozen dataclass per action; torch-free)
* ``explore``   what is in this dataset? features, rows, label balance, token lengths,
  a ``map`` tokenization and a seeded split with its cache (the ``datasets`` library)
* ``prompts``   what exactly does the model read? instruction, context, input and output
  indicator as zero-, one- or few-shot prompts, with or without the chat template
* ``icl``       does the model learn from shots? zero- vs k-shot accuracy through the
  evaluation lab's scorer, beside fine-tuned runs; self-consistency by majority vote
* ``rag``       retrieve lesson passages (BM25 / TF-IDF with gensim, or dense
  embeddings), build the augmented prompt, answer, and measure hit-rate@k

Only torch-free modules are imported here, so the TUI starts without torch.
"""

from .config import AppsDataConfig, AppsIclConfig, AppsPromptConfig, AppsRagConfig, AppsRagEvalConfig

__all__ = ["AppsDataConfig", "AppsIclConfig", "AppsPromptConfig", "AppsRagConfig", "AppsRagEvalConfig"]
