"""The pronunciation lexicon: words the engine should say differently, deployment-wide
or for one collection, as a respelling ("Zelenskyy" -> "Zelensky") or as espeak-ng
phonemes ("Nguyen" -> "[[w'In]]").

Entries are matched against the *spoken* text, after normalisation, so a phoneme entry
never meets the normaliser (which would take "[[" apart). A word the normaliser changes
("ICU" -> "I.C.U.") is matched in both forms. Matching is whole-word; "Zelenskyy's"
contains "Zelenskyy". An entry is case-insensitive unless it says otherwise.

The file (``lexicon.tsv``, one entry a line) is the store: an operator can edit and
version it, the web and worker processes already share the data directory, and it is
read again whenever it changes on disk.

    # word <TAB> say <TAB> case (any | exact) <TAB> collection (* for every article)
    Zelenskyy	Zelensky	any	*
    Nguyen	[[w'In]]	exact	world
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workers.pipeline.audio.shape import atomic_output
from workers.pipeline.errors import InvalidInput

EVERY_COLLECTION = "*"
MAX_ENTRIES = 10_000
_PHONEMES = re.compile(r"\[\[[^\[\]\t\n]+\]\]")
_WORD = re.compile(r"[^\t\n\[\]]{1,80}")
HEADER = (
    "# Narrate pronunciation lexicon: one entry a line, tab-separated.\n"
    "# word <TAB> say (a respelling, or espeak-ng phonemes as [[...]]) <TAB> "
    "case (any | exact) <TAB> collection (* for every article)\n"
)


class LexiconError(InvalidInput):
    title = "Invalid lexicon"


@dataclass(frozen=True)
class Entry:
    word: str
    say: str
    case_sensitive: bool = False
    collection: str = EVERY_COLLECTION

    @property
    def phonemes(self) -> bool:
        return bool(_PHONEMES.fullmatch(self.say))

    def as_json(self) -> dict[str, object]:
        return {
            "word": self.word,
            "say": self.say,
            "case_sensitive": self.case_sensitive,
            "collection": None if self.collection == EVERY_COLLECTION else self.collection,
        }


def entry_from_json(item: object, where: str) -> Entry:
    """One entry from an API body; LexiconError says what to change."""
    if not isinstance(item, Mapping):
        raise LexiconError(f"{where} must be an object with 'word' and 'say'")
    unknown = set(item) - {"word", "say", "case_sensitive", "collection"}
    if unknown:
        raise LexiconError(
            f"{where} has unknown fields {sorted(unknown)}: "
            "use word, say, case_sensitive and collection"
        )
    word, say = item.get("word"), item.get("say")
    case_sensitive = item.get("case_sensitive", False)
    collection = item.get("collection") or EVERY_COLLECTION
    if not isinstance(case_sensitive, bool):
        raise LexiconError(f"{where}.case_sensitive must be true or false")
    if not isinstance(collection, str):
        raise LexiconError(f"{where}.collection must be a collection name or null")
    word, say = _text(word, f"{where}.word"), _text(say, f"{where}.say")
    return checked(Entry(word, say, case_sensitive, collection.strip()))


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LexiconError(f"{where} must be a non-empty string")
    return value.strip()


def checked(entry: Entry) -> Entry:
    if not _WORD.fullmatch(entry.word) or not any(c.isalnum() for c in entry.word):
        raise LexiconError(
            f"the word {entry.word!r} must be 1-80 characters with a letter or digit, "
            "and no tabs, line breaks or square brackets"
        )
    if "[" in entry.say or "]" in entry.say:
        if not entry.phonemes:
            raise LexiconError(
                f"say for {entry.word!r} is {entry.say!r}: write espeak-ng phonemes as one "
                "[[...]] group (e.g. [[w'In]]), or a respelling without brackets"
            )
    elif not _WORD.fullmatch(entry.say):
        raise LexiconError(
            f"say for {entry.word!r} must be 1-80 characters without tabs or line breaks"
        )
    if entry.collection != EVERY_COLLECTION:
        check_collection(entry.collection)
    return entry


def check_collection(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,99}", name):
        raise LexiconError(
            f"collection {name!r} must be * (every article) or a collection name: "
            "lower-case letters, digits, '-' or '_' (at most 100)"
        )
    return name


class Lexicon:
    """A set of entries; `for_collection` gives the ones an article in it uses."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        if len(self.entries) > MAX_ENTRIES:
            raise LexiconError(f"a lexicon holds at most {MAX_ENTRIES} entries")
        seen: set[tuple[str, str, bool]] = set()
        for entry in self.entries:
            word = entry.word if entry.case_sensitive else entry.word.lower()
            key = (entry.collection, word, entry.case_sensitive)
            if key in seen:
                raise LexiconError(
                    f"{entry.word!r} is in the lexicon twice for collection "
                    f"{entry.collection!r}: keep one"
                )
            seen.add(key)

    def __len__(self) -> int:
        return len(self.entries)

    def for_collection(self, collection: str | None) -> Lexicon:
        """Deployment-wide entries, with the collection's own in place of any for the same word."""
        own = [e for e in self.entries if collection and e.collection == collection]
        covered = {(e.word.lower(), e.case_sensitive) for e in own}
        wide = [
            e
            for e in self.entries
            if e.collection == EVERY_COLLECTION
            and (e.word.lower(), e.case_sensitive) not in covered
        ]
        return Lexicon(own + wide)

    def _pattern(self) -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
        return _compiled(self.entries)

    def apply(self, spoken: str, *, phonemes: bool = True) -> str:
        """The spoken text with every entry's word replaced by what it should say.
        `phonemes=False` (an engine that reads text, not espeak-ng phonemes) leaves the
        words of phoneme entries as they are."""
        lexicon = self if phonemes else Lexicon(e for e in self.entries if not e.phonemes)
        if not lexicon.entries:
            return spoken
        pattern, exact, folded = lexicon._pattern()

        def say(match: re.Match[str]) -> str:
            written = match.group(0)
            return exact.get(written) or folded.get(written.lower(), written)

        return pattern.sub(say, spoken)

    def words_in(self, spoken: str) -> set[str]:
        """The written forms of the entries that occur in `spoken`."""
        if not self.entries:
            return set()
        pattern, _, _ = self._pattern()
        return {m.group(0) for m in pattern.finditer(spoken)}

    def fingerprint(self) -> str:
        """A hash of the entries: two lexicons with the same one say every text alike."""
        return _fingerprint(self.entries)

    def to_tsv(self) -> str:
        lines = [
            "\t".join((e.word, e.say, "exact" if e.case_sensitive else "any", e.collection))
            for e in self.entries
        ]
        return HEADER + "".join(line + "\n" for line in lines)


