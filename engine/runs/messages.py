"""What the run system says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "runs.not_running": "run {id} is not running (it is {state}); nothing to stop",
    "runs.already_completed": "run {id} already completed (step {step}/{total}); there is nothing to resume. "
                              "Start a new run to train more",
    "runs.is_active": "run {id} is {state}; attach to it with: llm-dojo runs attach {id}",
    "runs.no_checkpoint": "run {id} has no checkpoint to resume from (it ended before its first save); "
                          "start it again as a new run",
}
