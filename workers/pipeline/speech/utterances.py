"""Cut text into pieces of bounded length at sentence ends: a paragraph into utterances,
the unit the engine speaks and the audio steps shape (`split_utterances`: whatever a
paragraph's length, no step holds more than one utterance's audio), and a huge written
paragraph into several paragraphs, the unit of a worker's task (`split_paragraph`).

Cuts go at sentence ends; a sentence longer than the limit is cut at its last clause
boundary (comma, semicolon, colon, dash) before the limit, then at its last space, and
text with no space at all at the limit itself. Linear in the text's length.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

MAX_UTTERANCE_CHARS = 1200  # about a minute and a half of speech at 80 words a minute

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[-–—]+(?=\s)")


def split_utterances(text: str, limit: int = MAX_UTTERANCE_CHARS) -> list[str]:
    """Pieces of at most `limit` characters whose words, in order, are `text`'s words."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(text):
        if len(sentence) > limit:
            if current:
                pieces.append(current)
                current = ""
            *whole, rest = _cut_long(sentence, limit)
            pieces.extend(whole)
            sentence = rest
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


CUT_EVERY = 8  # a sentence end whose sentence hashes to 0 modulo this closes a piece
SHORTEST_PIECE = 8  # ... once the piece is at least 1/this of the limit


def split_paragraph(text: str, limit: int) -> list[str]:
    """`text` unchanged if it is at most `limit` characters long; else pieces of at most
    `limit` characters whose words, in order, are its words, cut at sentence ends (an
    over-long sentence as `split_utterances` cuts it).

    Where a piece ends depends on the sentences around the cut, not on where the
    paragraph starts: a piece closes after a sentence whose text hashes to a mark (one
    in CUT_EVERY), once it holds at least limit/SHORTEST_PIECE characters, or before a
    sentence that would take it past `limit`. So an edit to one sentence changes the
    piece it is in and seldom more: the cuts after it fall where they fell, and those
    pieces keep their audio. (Packing each piece as full as it goes, as
    `split_utterances` does, moves every later cut when one sentence grows by a word.)
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    shortest = limit // SHORTEST_PIECE
    for sentence in _sentences(text):
        for unit in _cut_long(sentence, limit) if len(sentence) > limit else [sentence]:
            if current and len(current) + 1 + len(unit) > limit:
                pieces.append(current)
                current = ""
            current = f"{current} {unit}" if current else unit
            if len(current) >= shortest and _marks_a_cut(unit):
                pieces.append(current)
                current = ""
    if current:
        pieces.append(current)
    return pieces


def _marks_a_cut(sentence: str) -> bool:
    """Whether a piece may close after `sentence`: the same in every process and run."""
    return zlib.crc32(sentence.encode("utf-8", "surrogatepass")) % CUT_EVERY == 0


def _sentences(text: str) -> Iterator[str]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentence = text[start : match.start()].strip()
        if sentence:
            yield sentence
        start = match.end()
    if sentence := text[start:].strip():
        yield sentence


def _cut_long(sentence: str, limit: int) -> list[str]:
    """Cut one over-long sentence; the last piece may be joined with what follows."""
    pieces: list[str] = []
    start = 0
    while len(sentence) - start > limit:
        end = start + limit
        cut = _last_clause_end(sentence, start, end)
        if cut is None:
            space = sentence.rfind(" ", start, end + 1)
            cut = space if space > start else end
        piece = sentence[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
        while start < len(sentence) and sentence[start].isspace():
            start += 1
    pieces.append(sentence[start:].strip())
    return [p for p in pieces if p] or [""]


def _last_clause_end(sentence: str, start: int, end: int) -> int | None:
    """Index just after the last clause mark in sentence[start:end], if it leaves a piece
    of at least half the limit (a clause cut right at the start would make tiny pieces)."""
    best = None
    for match in _CLAUSE_END.finditer(sentence, start + (end - start) // 2, end):
        best = match.end()
    return best