@lru_cache(maxsize=64)  # a collection's lexicon is made anew for every submission
def _fingerprint(entries: tuple[Entry, ...]) -> str:
    return hashlib.sha256(Lexicon(entries).to_tsv().encode()).hexdigest()


@lru_cache(maxsize=64)  # a collection's lexicon is made anew for every submission
def _compiled(entries: tuple[Entry, ...]) -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    """One pattern for every written and normalised form of the entries' words."""
    from workers.pipeline.speech import to_spoken

    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for entry in entries:
        for form in {entry.word, to_spoken(entry.word)}:
            if entry.case_sensitive:
                exact.setdefault(form, entry.say)
            else:
                folded.setdefault(form.lower(), entry.say)
    alternatives = [re.escape(f) for f in sorted(exact, key=len, reverse=True)]
    alternatives += [f"(?i:{re.escape(f)})" for f in sorted(folded, key=len, reverse=True)]
    body = "|".join(alternatives) or r"(?!x)x"
    return re.compile(rf"(?<![\w\[])(?:{body})(?![\w\]])"), exact, folded


def parse_tsv(text: str, source: str = "lexicon.tsv") -> Lexicon:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 2 or len(cells) > 4:
            raise LexiconError(
                f"{source} line {number}: expected word, say, and optionally case and "
                f"collection, separated by tabs; got {len(cells)} columns"
            )
        defaults = ["any", EVERY_COLLECTION][len(cells) - 2 :]
        word, say, case, collection = [*cells, *defaults]
        if case.strip() not in ("any", "exact", ""):
            raise LexiconError(f"{source} line {number}: case must be 'any' or 'exact'")
        collection = collection.strip() or EVERY_COLLECTION
        entry = Entry(word.strip(), say.strip(), case.strip() == "exact", collection)
        try:
            entries.append(checked(entry))
        except LexiconError as exc:
            raise LexiconError(f"{source} line {number}: {exc}") from None
    return Lexicon(entries)


_cache: dict[Path, tuple[tuple[int, int], Lexicon]] = {}


def load(path: Path) -> Lexicon:
    """The lexicon in `path` (empty if there is none), read again only when it changed."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Lexicon()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    lexicon = parse_tsv(path.read_text(encoding="utf-8"), str(path))
    _cache[path] = (stamp, lexicon)
    return lexicon


def save(path: Path, lexicon: Lexicon) -> None:
    """Write the whole lexicon atomically: a reader sees the old one or the new one."""
    with atomic_output(path, "wb") as out:
        out.write(lexicon.to_tsv().encode("utf-8"))
