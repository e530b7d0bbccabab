from __future__ import annotations

import random

from tests.support.articles import NEWS
from workers.pipeline.speech.utterances import (
    MAX_UTTERANCE_CHARS,
    split_paragraph,
    split_utterances,
)


def test_run_on_text_without_punctuation_is_cut_between_words():
    words = [f"word{i % 97}" for i in range(40_000)]  # about 260 KB, not one full stop
    pieces = split_utterances(" ".join(words))
    assert all(len(piece) <= MAX_UTTERANCE_CHARS for piece in pieces)
    assert " ".join(pieces).split() == words
    assert len(pieces) <= len(" ".join(words)) / (MAX_UTTERANCE_CHARS - 10) + 1  # pieces are full


def test_an_over_long_sentence_is_cut_at_its_clause_marks_first():
    clause = "the committee heard evidence from residents about the plan"
    sentence = ", ".join([clause] * 40) + "."
    pieces = split_utterances(sentence, limit=200)
    assert all(len(piece) <= 200 for piece in pieces)
    assert all(piece.endswith(",") for piece in pieces[:-1])
    assert " ".join(pieces).split() == sentence.split()


def test_a_dash_is_a_clause_mark_too():
    clause = "the committee heard evidence from residents about the plan"
    sentence = " — ".join([clause] * 40)
    pieces = split_utterances(sentence, limit=200)
    assert all(piece.endswith("—") for piece in pieces[:-1])
    assert " ".join(pieces).split() == sentence.split()


def test_text_without_spaces_is_cut_at_the_limit():
    text = "x" * 5000
    pieces = split_utterances(text, limit=1200)
    assert [len(piece) for piece in pieces] == [1200, 1200, 1200, 1200, 200]
    assert "".join(pieces) == text


def test_short_sentences_are_packed_together_up_to_the_limit():
    sentences = [f"Sentence {i} is short." for i in range(200)]
    pieces = split_utterances(" ".join(sentences), limit=300)
    assert all(250 < len(piece) <= 300 for piece in pieces[:-1])
    assert all(piece.endswith(".") for piece in pieces)


# split_paragraph: a huge written paragraph as several paragraphs (workers/pipeline/speaking.py)

def _paragraph(count: int, seed: int = 7) -> list[str]:
    """`count` sentences of varied lengths, numbered so that no two are alike."""
    rng = random.Random(seed)
    return [f"{rng.choice(NEWS)[:-1]}, item {n}." for n in range(count)]


def test_a_paragraph_up_to_the_limit_is_left_whole():
    sentences = " ".join(_paragraph(40))
    at_limit = sentences[:2000].rstrip()
    assert split_paragraph(at_limit + "x" * (2000 - len(at_limit)), 2000) == [
        at_limit + "x" * (2000 - len(at_limit))
    ]
    assert split_paragraph("A short paragraph. Two sentences.", 2000) == [
        "A short paragraph. Two sentences."
    ]
    assert len(split_paragraph(at_limit + "x" * (2001 - len(at_limit)), 2000)) > 1


def test_a_long_paragraph_is_cut_at_sentence_ends_within_the_limit():
    text = "  ".join(_paragraph(400))  # about 25,000 characters, doubled spaces
    pieces = split_paragraph(text, 2000)
    assert len(pieces) >= len(text) // 2000
    assert all(len(piece) <= 2000 for piece in pieces)
    assert all(piece.endswith(".") and piece[0].isupper() for piece in pieces)
    assert " ".join(pieces).split() == text.split()  # the text again, but for spaces
    assert all(len(piece) >= 2000 // 8 for piece in pieces[:-1])  # no crumbs


def test_a_paragraph_without_sentence_ends_is_cut_between_words():
    words = [f"word{n}" for n in range(4000)]  # about 35,000 characters, no full stop
    pieces = split_paragraph(" ".join(words), 2000)
    assert len(pieces) > 1 and all(len(piece) <= 2000 for piece in pieces)
    assert [word for piece in pieces for word in piece.split()] == words  # none cut in two


def test_an_edited_sentence_changes_its_piece_and_seldom_more():
    """Cut positions follow the sentences, not the start: after an edit, later pieces
    are the same text, so their segments are reused. (Packing each piece full, as
    split_utterances does, made 8 of its 22 pieces new for one of these edits.)"""
    sentences = _paragraph(600)
    before = set(split_paragraph(" ".join(sentences), 2000))
    worst = 0
    for edited in range(0, 600, 25):
        changed = list(sentences)
        changed[edited] = changed[edited][:-1] + ", or so the council said."
        after = split_paragraph(" ".join(changed), 2000)
        worst = max(worst, len(set(after) - before))
    assert worst <= 3, worst
