"""Text: corpora, tokenization, step-through tokenizer trainers, morphology."""
