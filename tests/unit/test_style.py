"""Which house style an article is said in (workers.pipeline.speaking.style_for), set per
deployment (NARRATE_STYLE) and on the command line (`--style`)."""

from __future__ import annotations

import pytest

from tests.support.cli import narrate
from workers.config import ConfigurationError, Settings
from workers.pipeline.article import Article
from workers.pipeline.speaking import spoken_paragraphs, style_for, voice_style

JOE = "piper:en_US-joe-medium"
TEXT = "Markets\n\nOn July 4, 1976, shares rose $1.52, or 0.5%, to 105."
BRITISH = (
    "On July the fourth, nineteen seventy-six, shares rose one dollar fifty-two, or "
    "nought point five per cent, to one hundred and five."
)
AMERICAN = (
    "On July fourth, nineteen seventy-six, shares rose a dollar fifty-two, or "
    "zero point five percent, to one hundred five."
)


@pytest.mark.parametrize(
    ("voice", "style"),
    [
        (JOE, "en-US"),
        ("piper:en_GB-alan-low", "en-GB"),
        ("espeak:en-us", "en-US"),
        ("en-gb", "en-GB"),
        ("gmw/en-US", "en-US"),
        ("espeak:gmw/en-GB-x-rp", "en-GB"),
        ("piper:/srv/voices/en_US-amy-low.onnx", "en-US"),
        ("gmw/en", None),
        ("espeak:roa/fr", None),
        ("piper:den_USE", None),  # only a whole "en_US" names a locale
    ],
)
def test_the_voice_names_its_locale(voice, style):
    assert voice_style(voice) == style


def test_the_article_then_the_collection_then_the_voice_then_the_deployment():
    assert style_for("gmw/en") == "en-GB"
    assert style_for("gmw/en", deployment="en-US") == "en-US"
    assert style_for("en-gb", deployment="en-US") == "en-GB"  # the voice's locale first
    assert style_for(JOE, deployment="en-GB") == "en-US"
    assert style_for(JOE, collection="en-GB") == "en-GB"
    assert style_for("en-gb", article="en-US", collection="en-GB") == "en-US"
    assert style_for("gmw/en", article="en_us") == "en-US"  # spelled any way
    with pytest.raises(ValueError, match="use one of en-GB, en-US"):
        style_for("gmw/en", article="fr-FR")


def test_the_paragraphs_are_said_in_the_style_given():
    article = Article("Markets", TEXT.split("\n\n"))
    assert spoken_paragraphs(article)[1][1] == BRITISH
    assert spoken_paragraphs(article, style="en-US")[1][1] == AMERICAN


def test_narrate_style_is_read_checked_and_defaults_to_british():
    assert Settings.from_env({}).style == "en-GB"
    assert Settings.from_env({"NARRATE_STYLE": "en-us"}).style == "en-US"
    with pytest.raises(ConfigurationError, match="NARRATE_STYLE: unknown style 'us'"):
        Settings.from_env({"NARRATE_STYLE": "us"})


def test_clean_spoken_takes_the_style_else_the_voice_else_narrate_style():
    def said(*options: str, **env: str) -> str:
        result = narrate("clean", "-", "--spoken", *options, stdin=TEXT, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().split("\n\n")[1]

    assert said() == BRITISH
    assert said("--style", "en-US") == AMERICAN
    assert said(NARRATE_VOICE=JOE) == AMERICAN
    assert said("--style", "en-GB", NARRATE_VOICE=JOE) == BRITISH
    assert said(NARRATE_STYLE="en-US") == AMERICAN


def test_a_style_neither_locale_is_refused_on_the_command_line():
    result = narrate("clean", "-", "--spoken", "--style", "en-AU", stdin=TEXT)
    assert result.returncode == 2
    assert "unknown style 'en-AU': use one of en-GB, en-US" in result.stderr
    without = narrate("clean", "-", "--style", "en-US", stdin=TEXT)
    assert (without.returncode, without.stderr.strip()) == (
        2,
        "narrate: error: --style says how the text is spoken: use it with --spoken",
    )


def test_check_takes_the_style():
    result = narrate("check", "-", "--style", "en-US", "--json", stdin=TEXT)
    assert result.returncode == 0, result.stderr
    refused = narrate("check", "-", "--style", "british", stdin=TEXT)
    assert refused.returncode == 2 and "unknown style 'british'" in refused.stderr
