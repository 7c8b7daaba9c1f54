"""Turns to ingest, read from a LoCoMo-style folder or from graphmem's own input files.

A LoCoMo folder holds ``*.json`` files, each a list of conversations whose
``conversation`` object has ``session_<n>`` turn lists and ``session_<n>_date_time``
strings (see ``../shared/data/locomo/README.md``). Any other folder is read with
graphmem's own readers (``.jsonl`` chats, ``.txt``/``.md`` documents).

Either way the turns are written back as graphmem input files into a scratch folder,
one file per conversation, so that the bench ingests exactly the turns it counted.
The dataset itself is never copied into the repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["Turn", "Corpus", "load", "default_data_dir"]

SHARED_LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo"  # ../shared beside the repo
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "data"


@dataclass(frozen=True, slots=True)
class Turn:
    conversation: str  # becomes the file name
    session: str | None  # None: a passage of a plain document
    text: str
    speaker: str | None = None
    time: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Corpus:
    source: str  # "locomo" | "files"
    path: Path
    turns: list[Turn]

    @property
    def texts(self) -> list[str]:
        return [t.text for t in self.turns]

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.texts)

    def summary(self) -> dict[str, object]:
        return {
            "source": self.source,
            "path": str(self.path),
            "conversations": len({t.conversation for t in self.turns}),
            "sessions": len({(t.conversation, t.session) for t in self.turns}),
            "utterances": len(self.turns),
            "words": self.words,
        }

    def write(self, folder: Path) -> list[Path]:
        """Write the turns as graphmem input files (one per conversation) under ``folder``."""
        files: dict[str, list[Turn]] = {}
        for t in self.turns:
            files.setdefault(t.conversation, []).append(t)
        paths = []
        for name, turns in files.items():
            if turns[0].session is None:
                path = folder / f"{name}.md"
                path.write_text("\n\n".join(t.text for t in turns) + "\n", encoding="utf-8")
            else:
                path = folder / f"{name}.jsonl"
                with path.open("w", encoding="utf-8") as fh:
                    for t in turns:
                        rec = {"session": t.session, "speaker": t.speaker, "time": t.time, "id": t.id, "text": t.text}
                        fh.write(json.dumps({k: v for k, v in rec.items() if v is not None}) + "\n")
            paths.append(path)
        return paths


def default_data_dir() -> Path:
    return SHARED_LOCOMO if SHARED_LOCOMO.is_dir() else EXAMPLES


def load(folder: Path, *, limit: int | None) -> Corpus:
    """The first ``limit`` turns of the corpus in ``folder`` (all of them when ``None``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such data folder: {folder}")
    dumps = [d for d in map(_locomo_dump, sorted(folder.glob("*.json"))) if d is not None]
    if dumps:
        turns = [t for dump in dumps for t in _locomo_turns(dump)]
        source = "locomo"
    else:
        turns = _file_turns(folder)
        source = "files"
    if not turns:
        raise ValueError(f"no turns found in {folder}")
    return Corpus(source, folder, turns[:limit] if limit else turns)


def _locomo_dump(path: Path) -> list[dict] | None:
    """The conversations in ``path`` if it is a LoCoMo dump, else ``None``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(data, list) and data and all(isinstance(c, dict) and "conversation" in c for c in data):
        return data
    return None


def _locomo_time(text: str) -> str | None:
    # "1:56 pm on 8 May, 2023"
    try:
        return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").isoformat()
    except ValueError:
        return None


def _locomo_turns(conversations: list[dict]) -> list[Turn]:
    out = []
    for conv in conversations:
        name, c = conv["sample_id"], conv["conversation"]
        sessions = sorted(
            (int(k.split("_")[1]), k) for k in c if k.startswith("session_") and k.split("_")[1].isdigit()
            and k.count("_") == 1
        )
        for n, key in sessions:
            when = _locomo_time(c.get(f"{key}_date_time", ""))
            for turn in c[key]:
                text = turn["text"]
                if turn.get("blip_caption"):  # as the LoCoMo README's ingest recipe does
                    text += f" [image: {turn['blip_caption']}]"
                # Session names are per conversation: graphmem identifies a dialogue by
                # (namespace, session), so "session_1" of two conversations must differ.
                out.append(Turn(name, f"{name}/{key}", text, turn.get("speaker"), when, turn.get("dia_id")))
    return out


def _file_turns(folder: Path) -> list[Turn]:
    from graphmem.readers import expand_paths, read_file

    files, _ = expand_paths([folder])
    out = []
    for path in files:
        name = str(path.relative_to(folder).with_suffix("")).replace("/", "_")
        for doc in read_file(path):
            session = doc.session if doc.kind == "dialogue" else None
            out.extend(Turn(name, session, t.text, t.speaker, t.time, t.external_id) for t in doc.turns)
    return out
