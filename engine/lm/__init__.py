"""The language-model lab: what a causal and a masked language model compute.

* ``config``  the settings of each action (:class:`LmScoreConfig`, :class:`LmNextTokenConfig`,
  :class:`LmFillMaskConfig`), torch-free
* ``kinds``   is this model causal or masked? (from its config, before any weight loads)
* ``api``     sentence scoring (log-likelihood token by token, perplexity), the raw
  next-token table (probability and log-probability), fill-mask beside a causal model
* ``examples`` the built-in sentences, Korean and English

Only the light modules are imported here, so the TUI starts without torch.
"""

from .config import LmFillMaskConfig, LmNextTokenConfig, LmScoreConfig

__all__ = ["LmFillMaskConfig", "LmNextTokenConfig", "LmScoreConfig"]
