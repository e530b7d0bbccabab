"""`narrate check`: the tokens of an article the engine may say wrongly, found before any
audio is made, each with where it is and what will be said.

The kinds:

- ``acronym``: an all-capitals word the acronym table does not know (espeak-ng spells
  some and reads others as words);
- ``number`` / ``symbol``: digits or symbols still in the spoken text, which no rule
  turned into words;
- ``abbreviation``: a short word with a full stop that is neither a word nor a known
  abbreviation ("Rt.", "Ont.,"), still in the spoken text;
- ``code``: a token of letters and digits ("XK47Q", "BA.2.86") that no rule read;
- those two are flagged only when no house style (en-GB, en-US) reads them: a token one
  style knows is a known token, said that style's way;
- ``name`` (``word`` if not capitalised): a word with no lexicon entry that espeak-ng's
  dictionary does not have and
  that is not in the system word list (wbritish), so espeak guesses it from its
  letter-to-sound rules: names, mostly ("Stoltenberg", "Kyiv").

Whether espeak-ng's dictionary has a word is asked of espeak-ng itself: its translation
trace (``espeak-ng -X``) prints ``Found: 'word'`` for a dictionary entry and ``Translate
'word'`` for one made by rules. Most ordinary English words are made by rules (and said
right), which is why the word list decides too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from workers.pipeline.speech import style as house_style
from workers.pipeline.speech import to_spoken
from workers.pipeline.speech.abbreviations import abbreviation_forms
from workers.pipeline.speech.acronyms import is_code, known_acronyms
from workers.pipeline.speech.lexicon import Lexicon
from workers.pipeline.speech.style import DEFAULT_STYLE

WORD_LISTS = (Path("/usr/share/dict/british-english"), Path("/usr/share/dict/words"))
ESPEAK_TIMEOUT_S = 60

_ALL_CAPS = re.compile(r"(?<![\w.&-])([A-Z]{2,})(?:s|'s)?(?![\w&]|\.[A-Z])")
_LEFT_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_LEFT_SYMBOL = re.compile(r"[%£$€¥#@&*\\^~<>=+|_{}]")
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z]{2,6})\.(?=\s+[a-z0-9]|\s+[A-Z][a-z]*\.)")
_DOTTED_PLACE = re.compile(r"(?<![\w.])([A-Z][a-z]{1,5})\.(?=[,;)])")  # "Toronto, Ont., said"
_CODE_TOKEN = re.compile(
    r"(?<![\w.-])(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])[A-Za-z\d]+(?:[.-][A-Za-z\d]+)*(?![\w-])"
)
_WORD = re.compile(r"(?<![\w'’-])([A-Za-z][a-z]*(?:['’-][A-Za-z][a-z]*)*)(?![\w'’-])")
_PHONEME_GROUP = re.compile(r"\[\[[^\]]*\]\]")
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Risk:
    kind: str  # acronym, number, symbol, abbreviation, name, word, code
    token: str
    paragraph: int  # index in the cleaned article (0 is the title, as in timings.json)
    offset: int | None  # characters into that paragraph, None if not found as written
    said: str  # what the engine is given for it
    phonemes: str | None  # what espeak-ng makes of it (its -x notation)
    why: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@cache
def _word_list() -> frozenset[str]:
    for path in WORD_LISTS:
        if path.is_file():
            return frozenset(path.read_text(encoding="utf-8", errors="replace").split())
    return frozenset()


def _espeak(args: list[str], text: str) -> str | None:
    binary = shutil.which("espeak-ng")
    if binary is None:
        return None
    try:
        result = subprocess.run(
            [binary, "-q", "-v", "en-gb", *args],
            input=text,
            capture_output=True,
            text=True,
            timeout=ESPEAK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def in_espeak_dictionary(words: Iterable[str]) -> set[str]:
    """The words (lower case) espeak-ng's en dictionary has an entry for."""
    words = sorted({w.lower() for w in words})
    trace = _espeak(["-X"], "\n".join(f"{w}." for w in words)) if words else None
    if not trace:
        return set()
    return set(re.findall(r"^Found: '([^']+)'", trace, re.MULTILINE)) & set(words)


