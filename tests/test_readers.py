"""Reading input files: documents, chat logs, and every kind of bad input."""

from __future__ import annotations

import json

import pytest

from graphmem.errors import EmptyInputError, InputError
from graphmem.readers import expand_paths, read_file, split_passages


def test_text_file_becomes_one_document_of_passages(tmp_path):
    f = tmp_path / "notes.md"
    f.write_text("# Trip\n\nWe flew to Oslo.\r\n\r\nIt rained.\n", encoding="utf-8")
    (doc,) = read_file(f)
    assert doc.kind == "document" and doc.title == "Trip"
    assert [t.text for t in doc.turns] == ["# Trip", "We flew to Oslo.", "It rained."]


def test_jsonl_groups_turns_by_session(tmp_path):
    f = tmp_path / "chat.jsonl"
    rows = [
        {"session": "a", "speaker": "Ann", "text": "Hi", "time": "2023-05-08T13:56:00+02:00", "id": "D1:1"},
        {"session": "b", "speaker": "Ben", "text": "Yo"},
        {"session": "a", "speaker": "Bo", "text": "Hello"},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    a, b = read_file(f)
    assert (a.session, [t.text for t in a.turns]) == ("a", ["Hi", "Hello"])
    assert a.turns[0].time == "2023-05-08T11:56:00" and a.turns[0].external_id == "D1:1"
    assert a.uri.endswith("chat.jsonl#a") and b.turns[0].speaker == "Ben"


def test_content_hash_tracks_content(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("One.", encoding="utf-8")
    h1 = read_file(f)[0].content_hash
    f.write_text("Two.", encoding="utf-8")
    assert read_file(f)[0].content_hash != h1


@pytest.mark.parametrize(
    ("name", "data", "needle", "line"),
    [
        ("bad.txt", "caf\xe9\nbar".encode("latin-1"), "not valid UTF-8", 1),
        ("bin.txt", b"\x00\x01\x02binary", "binary", None),
        ("no_text.jsonl", b'{"speaker": "A", "text": "ok"}\n{"speaker": "B"}\n', '"text"', 2),
        ("broken.jsonl", b'{"text": "ok"}\n{"text": \n', "invalid JSON", 2),
        ("list.jsonl", b"[1, 2]\n", "JSON object", 1),
        ("time.jsonl", b'{"text": "hi", "time": "yesterday"}\n', "ISO-8601", 1),
        ("image.png", b"\x89PNG", "unsupported file type", None),
    ],
)
def test_bad_input_names_file_and_line(tmp_path, name, data, needle, line):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_file(f)
    assert needle in info.value.reason
    assert info.value.path == str(f) and info.value.line == line
    assert str(f) in str(info.value)


def test_empty_file_is_its_own_error(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text(" \n\t\n", encoding="utf-8")
    with pytest.raises(EmptyInputError):
        read_file(f)


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    import graphmem.readers as readers

    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    f = tmp_path / "big.txt"
    f.write_text("x" * 11, encoding="utf-8")
    with pytest.raises(InputError, match="limit"):
        read_file(f)


def test_expand_paths_folders_globs_and_missing(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "d" / "b.jsonl").write_text("{}", encoding="utf-8")
    (tmp_path / "d" / "skip.bin").write_bytes(b"x")
    files, errors = expand_paths([tmp_path / "d", str(tmp_path / "d" / "*.txt"), tmp_path / "nope.txt"])
    assert [f.name for f in files] == ["a.txt", "b.jsonl"]  # folder walk + glob, deduplicated
    assert [e.reason for e in errors] == ["no such file or folder"]


def test_split_passages():
    assert split_passages("a\n\n\n b \n\nc") == ["a", "b", "c"]


def test_long_paragraphs_are_cut_at_sentence_ends():
    sentence = "Alice moved to Oslo in the spring of that year. "
    para = sentence * 100  # ~4.9k characters, one paragraph
    parts = split_passages(para, limit=1000)
    assert len(parts) == 5 and all(len(p) <= 1000 for p in parts)
    assert all(p.endswith("year.") for p in parts)
    assert " ".join(parts) == para.strip()


def test_run_on_text_without_sentence_ends_is_cut_at_spaces():
    words = "word " * 1000
    parts = split_passages(words, limit=300)
    assert all(len(p) <= 300 for p in parts) and " ".join(parts) == words.strip()
