"""The article's language from its text (or its page's lang), and the voice that reads it."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support.articles import TEXTS
from workers.config import Settings
from workers.pipeline.article import Article
from workers.pipeline.clean.language import declared_language, detect_language, voice_for
from workers.pipeline.speaking import spoken_paragraphs


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_the_language_is_told_from_a_short_text(language):
    assert detect_language(["Headline", TEXTS[language]]) == language


def test_the_text_decides_over_a_template_lang():
    assert detect_language([TEXTS["de"]], declared="en") == "de"


def test_too_little_text_falls_back_to_the_page_lang_or_nothing():
    assert detect_language(["Ja.", "Nein!"], declared="de") == "de"
    assert detect_language(["Ja.", "Nein!"]) is None


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<!doctype html><html lang="pt-BR"><head>', "pt"),
        ("<html class='x' lang='DE'>", "de"),
        ("<html xml:lang=fr lang=fr>", "fr"),
        ("<html><body lang='it'>", None),
    ],
)
def test_the_page_declares_its_language_on_the_html_element(html, language):
    assert declared_language(html) == language


@pytest.mark.parametrize(
    ("language", "default", "voice"),
    [
        ("de", "gmw/en", "gmw/de"),
        ("fr", "gmw/en", "roa/fr"),
        ("pt", "gmw/en", "roa/pt"),
        ("en", "gmw/en", "gmw/en"),  # English keeps the default, as before
        ("en", "gmw/en-US", "gmw/en-US"),  # and so does an operator's English voice
        (None, "gmw/en", "gmw/en"),
        ("xx", "gmw/en", "gmw/en"),  # no espeak-ng voice for it
        ("de", "gmw/de", "gmw/de"),  # a German deployment's own choice
    ],
)
def test_the_voice_follows_the_language_unless_the_default_speaks_it(language, default, voice):
    assert voice_for(language, default) == voice


def test_the_default_voice_is_one_the_table_knows_for_english():
    assert voice_for("en", Settings.from_env({}).voice) == "gmw/en"


def test_a_non_english_article_is_given_to_its_voice_as_written():
    paragraphs = ["Haushalt", "Die Stadt spart 20 Mio. Euro bis 2026."]
    german = spoken_paragraphs(Article(paragraphs[0], paragraphs, language="de"))
    assert german == [(p, p) for p in paragraphs]  # espeak-ng's German reads the numbers
    english = spoken_paragraphs(Article("Budget", ["Budget", "The city saves 20 euros."]))
    assert "twenty" in english[1][1]


def test_threads_meeting_the_first_submission_load_the_model_once(monkeypatch):
    """25 request threads of a fresh web process each loaded the model at once (a
    minute under load): one loads it and the others wait for it."""
    from py3langid import langid

    from workers.pipeline.clean import language

    loads = []

    def slow_load(*args, **kwargs):
        loads.append(threading.get_ident())
        time.sleep(0.2)  # long enough for every thread to arrive while it loads
        return object()

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", slow_load)
    language._load_identifier.cache_clear()
    try:
        start = threading.Barrier(8)

        def first_submission():
            start.wait()
            language._identifier()

        threads = [threading.Thread(target=first_submission) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        language._load_identifier.cache_clear()  # the real model next time
    assert len(loads) == 1