def phonemes_of(tokens: Iterable[str]) -> dict[str, str]:
    """espeak-ng's phonemes for each token, said inside 'the TOKEN said.' so capitals
    are read as they would be in a sentence."""
    tokens = list(dict.fromkeys(tokens))
    if not tokens:
        return {}
    output = _espeak(["-x"], "\n".join(f"the {t} said." for t in tokens))
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    if len(lines) != len(tokens):
        return {}  # espeak joined or split a clause: better no phonemes than wrong ones
    found = {}
    for token, line in zip(tokens, lines, strict=True):
        groups = line.split()
        found[token] = " ".join(groups[1:-1])  # "" when espeak says nothing for it
    return found


_PREFIXES = ("re", "co", "un", "non", "pre", "over", "under", "out", "sub", "anti", "mis")
_SUFFIXES = ("ability", "ibility", "ity", "ness", "ment", "ly", "s", "es", "ed", "ing", "er")


def _listed(word: str) -> bool:
    words = _word_list()
    return word in words or word.lower() in words


def _known_word(word: str) -> bool:
    """In the word list; or a listed word with a common prefix or suffix ("reline",
    "affordability"), or two listed words run together ("seafront", "Northfield"):
    espeak-ng's rules say those as their parts."""
    bare = _POSSESSIVE.sub("", word).replace("’", "'")
    if any(_listed(form) for form in (word, bare, *bare.split("-"))):
        return True
    bare = bare.lower()
    if not bare.isalpha() or len(bare) < 6:
        return False
    if any(bare.startswith(p) and _listed(bare[len(p) :]) for p in _PREFIXES):
        return True
    if any(bare.endswith(s) and _listed(bare[: -len(s)]) for s in _SUFFIXES):
        return True
    return any(_listed(bare[:i]) and _listed(bare[i:]) for i in range(3, len(bare) - 2))


def _offsets(paragraph: str, token: str, whole_word: bool) -> Iterator[int | None]:
    """Where `token` occurs in the paragraph as written, in order (then None)."""
    pattern = re.compile(
        rf"(?<![\w]){re.escape(token)}(?![\w])" if whole_word else re.escape(token)
    )
    for match in pattern.finditer(paragraph):
        yield match.start()
    while True:
        yield None


