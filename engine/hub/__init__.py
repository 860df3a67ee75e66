"""The Hugging Face Hub from the course (lesson 5), built on ``huggingface_hub``.

* :mod:`.client`: the token (status, log in, log out), search, a model card, and how
  every hub error becomes one teaching line (401, gated 403, 404, offline, unreachable).
* :mod:`.download`: the download plan (which files, their size, the disk check) and the
  download itself through ``snapshot_download`` (progress events, cancel, resume).
* :mod:`.cache`: the local cache (``scan_cache_dir``) and deleting from it (``delete_revisions``).

Nothing here contacts the network when ``HF_HUB_OFFLINE`` is set: the cache still works.
"""
