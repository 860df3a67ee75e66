"""Train the tokenizers of the embedded models with the `tokenizers` library.

Two shapes, matching the two model families of the course:

* byte-level BPE for the causal LM (GPT/LLaMA style). Every string is a byte
  sequence first, so nothing is ever unknown and ``decode(encode(x)) == x`` for any
  Unicode text, Hangul and emoji included.
* WordPiece for the masked LM (BERT style). WordPiece works on characters, so a
  syllable it never saw would turn a whole word into ``[UNK]``; we therefore add the
  2,350 Hangul syllables of KS X 1001 (the set that covers everyday Korean), both as
  word starts and as ``##`` continuations, to the trained vocabulary.

>>> tok = train_byte_bpe(["hello 안녕"], vocab_size=300)       # doctest: +SKIP
>>> tok.decode(tok.encode("안녕 👋").ids)                      # doctest: +SKIP
'안녕 👋'
"""

from __future__ import annotations

from collections.abc import Iterable

CLM_SPECIALS = ("<|endoftext|>", "<|pad|>", "<|im_start|>", "<|im_end|>")
MLM_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

# A ChatML-style template. `{% generation %}` marks assistant text so trainers can
# compute the loss on assistant tokens only (return_assistant_tokens_mask).
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['role'] == 'assistant' -%}"
    "{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{%- else -%}"
    "{{ message['content'] + '<|im_end|>' }}"
    "{%- endif -%}"
    "{{ '\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


def common_hangul() -> list[str]:
    """The 2,350 precomposed syllables of KS X 1001, via the EUC-KR codec."""
    out = []
    for hi in range(0xB0, 0xC9):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("euc-kr")
            except UnicodeDecodeError:
                continue
            if "\uac00" <= ch <= "\ud7a3":
                out.append(ch)
    return out


def train_byte_bpe(texts: Iterable[str], vocab_size: int = 8192):
    """A byte-level BPE tokenizer (GPT-2 style pre-tokenisation, no normaliser)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(CLM_SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def train_wordpiece(texts: Iterable[str], vocab_size: int = 12000):
    """A BERT-style WordPiece tokenizer that keeps case and Hangul intact."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    def build(vocab=None):
        t = Tokenizer(models.WordPiece(vocab or {"[UNK]": 0}, unk_token="[UNK]", max_input_chars_per_word=100))
        # no lowercasing and no accent stripping: stripping would decompose Hangul
        t.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
        )
        t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        t.decoder = decoders.WordPiece(prefix="##")
        return t

    tok = build()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        special_tokens=list(MLM_SPECIALS),
        limit_alphabet=3000,
        continuing_subword_prefix="##",
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    vocab = tok.get_vocab()
    extra = [c for c in common_hangul()] + [chr(c) for c in range(33, 127)]
    for piece in extra + ["##" + c for c in extra]:
        if piece not in vocab:
            vocab[piece] = len(vocab)
    tok = build(vocab)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tok


def wrap_clm(tok, model_max_length: int):
    """Wrap a trained byte-level BPE as a transformers fast tokenizer with a chat template."""
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<|pad|>",
        unk_token=None,
        model_max_length=model_max_length,
        clean_up_tokenization_spaces=False,
    )
    fast.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|endoftext|>"]})
    fast.chat_template = CHAT_TEMPLATE
    return fast


def wrap_mlm(tok, model_max_length: int):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
        clean_up_tokenization_spaces=True,
    )
