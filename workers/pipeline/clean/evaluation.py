"""Measure the cleaner against pages with a known article text.

A corpus is a list of `Page`s: the page's HTML and what a good cleaner keeps of it, either
the whole reference text (mozilla/readability's `expected.html`, or our own
`NAME.expected.txt`) or snippets that must and must not appear (trafilatura's
`evaldata.json`). Text is compared as 4-token word shingles: precision is the share of the
output's shingles that belong to the reference, recall the share of the reference's
shingles found in the output. Overall figures sum the counts of every page.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from workers.pipeline.errors import InvalidInput

CorpusFormat = Literal["readability", "trafilatura", "pairs"]
SHINGLE = 4
_WORD = re.compile(r"\w+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    reference: str = ""  # the whole article text, or "" when judged by snippets
    wanted: tuple[str, ...] = ()  # snippets that must be kept
    unwanted: tuple[str, ...] = ()  # snippets that must not

    @property
    def by_snippets(self) -> bool:
        return not self.reference


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def __iadd__(self, other: Score) -> Score:
        self.true_positive += other.true_positive
        self.false_positive += other.false_positive
        self.false_negative += other.false_negative
        return self

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        relevant = self.true_positive + self.false_negative
        return self.true_positive / relevant if relevant else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Every run of `size` consecutive words; a shorter text is one shingle of its own."""
    tokens = words(text)
    if 0 < len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def score_text(output: str, reference: str) -> Score:
    got, want = shingles(output), shingles(reference)
    common = sum((got & want).values())
    return Score(common, sum(got.values()) - common, sum(want.values()) - common)


def score_snippets(output: str, wanted: Iterable[str], unwanted: Iterable[str]) -> Score:
    """Each wanted snippet's shingles count as found or missed, each unwanted snippet's
    shingles that the output holds count against it."""
    tokens = words(output)
    windows: dict[int, set[tuple[str, ...]]] = {}

    def present(shingle: tuple[str, ...]) -> bool:
        size = len(shingle)
        if size not in windows:
            windows[size] = {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
        return shingle in windows[size]

    score = Score()
    for snippet in wanted:
        for shingle in shingles(snippet):
            if present(shingle):
                score.true_positive += 1
            else:
                score.false_negative += 1
    for snippet in unwanted:
        score.false_positive += sum(1 for shingle in shingles(snippet) if present(shingle))
    return score


def score_page(page: Page, output: str) -> Score:
    if page.by_snippets:
        return score_snippets(output, page.wanted, page.unwanted)
    return score_text(output, page.reference)


# Corpus readers ---------------------------------------------------------------------------


def decode_page(data: bytes) -> str:
    """Saved pages are not all UTF-8: use the charset the page declares, else Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def page_text(html: str) -> str:
    """The text a reader copies from a rendered page: visible text, blocks on their own
    lines."""
    from workers.pipeline.clean.html import visible_text

    return visible_text(html)


def read_readability(folder: Path) -> Iterator[Page]:
    """mozilla/readability's test/test-pages: NAME/source.html and NAME/expected.html."""
    for case in sorted(p for p in folder.iterdir() if (p / "source.html").is_file()):
        expected = case / "expected.html"
        if not expected.is_file():
            continue
        reference = page_text(decode_page(expected.read_bytes()))
        yield Page(case.name, decode_page((case / "source.html").read_bytes()), reference)


def read_trafilatura(folder: Path) -> Iterator[Page]:
    """adbar/trafilatura's tests/cache pages with the snippets of tests/evaldata.json
    (looked for in the folder and beside it)."""
    index = next(
        (p for p in (folder / "evaldata.json", folder.parent / "evaldata.json") if p.is_file()),
        None,
    )
    if index is None:
        raise InvalidInput(
            f"no evaldata.json in {folder} or beside it: give trafilatura's "
            "tests/cache folder, or put the file in it"
        )
    entries = json.loads(index.read_text(encoding="utf-8"))
    for entry in sorted(entries.values(), key=lambda e: e["file"]):
        path = folder / entry["file"]
        if path.is_file():
            yield Page(
                path.name,
                decode_page(path.read_bytes()),
                wanted=tuple(entry.get("with", ())),
                unwanted=tuple(entry.get("without", ())),
            )


def read_pairs(folder: Path) -> Iterator[Page]:
    """NAME.html (or NAME.txt when there is no page) beside NAME.expected.txt."""
    for expected in sorted(folder.glob("*.expected.txt")):
        name = expected.name.removesuffix(".expected.txt")
        source = next(
            (p for p in (folder / f"{name}.html", folder / f"{name}.txt") if p.is_file()), None
        )
        if source is not None:
            reference = expected.read_text(encoding="utf-8")
            yield Page(source.name, decode_page(source.read_bytes()), reference)


READERS: dict[str, Callable[[Path], Iterator[Page]]] = {
    "readability": read_readability,
    "trafilatura": read_trafilatura,
    "pairs": read_pairs,
}


def guess_format(folder: Path) -> CorpusFormat:
    if (folder / "evaldata.json").is_file() or (folder.parent / "evaldata.json").is_file():
        return "trafilatura"
    if any((p / "source.html").is_file() for p in folder.iterdir() if p.is_dir()):
        return "readability"
    return "pairs"


def read_corpus(folder: Path, format: CorpusFormat | None = None) -> list[Page]:
    return list(READERS[format or guess_format(folder)](folder))


# Systems and the run ----------------------------------------------------------------------

System = Callable[[Page], str]


def narrate_system(as_text: bool = False) -> System:
    """Narrate's cleaner on the page (or on the page as a reader copies it); a page it
    refuses reads as nothing."""
    from workers.pipeline.clean.cleaner import Format, clean
    from workers.pipeline.errors import NoSpeakableText

    def run(page: Page) -> str:
        source = page.html
        kind: Format
        if page.name.endswith(".txt"):
            kind = "text"
        elif as_text:
            source, kind = page_text(page.html), "text"
        else:
            kind = "html"
        try:
            return "\n\n".join(clean(source, format=kind).paragraphs)
        except NoSpeakableText:
            return ""

    return run


def trafilatura_system(page: Page) -> str:
    """trafilatura's own extract(), with its defaults."""
    import trafilatura

    return trafilatura.extract(page.html) or ""


def as_copied_system(page: Page) -> str:
    """The page's text as a reader copies it, untouched: the floor for --as-text."""
    return page_text(page.html)


@dataclass
class PageResult:
    page: str
    scores: dict[str, Score]
    errors: dict[str, str] = field(default_factory=dict)  # system -> exception, if any


@dataclass
class Report:
    systems: list[str]
    pages: list[PageResult]

    def overall(self, system: str) -> Score:
        total = Score()
        for result in self.pages:
            total += result.scores[system]
        return total

    def errors(self, system: str) -> list[PageResult]:
        return [result for result in self.pages if system in result.errors]

    def worst(self, system: str, count: int) -> list[PageResult]:
        return sorted(self.pages, key=lambda result: result.scores[system].f1)[:count]


def evaluate(pages: Iterable[Page], systems: dict[str, System]) -> Report:
    """Run every system on every page. An exception is recorded against its page and
    system (the page then scores as an empty output), never raised."""
    results = []
    for page in pages:
        scores, errors = {}, {}
        for name, system in systems.items():
            try:
                output = system(page)
            except Exception as exc:  # counted and shown; the run goes on
                errors[name] = f"{type(exc).__name__}: {exc}"
                output = ""
            scores[name] = score_page(page, output)
        results.append(PageResult(page.name, scores, errors))
    return Report(list(systems), results)
