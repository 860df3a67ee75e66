"""What a fine-tuned model was trained to do, saved beside its weights (``dojo_task.json``).

A model fine-tuned on the sentiment task answers only when its input looks like its
training examples (``text: <sentence>\\nlabel:``); given a bare sentence it ends at once.
The run saves a small card with the task, the prompt template and the label words, so
every lab that later loads the model (generation, chat, evaluation) can apply the
template and show the label scores instead of an empty answer.

>>> card = TaskCard(task="sentiment", labels=("긍정", "부정"))
>>> card.prompt_for("재미있었다")
'text: 재미있었다\\nlabel:'
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TASK_FILE = "dojo_task.json"


@dataclass(frozen=True)
class TaskCard:
    task: str
    """sentiment or instruction."""
    labels: tuple[str, ...] = ()
    """Sentiment label words, in the order the model was evaluated with."""
    template: str = "text: {text}\nlabel:"
    """The prompt the model was trained on; ``{text}`` is the input."""
    base_model: str = ""
    run_id: str = ""

    def prompt_for(self, text: str) -> str:
        return self.template.format(text=text)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        return data


def write_card(folder: Path, card: TaskCard) -> None:
    (Path(folder) / TASK_FILE).write_text(json.dumps(card.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")


def read_card(folder: Path | str) -> TaskCard | None:
    """The card of a model folder, or None (not fine-tuned by LLM Dojo, or an unreadable card)."""
    path = Path(folder) / TASK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return TaskCard(task=str(data["task"]), labels=tuple(data.get("labels", ())),
                        template=str(data.get("template", TaskCard.template)),
                        base_model=str(data.get("base_model", "")), run_id=str(data.get("run_id", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def label_probabilities(model: Any, tokenizer: Any, text: str, card: TaskCard) -> list[tuple[str, float, float]]:
    """(label, log-likelihood of the label after the prompt, probability among the labels), best first."""
    import math

    from .sft import label_scores

    scores = label_scores(model, tokenizer, [text], card.labels, max_len=512)[0]
    top = max(scores)
    norm = math.log(sum(math.exp(s - top) for s in scores)) + top
    rows = [(label, s, math.exp(s - norm)) for label, s in zip(card.labels, scores)]
    return sorted(rows, key=lambda r: -r[1])