def check(
    paragraphs: list[str], lexicon: Lexicon | None = None, style: str = DEFAULT_STYLE
) -> list[Risk]:
    """Every risky token of the (cleaned) paragraphs, in reading order."""
    lexicon = lexicon or Lexicon()
    acronyms = known_acronyms()
    found: list[tuple[str, str, int, str, str]] = []  # kind, token, paragraph, said, why
    candidates: list[tuple[str, int, str]] = []  # name candidates: word, paragraph, said
    for index, paragraph in enumerate(paragraphs):
        normalised = to_spoken(paragraph, style)
        spoken = _PHONEME_GROUP.sub(" ", lexicon.apply(normalised))  # entries' own symbols
        covered = {w.lower() for w in lexicon.words_in(normalised)}
        written_words = set(_WORD.findall(paragraph))
        codes = _left_in_every_style(paragraph, _CODE_TOKEN)
        for token in codes:
            found.append(("code", token, index, token, "letters and digits no style reads"))
        written_codes = [m.span() for m in _CODE_TOKEN.finditer(paragraph) if m[0] in codes]
        for match in _ALL_CAPS.finditer(paragraph):
            word = match.group(1)
            if word in acronyms or word.lower() in covered or is_code(word):
                continue
            if any(start <= match.start() < end for start, end in written_codes):
                continue  # "BA" in "BA.2.86": flagged with its code
            if not re.search(rf"(?<![\w]){word}(?![\w])", spoken):
                continue  # a rule said it another way (a Roman numeral, a code)
            found.append(("acronym", word, index, word, "an all-capitals word no table knows"))
        in_codes = [m.span() for m in _CODE_TOKEN.finditer(spoken) if m.group(0) in codes]
        for match in _LEFT_NUMBER.finditer(spoken):
            if any(start <= match.start() < end for start, end in in_codes):
                continue  # flagged with its code
            found.append(("number", match.group(0), index, match.group(0), "no rule read it"))
        for match in _LEFT_SYMBOL.finditer(spoken):
            found.append(("symbol", match.group(0), index, match.group(0), "no rule read it"))
        for match in _DOTTED.finditer(spoken):
            word = match.group(1)
            if word.lower() in abbreviation_forms() or _known_word(word):
                continue
            found.append(
                ("abbreviation", f"{word}.", index, f"{word}.", "an abbreviation no table has")
            )
        dotted = set()
        for word in _left_in_every_style(paragraph, _DOTTED_PLACE):
            if word.lower() not in abbreviation_forms() and not _known_word(word):
                dotted.add(word)
                why = "an abbreviation no style reads"
                found.append(("abbreviation", f"{word}.", index, f"{word}.", why))
        for word in _WORD.findall(normalised):
            if (
                word in written_words  # not one the normaliser wrote ("Footsie")
                and len(word) > 2
                and not word.isupper()
                and word.lower() not in covered
                and not _known_word(word)
                and word not in dotted  # flagged as an abbreviation already
            ):
                candidates.append((word, index, word))
    dictionary = in_espeak_dictionary(_POSSESSIVE.sub("", w) for w, _, _ in candidates)
    for word, index, said in candidates:
        if _POSSESSIVE.sub("", word).lower() not in dictionary:
            why = "not in espeak-ng's dictionary or the word list: its rules will guess"
            found.append(("name" if word[0].isupper() else "word", word, index, said, why))
    return _placed(found, paragraphs)


def _left_in_every_style(paragraph: str, pattern: re.Pattern[str]) -> list[str]:
    """The pattern's tokens (its group 1, or the whole match) still in the paragraph's
    spoken text in every house style, in the order of the first style's text."""
    found: list[str] | None = None
    for style in house_style.STYLES:
        spoken = to_spoken(paragraph, style)
        tokens = [m.group(1) if pattern.groups else m.group(0) for m in pattern.finditer(spoken)]
        found = tokens if found is None else [t for t in found if t in tokens]
    return list(dict.fromkeys(found or []))


def _placed(found: list[tuple[str, str, int, str, str]], paragraphs: list[str]) -> list[Risk]:
    phonemes = phonemes_of(token for _, token, _, _, _ in found)
    where: dict[tuple[int, str], Iterator[int | None]] = {}
    risks = []
    for kind, token, index, said, why in found:
        whole_word = kind not in ("number", "symbol")
        offsets = where.setdefault((index, token), _offsets(paragraphs[index], token, whole_word))
        offset = next(offsets)
        risks.append(Risk(kind, token, index, offset, said, phonemes.get(token), why))
    seen: set[tuple[str, int, int | None]] = set()
    unique = []
    for risk in sorted(
        risks, key=lambda r: (r.paragraph, r.offset if r.offset is not None else 1 << 30)
    ):
        key = (risk.token, risk.paragraph, risk.offset)
        if key not in seen:
            seen.add(key)
            unique.append(risk)
    return unique


def describe(risk: Risk) -> str:
    """One line for a terminal: where, what, and what espeak-ng will make of it."""
    where = f"paragraph {risk.paragraph}"
    if risk.offset is not None:
        where += f", character {risk.offset}"
    said = "" if risk.phonemes is None else f" [{risk.phonemes or 'silent'}]"
    return f"{where}: {risk.kind} {risk.token!r} said {risk.said!r}{said}: {risk.why}"
