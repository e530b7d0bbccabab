"""A paragraph is a worker's unit of work: one longer than MAX_PARAGRAPH_CHARS is read as
several, cut at sentence ends, its words kept in order."""

from __future__ import annotations

import pytest

from workers.catalog.content import VoiceOptions, paragraph_values
from workers.pipeline.article import Article, Continued, Removed
from workers.pipeline.clean.revise import apply_edits
from workers.pipeline.errors import NoSpeakableText
from workers.pipeline.speaking import (
    MAX_PARAGRAPH_CHARS,
    as_read,
    first_said,
    speak,
    speaker_for,
    spoken_paragraphs,
    written_paragraphs,
)

SENTENCE = "The council met on Tuesday and agreed the budget for the coming year. "


def _article(*paragraphs: str) -> Article:
    return Article(title=paragraphs[0], paragraphs=list(paragraphs))


def test_a_huge_paragraph_is_read_as_several_of_bounded_length():
    huge = (SENTENCE * 500).strip()  # 35,000 characters on one line
    pairs = spoken_paragraphs(_article("Title", huge))
    written = [text for text, _ in pairs[1:]]
    assert len(written) >= len(huge) // MAX_PARAGRAPH_CHARS
    assert all(len(text) <= MAX_PARAGRAPH_CHARS for text in written)
    assert " ".join(written).split() == huge.split()
    assert all(text.endswith("year.") for text in written)  # cut at sentence ends


def test_a_paragraph_within_the_bound_stays_whole():
    long = (SENTENCE * (MAX_PARAGRAPH_CHARS // len(SENTENCE))).strip()
    assert len(long) <= MAX_PARAGRAPH_CHARS
    pairs = spoken_paragraphs(_article("Title", long, "Short one."))
    assert [text for text, _ in pairs] == ["Title", long, "Short one."]


def test_a_sentence_with_no_end_is_cut_between_words():
    words = " ".join(f"word{n}" for n in range(3000))  # 23,890 characters, no full stop
    pairs = spoken_paragraphs(_article("Title", words))
    assert len(pairs) > 2
    assert " ".join(text for text, _ in pairs[1:]).split() == words.split()


def test_the_worker_s_first_paragraph_and_the_rest_say_what_speak_says(tmp_path):
    article = _article("—", "£20m for No. 10 in the 1990s.", "—", "It rose 5% on 15/02/2023.", "#")
    voice, lexicon = "espeak-ng:en-gb", tmp_path / "none.tsv"
    speaker = speaker_for(voice, lexicon, None, article.language, style="en-GB")
    first, rest = first_said(written_paragraphs(article), speaker)
    assert first[0] == "£20m for No. 10 in the 1990s."  # the dash before it has nothing to say
    assert rest == ["—", "It rose 5% on 15/02/2023.", "#"]  # written, as stored for later
    whole = speak(article, voice, lexicon, None, style="en-GB").paragraphs
    assert [first, *speaker.say(rest)] == whole == spoken_paragraphs(article)
    assert first[1].startswith("Twenty million pounds") and len(whole) == 2
    american = speaker_for(voice, lexicon, None, None, style="en-US")
    first, rest = first_said(written_paragraphs(article), american)
    said = [first, *american.say(rest)]
    assert said == speak(article, voice, lexicon, None, style="en-US").paragraphs
    assert "five percent" in said[1][1] and "five per cent" in whole[1][1]


def test_nothing_to_say_at_all_is_refused_by_the_first_paragraph_too(tmp_path):
    speaker = speaker_for(
        "piper:en_US-joe-medium", tmp_path / "none.tsv", None, None, style="en-US"
    )
    with pytest.raises(NoSpeakableText):
        first_said(["—", "#", "..."], speaker)


def test_the_pieces_after_the_first_continue_it_and_keep_the_mark_through_an_edit():
    huge = (SENTENCE * 100).strip()  # 7,000 characters
    written = written_paragraphs(_article("Title", huge, "Short one."))
    assert [type(text) for text in written[:2]] == [str, str]  # the title, the first piece
    assert all(isinstance(text, Continued) for text in written[2:-1])
    assert type(written[-1]) is str and len(written) > 4
    # an edit says the stored pieces again (service/web/edits.py): they stay pieces
    again = written_paragraphs(_article(*written))
    assert again == written and [type(t) for t in again] == [type(t) for t in written]
    said = spoken_paragraphs(_article(*written))
    assert [isinstance(text, Continued) for text, _ in said] == [
        isinstance(text, Continued) for text in written
    ]
    rows = paragraph_values(said, VoiceOptions("espeak-ng:en-gb", 160, 64))
    assert [row["continues"] for row in rows] == [isinstance(t, Continued) for t in written]


def test_a_line_removed_after_a_huge_paragraph_comes_back_after_its_last_piece():
    huge = (SENTENCE * 100).strip()
    article = Article(
        title="Title",
        paragraphs=["Title", huge, "Last one."],
        removed=[Removed("Advertisement", "junk", 2), Removed("By A. Writer", "byline", 1)],
    )
    read = as_read(article)
    assert read.paragraphs == written_paragraphs(article)
    pieces = len(read.paragraphs) - 2
    assert pieces > 2
    assert [r.position for r in read.removed] == [1 + pieces, 1]  # counted in pieces
    kept = apply_edits(read, keep=[0], drop=[])  # an editor reads the line after all
    assert kept.paragraphs[pieces] == read.paragraphs[pieces]  # the last piece, then
    assert kept.paragraphs[1 + pieces :] == ["Advertisement", "Last one."]
    assert as_read(_article("Title", "Short.")) == _article("Title", "Short.")


def test_a_piece_whose_line_before_is_skipped_starts_a_paragraph_of_its_own():
    read = as_read(_article("Title", (SENTENCE * 100).strip(), "Last one."))
    assert isinstance(read.paragraphs[2], Continued) and isinstance(read.paragraphs[3], Continued)
    edited = apply_edits(read, keep=[], drop=[1])  # the first piece skipped
    assert edited.paragraphs == [read.paragraphs[0], *read.paragraphs[2:]]
    assert type(edited.paragraphs[1]) is str  # after the title's pause, not a sentence's
    assert isinstance(edited.paragraphs[2], Continued)  # the rest still go on from it
