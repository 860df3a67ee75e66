"""Training recipes: pretraining (the embedded models), and later SFT, LoRA, DPO."""
