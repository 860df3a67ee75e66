"""Saved conversations: one JSON file each under ``<data dir>/chats/``.

One file per conversation keeps a damaged file from costing the others: :meth:`ChatStore.list`
skips a file it cannot read and reports it (``convo.corrupt`` notices), so the list
still opens. Writes go to a temporary file renamed into place, so a crash mid-save
never leaves half a conversation.

>>> store = ChatStore(Path("/tmp/chats"))                       # doctest: +SKIP
>>> store.save(conversation); store.list()[0][0].id == conversation.id   # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import DojoError
from ..messages import Notice
from .conversation import Conversation

_SAFE_ID = re.compile(r"^[\w.-]+$")


def chats_dir() -> Path:
    from ..paths import home

    return home() / "chats"


class ChatStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else chats_dir()

    def _file(self, conv_id: str) -> Path:
        if not _SAFE_ID.match(conv_id or ""):
            raise DojoError.keyed("convo.not_found", id=conv_id)
        return self.folder / f"{conv_id}.json"

    def save(self, conversation: Conversation) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(conversation.id)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def list(self) -> tuple[list[Conversation], list[Notice]]:
        """Every readable conversation, newest first, and one notice per file that could not be read."""
        found: list[Conversation] = []
        problems: list[Notice] = []
        if not self.folder.is_dir():
            return found, problems
        for path in sorted(self.folder.glob("*.json")):
            try:
                conv = Conversation.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                problems.append(Notice("convo.corrupt", {"file": path.name, "why": str(exc).splitlines()[0][:80]}))
                continue
            conv.id = path.stem
            found.append(conv)
        found.sort(key=lambda c: c.updated, reverse=True)
        return found, problems

    def load(self, conv_id: str) -> Conversation:
        path = self._file(conv_id)
        if not path.is_file():
            raise DojoError.keyed("convo.not_found", id=conv_id)
        try:
            conv = Conversation.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise DojoError.keyed("convo.corrupt", file=path.name, why=str(exc).splitlines()[0][:80]) from None
        conv.id = conv_id
        return conv

    def delete(self, conv_id: str) -> None:
        path = self._file(conv_id)
        if not path.is_file():
            raise DojoError.keyed("convo.not_found", id=conv_id)
        path.unlink()

    def rename(self, conv_id: str, title: str) -> Conversation:
        conv = self.load(conv_id)
        conv.title = title.strip() or conv.title
        self.save(conv)
        return conv
