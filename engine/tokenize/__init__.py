"""Tokenization: step-through BPE/WordPiece/Unigram trainers, the tokenizer playground, training
with the ``tokenizers`` library, word tokenizers (NLTK) and Korean morphology (KoNLPy).

Torch-free and textual-free; ``tokenizers``, ``transformers``, ``nltk`` and ``konlpy`` are
imported inside the functions that need them.
"""
