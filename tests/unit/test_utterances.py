from __future__ import annotations

from workers.pipeline.speech.utterances import MAX_UTTERANCE_CHARS, split_utterances


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
