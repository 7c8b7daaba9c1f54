"""Read input files into documents: plain text / Markdown, and JSONL chat logs.

A reader never half-reads a file: it returns whole :class:`Document` objects or an
:class:`~graphmem.errors.InputError` naming the file (and line), so one bad file
cannot stop the others.

JSONL: one message per line, ``{"text": …, "speaker": …, "time": …, "session": …}``;
only ``text`` is required. Optional ``id`` is kept as the turn's external id.
Messages are grouped by ``session`` (default: the file's name) into dialogues.
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EmptyInputError, InputError
from .model import content_hash, iso_time

__all__ = ["Turn", "Document", "expand_paths", "read_file", "read_text", "split_passages", "MAX_FILE_BYTES",
           "SUFFIXES"]

MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = {".txt": "text", ".md": "text", ".markdown": "text", ".jsonl": "jsonl", ".csv": "csv"}


@dataclass(slots=True)
class Turn:
    """One utterance to be: a dialogue turn or a passage of a document."""

    text: str
    speaker: str | None = None
    time: str | None = None
    external_id: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Document:
    """What becomes one :class:`~graphmem.model.Source`: a text file or one dialogue session."""

    uri: str
    kind: str  # "document" | "dialogue"
    turns: list[Turn]
    title: str | None = None
    session: str | None = None
    time: str | None = None
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(
                self.kind, self.session or "", *(f"{t.speaker}\x1e{t.time}\x1e{t.text}" for t in self.turns)
            )


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[InputError]]:
    """Files to ingest from files, folders (recursively) and glob patterns, in a stable order."""
    files: list[Path] = []
    errors: list[InputError] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            files.append(p)
        elif any(ch in str(raw) for ch in "*?["):
            matched = sorted(Path(m) for m in glob.glob(str(raw), recursive=True) if Path(m).is_file())
            if not matched:
                errors.append(InputError("no file matches this pattern", path=raw))
            files.extend(matched)
        else:
            errors.append(InputError("no such file or folder", path=raw))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def _decode(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
    if size > MAX_FILE_BYTES:
        raise InputError(f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit", path=path)
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file (NUL bytes), not text", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte {exc.start}: {exc.reason})", path=path, line=line) from exc
    if not text.strip():
        raise EmptyInputError("file is empty", path=path)
    return text


_BLANK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
MAX_PASSAGE_CHARS = 2000


def split_passages(text: str, *, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Paragraphs separated by blank lines, whitespace-trimmed, empty ones dropped.

    A paragraph longer than ``limit`` characters is cut at sentence ends (or, for a
    run-on without any, at spaces) into passages of at most ``limit``, so one huge
    paragraph becomes many utterances instead of one the parser cannot take.
    """
    out: list[str] = []
    for para in _BLANK.split(text.replace("\r\n", "\n")):
        para = para.strip()
        if len(para) <= limit:
            if para:
                out.append(para)
            continue
        chunk = ""
        for piece in _pieces(para, limit):
            if chunk and len(chunk) + 1 + len(piece) > limit:
                out.append(chunk)
                chunk = piece
            else:
                chunk = f"{chunk} {piece}" if chunk else piece
        if chunk:
            out.append(chunk)
    return out


def _pieces(para: str, limit: int) -> list[str]:
    pieces = []
    for sentence in _SENTENCE_END.split(para):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def read_file(path: str | Path) -> list[Document]:
    """The documents in one file.

    Raises:
        InputError: the file is missing, binary, not UTF-8, empty, too large, or has a bad record.
    """
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"unsupported file type {path.suffix or '(none)'}; use .txt, .md, .jsonl or .csv", path=path)
    return read_text(_decode(path), kind=kind, name=path)


def read_text(text: str, *, kind: str = "text", name: str | Path = "<stdin>") -> list[Document]:
    """The documents in ``text`` read as ``kind`` (``text``, ``jsonl`` or ``csv``); ``name`` names
    it in errors and is the documents' uri (e.g. ``<stdin>``)."""
    if not text.strip():
        raise EmptyInputError("nothing to read", path=name)
    if kind == "jsonl":
        return _read_jsonl(Path(name), text)
    if kind == "csv":
        return _read_csv(Path(name), text)
    if kind != "text":
        raise InputError(f"unknown format {kind!r}; use text, jsonl or csv", path=name)
    passages = split_passages(text)
    title = next((p.lstrip("# ").strip() for p in passages if p.startswith("#")), Path(name).stem)
    return [Document(uri=str(name), kind="document", turns=[Turn(p) for p in passages], title=title)]


def _read_csv(path: Path, text: str) -> list[Document]:
    """A chat log as CSV with a header: ``text`` required; ``speaker``, ``time``, ``session``, ``id`` optional."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
        raise InputError('a chat log in CSV needs a header with a "text" column', path=path, line=1)
    records = []
    try:
        for row in reader:
            records.append(({(k or "").strip().lower(): v for k, v in row.items()}, reader.line_num))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from exc
    return _dialogues(path, records)


def _read_jsonl(path: Path, text: str) -> list[Document]:
    records = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=path, line=n) from exc
        if not isinstance(rec, dict):
            raise InputError("each line must be a JSON object", path=path, line=n)
        records.append((rec, n))
    return _dialogues(path, records)


def _dialogues(path: Path, records: list[tuple[dict, int]]) -> list[Document]:
    """Chat messages (record, line) grouped by session into dialogues."""
    sessions: dict[str, list[Turn]] = {}
    for rec, n in records:
        body = rec.get("text")
        if not isinstance(body, str) or not body.strip():
            raise InputError('message has no "text"', path=path, line=n)
        try:
            when = iso_time(rec.get("time")) if rec.get("time") else None
        except (TypeError, ValueError) as exc:
            raise InputError(f'"time" is not an ISO-8601 date-time: {rec.get("time")!r}', path=path, line=n) from exc
        speaker = rec.get("speaker") or None
        session = str(rec.get("session") or path.stem)
        ext = rec.get("id") or None
        sessions.setdefault(session, []).append(
            Turn(body.strip(), None if speaker is None else str(speaker), when, None if ext is None else str(ext), n)
        )
    if not sessions:
        raise EmptyInputError("no messages", path=path)
    return [
        Document(
            uri=f"{path}#{name}",
            kind="dialogue",
            turns=turns,
            title=name,
            session=name,
            time=next((t.time for t in turns if t.time), None),
        )
        for name, turns in sessions.items()
    ]


def iter_documents(paths: Iterable[Path]) -> Iterator[tuple[Path, list[Document] | InputError]]:
    """Each file with its documents, or with the error that stopped it."""
    for p in paths:
        try:
            yield p, read_file(p)
        except InputError as exc:
            yield p, exc
