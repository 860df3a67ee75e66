"""What the run system says to a person (keys -> English; the TUI translates)."""

MESSAGES: dict[str, str] = {
    "spec.kind": "unknown run kind {value!r}; use one of {choices}",
    "spec.device": "--device {value}: use auto, cpu, cuda, cuda:N or mps",
    "spec.dtype": "--dtype {value}: use {choices}",
    "spec.preset": "no pretraining preset named {value!r}; choose one of: {choices}",
    "spec.task": "unknown task {value!r}; use one of {choices}",
    "spec.method": "method {value!r} is not available; use one of {choices}",
    "spec.length": "give --epochs above 0 or --max-steps above 0",
    "spec.batch_size": "--batch-size {value}: must be at least 1",
    "spec.grad_accum": "--grad-accum {value}: must be at least 1",
    "spec.lr": "--lr {value}: must be between 0 and 1 (tiny models: 5e-4, large: 2e-5)",
    "spec.warmup": "--warmup {value}: must be 0 or more",
    "spec.max_seq_length": "--max-seq-length {value}: must be at least 8",
    "spec.interval": "{name} must be 0 (automatic) or more",
    "spec.labels_twice": "--labels {value}: each label once",
    "spec.labels_task": "--labels is only for the sentiment task",
    "spec.lora_r": "--r {value}: the LoRA rank must be at least 1 (8 is the usual start)",
    "spec.lora_alpha": "--alpha {value}: the LoRA scale must be at least 1 (usually twice --r)",
    "spec.lora_dropout": "--lora-dropout {value}: must be at least 0 and below 1 (0.05 is usual)",
    "spec.lora_bias": "--lora-bias {value}: use {choices}",
    "spec.qlora_method": "--qlora trains LoRA adapters on a 4-bit model; use it with --method lora (llm-dojo train lora)",
    "spec.beta": "--beta {value}: DPO's beta must be above 0 (0.1 is usual)",
    "spec.loss_type": "--loss-type {value}: use {choices}",
    "spec.adapter_method": "--adapter continues an SFT adapter, which needs --method lora",
    "runs.not_running": "run {id} is not running (it is {state}); nothing to stop",
    "runs.already_completed": "run {id} already completed (step {step}/{total}); there is nothing to resume. "
                              "Start a new run to train more",
    "runs.is_active": "run {id} is {state}; attach to it with: llm-dojo runs attach {id}",
    "runs.no_checkpoint": "run {id} has no checkpoint to resume from (it ended before its first save); "
                          "start it again as a new run",
}
