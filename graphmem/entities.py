"""Entity identity across documents: the namespace's alias index, and merges that can be undone.

* :class:`AliasIndex` — the names and aliases of a namespace's stored named entities. The
  pipeline asks it about each name of a new document, so "Smith" in a later document or session
  is the "Alice Smith" stored before (when exactly one stored name fits), and a name that was
  merged into another entity goes to the entity it was merged into.
* :func:`merge` / :func:`unmerge` — move one entity's facts, mentions and aliases onto another,
  recorded as an ``EntityMerge`` node (what moved, the kept entity's aliases before), and move
  them back. The merged entity is never deleted, so an undo loses nothing. Both run their writes
  in one transaction (``Store.run_many``).

Every value reaches Cypher as a parameter; every statement is a file under ``cypher/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import EntityError
from .model import Entity, make_id
from .store import Store
from .store._rows import now_iso
from .store.base import Statement

__all__ = ["AliasIndex", "NAMED_TYPES", "lookup", "merge", "unmerge", "merges"]

#: Entity types whose names are names (not "the car"): only these join across documents.
NAMED_TYPES = ("PERSON", "ORG", "ENTITY", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "WORK_OF_ART", "EVENT")
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam"}
_NONE = ["\x00"]  # never an empty list: Kùzu cannot type one


def _key(name: str) -> str:
    from .nlp.pipeline import entity_key

    return entity_key(name)


def _words(name: str) -> frozenset[str]:
    return frozenset(w.rstrip(".") for w in _key(name).split() if w.rstrip(".") not in _TITLES)


def _compatible(stored: str, new: str, words: frozenset[str] = frozenset()) -> bool:
    """Whether a name of type ``new`` may name a stored entity of type ``stored``.

    The NER often tags a lone surname as an organization ("Smith moved to Paris"): a name made
    only of known first names and surnames may still be a stored person's (never a place's).
    """
    if stored == new or "ENTITY" in (stored, new):
        return True
    if stored == "PERSON" and new in ("ORG", "NORP", "PRODUCT", "WORK_OF_ART") and words:
        from .nlp._lexicon import female_share, is_surname

        return all(female_share(w) is not None or is_surname(w) for w in words)
    return False


class AliasIndex:
    """The stored named entities of one namespace, by name key and by name word.

    Loaded once from the store (one scan of the namespace's named entities and its merges), then
    kept current by :meth:`note` as documents are written through the same :class:`Memory`.
    """

    def __init__(self, rows: Iterable[dict[str, Any]] = (), merged: dict[str, str] | None = None) -> None:
        self.by_key: dict[str, set[str]] = {}
        self.by_word: dict[str, set[str]] = {}
        self.info: dict[str, tuple[str, frozenset[str]]] = {}  # id → (type, name words)
        self.names: dict[str, str] = {}  # id → stored name
        self.merged = dict(merged or {})  # merged entity id → the id it was merged into
        for r in rows:
            self.names[r["id"]] = r["name"]
            self._add(r["id"], r["type"], [r["name"], *(r["aliases"] or [])])

    @classmethod
    def load(cls, store: Store, namespace: str) -> AliasIndex:
        t = store.templates
        rows = store.run(t.stmt("entity_index", namespace=namespace, types=list(NAMED_TYPES))).dicts()
        merged = {m["merged_id"]: m["kept_id"] for m in merges(store, namespace) if not m["undone"]}
        return cls(rows, merged)

    def _add(self, eid: str, type_: str, names: Iterable[str]) -> None:
        words = set(self.info.get(eid, ("", frozenset()))[1])
        for name in names:
            if not name:
                continue
            self.by_key.setdefault(_key(name), set()).add(eid)
            w = _words(name)
            words |= w
            for word in w:
                self.by_word.setdefault(word, set()).add(eid)
        prior = self.info.get(eid, (type_, frozenset()))[0]
        self.info[eid] = (type_ if prior == "ENTITY" else prior, frozenset(words))

    def _final(self, eid: str) -> str:
        seen = set()
        while eid in self.merged and eid not in seen:
            seen.add(eid)
            eid = self.merged[eid]
        return eid

    def note(self, entities: Iterable[Entity]) -> None:
        """Add the named entities of a batch about to be written."""
        for e in entities:
            if e.type in NAMED_TYPES:
                self.names.setdefault(e.id, e.name)
                self._add(e.id, e.type, [e.name, *e.aliases])

    def find(self, name: str, type_: str) -> tuple[str, str] | None:
        """The id and name of the one stored entity ``name`` refers to, if exactly one fits, else ``None``.

        An exact name or alias wins; else the one stored name whose words contain this name's
        words or are contained in them ("Smith" → "Alice Smith"), of a compatible type.
        """
        if type_ not in NAMED_TYPES:
            return None
        exact = {self._final(e) for e in self.by_key.get(_key(name), ())}
        exact = {e for e in exact if _compatible(self.info.get(e, (type_,))[0], type_)}
        if len(exact) == 1:
            return self._named(exact.pop())
        if exact:
            return None
        words = _words(name)
        if not words:
            return None
        seen = set.union(*(self.by_word.get(w, set()) for w in words))
        fits = set()
        for eid in seen:
            etype, ewords = self.info[eid]
            if (words < ewords or ewords < words) and _compatible(etype, type_, words):
                fits.add(self._final(eid))
        return self._named(fits.pop()) if len(fits) == 1 else None

    def _named(self, eid: str) -> tuple[str, str]:
        return eid, self.names.get(eid, "")


# -- merges ---------------------------------------------------------------------------------------


def lookup(store: Store, namespace: str, ref: str) -> dict[str, Any]:
    """The one entity of ``namespace`` with id, name or alias ``ref`` (case-insensitive on names).

    Raises:
        EntityError: none, or several that the reference cannot tell apart.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise EntityError("an entity is named by its id, name or an alias; got nothing")
    ref = ref.strip()
    t = store.templates
    rows = store.run(t.stmt("entity_lookup", namespace=namespace, ref=ref)).dicts()
    if not rows:  # names are matched exactly in Cypher; try the name's other spellings
        rows = [r for r in store.run(t.stmt("entity_index", namespace=namespace, types=list(NAMED_TYPES))).dicts()
                if _key(ref) in {_key(n) for n in [r["name"], *(r["aliases"] or [])]}]
    exact = [r for r in rows if r["id"] == ref or r["name"] == ref]
    rows = exact if len(exact) == 1 else rows
    if not rows:
        raise EntityError(f"no entity {ref!r} in namespace {namespace!r}")
    if len(rows) > 1:
        names = ", ".join(f"{r['name']} ({r['id']})" for r in rows[:5])
        raise EntityError(f"{ref!r} names several entities: {names}; use an id")
    return rows[0]


def merges(store: Store, namespace: str) -> list[dict[str, Any]]:
    """The namespace's merges, oldest first (``undone`` is ``""`` while a merge holds)."""
    return store.run(store.templates.stmt("entity_merges", namespace=namespace)).dicts()


def _edges(store: Store, namespace: str, eid: str) -> tuple[list[str], list[str], list[tuple[str, int, int]]]:
    res = store.run(store.templates.stmt("entity_edges", namespace=namespace, id=eid)).dicts()
    if not res:
        return [], [], []
    r = res[0]
    mentions = sorted({(u, int(s), int(e)) for u, s, e in zip(r["utterances"] or [], r["char_starts"] or [],
                                                                r["char_ends"] or []) if u})
    return sorted(x for x in r["subject_facts"] or [] if x), sorted(x for x in r["object_facts"] or [] if x), mentions


def _moves(store: Store, namespace: str, src: str, dst: str, subject_facts: list[str], object_facts: list[str],
           mentions: Iterable[tuple[str, int, int]]) -> list[Statement]:
    """Statements moving facts and mentions from ``src`` to ``dst``, projection edges remade."""
    t = store.templates
    facts = sorted(set(subject_facts) | set(object_facts)) or _NONE
    out = [t.stmt("merge_related_drop", id=src, facts=facts), t.stmt("merge_related_drop_in", id=src, facts=facts),
           t.stmt("merge_move_subject", **{"from": src, "to": dst, "facts": subject_facts or _NONE}),
           t.stmt("merge_move_object", **{"from": src, "to": dst, "facts": object_facts or _NONE})]
    out += [t.stmt("merge_move_mention", **{"from": src, "to": dst, "utterance": u, "char_start": s, "char_end": e})
            for u, s, e in mentions]
    out.append(t.stmt("merge_related_make", facts=facts))
    return out


def _active_merge_of(store: Store, namespace: str, eid: str) -> dict[str, Any] | None:
    return next((m for m in merges(store, namespace) if m["merged_id"] == eid and not m["undone"]), None)


def merge(store: Store, namespace: str, keep: str, other: str) -> dict[str, Any]:
    """Merge entity ``other`` into ``keep`` (ids, names or aliases); return the merge record.

    ``other``'s facts (as subject and object) and mentions move to ``keep``, which takes its
    name and aliases as aliases. ``other`` stays in the store, marked merged by the record, so
    :func:`unmerge` can move everything back.

    Raises:
        EntityError: an entity is missing or ambiguous, the two are one, or one is merged already.
    """
    k, o = lookup(store, namespace, keep), lookup(store, namespace, other)
    if k["id"] == o["id"]:
        raise EntityError(f"{keep!r} and {other!r} are the same entity")
    for e in (k, o):
        m = _active_merge_of(store, namespace, e["id"])
        if m is not None:
            raise EntityError(f"{e['name']!r} is already merged into {m['kept_name']!r} (merge {m['id']}); "
                              "merge into that entity, or undo that merge first")
    subj, obj, mentions = _edges(store, namespace, o["id"])
    before = list(k["aliases"] or [k["name"]])
    aliases = list(dict.fromkeys([*before, o["name"], *(o["aliases"] or [])]))
    at = now_iso()
    mid = make_id("merge", namespace, k["id"], o["id"], at, len(merges(store, namespace)))  # unique when redone
    t = store.templates
    store.run_many([
        *_moves(store, namespace, o["id"], k["id"], subj, obj, mentions),
        t.stmt("merge_set_aliases", namespace=namespace, id=k["id"], aliases=aliases),
        t.stmt("merge_record", id=mid, namespace=namespace, kept_id=k["id"], merged_id=o["id"],
               kept_name=k["name"], merged_name=o["name"], at=at, subject_facts=subj or _NONE,
               object_facts=obj or _NONE, mentions=[f"{u}\x1f{s}\x1f{e}" for u, s, e in mentions] or _NONE,
               kept_aliases=before),
    ])
    return {"id": mid, "kept_id": k["id"], "kept_name": k["name"], "merged_id": o["id"], "merged_name": o["name"],
            "at": at, "facts": len(set(subj) | set(obj)), "mentions": len(mentions)}


def unmerge(store: Store, namespace: str, ref: str) -> dict[str, Any]:
    """Undo a merge, named by its id or by the merged entity (id, name or alias); return its record.

    The facts and mentions the merge moved go back to the merged entity, and the kept entity's
    aliases are what they were before, plus any it gained since that the merged entity never had.
    Facts and mentions written after the merge stay where they were written.

    Raises:
        EntityError: no such merge holds, or the kept entity has since been merged itself
            (undo that merge first: merges undo in reverse order).
    """
    held = [m for m in merges(store, namespace) if not m["undone"]]
    record = next((m for m in held if m["id"] == ref), None)
    if record is None:
        try:
            eid = lookup(store, namespace, ref)["id"]
        except EntityError:
            eid = None
        record = next((m for m in reversed(held) if m["merged_id"] == eid), None)
        if record is None and eid is not None:
            kept = [m for m in held if m["kept_id"] == eid]
            if len(kept) == 1:
                record = kept[0]
    if record is None:
        raise EntityError(f"no merge of {ref!r} to undo in namespace {namespace!r}")
    later = next((m for m in held if m["merged_id"] == record["kept_id"]), None)
    if later is not None:
        raise EntityError(f"{record['kept_name']!r} has since been merged into {later['kept_name']!r} "
                          f"(merge {later['id']}); undo that merge first")

    def real(xs: list[str] | None) -> list[str]:
        return [x for x in xs or [] if x != _NONE[0]]

    mentions = []
    for m in real(record["mentions"]):
        u, s, e = m.split("\x1f")
        mentions.append((u, int(s), int(e)))
    merged = lookup(store, namespace, record["merged_id"])
    kept = lookup(store, namespace, record["kept_id"])
    theirs = {merged["name"], *(merged["aliases"] or [])}
    before = real(record["kept_aliases"])
    aliases = list(dict.fromkeys([*before, *(a for a in kept["aliases"] or [] if a not in theirs)]))
    t = store.templates
    at = now_iso()
    store.run_many([
        *_moves(store, namespace, record["kept_id"], record["merged_id"], real(record["subject_facts"]),
                real(record["object_facts"]), mentions),
        t.stmt("merge_set_aliases", namespace=namespace, id=record["kept_id"], aliases=aliases or [kept["name"]]),
        t.stmt("merge_undone", namespace=namespace, id=record["id"], at=at),
    ])
    return {**{k: record[k] for k in ("id", "kept_id", "kept_name", "merged_id", "merged_name", "at")}, "undone": at,
            "facts": len(set(real(record["subject_facts"])) | set(real(record["object_facts"]))),
            "mentions": len(mentions)}
