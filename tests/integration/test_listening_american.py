"""An AP-style article (US dates, money, numbers, percent, a time zone) read by the en_US
Piper voice, as a US newsreader says it: `narrate convert --voice piper:en_US-…` says it
in American house style because of the voice's locale (no --style given), and Whisper
tiny.en hears it right. The result lands in tests/artifacts/listening-ap-style-piper.txt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.listening import hear
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.engines.voices import BUNDLED_PIPER_VOICE
from workers.pipeline.speaking import speak, style_for

pytestmark = pytest.mark.integration

JOE = f"piper:{BUNDLED_PIPER_VOICE}"
LISTENING = Path(__file__).resolve().parent.parent / "data" / "listening"
ARTICLE = LISTENING / "ap_style.txt"
# What a US newsreader says, paragraph by paragraph ("July twenty twenty-one", "a dollar
# fifty-two a share", "two thirty PM Eastern time", "one hundred five planes").
EXPECTED = LISTENING / "ap_style.expected.txt"


def test_the_en_us_voice_says_an_ap_story_in_american_style(tmp_path):
    article = clean(ARTICLE.read_text(encoding="utf-8"), filename=ARTICLE.name)
    style = style_for(JOE)
    said = speak(article, JOE, tmp_path / "no-lexicon.tsv", None, style=style).paragraphs
    assert style == "en-US"
    expected = EXPECTED.read_text(encoding="utf-8").strip()
    assert "\n\n".join(spoken for _, spoken in said) == expected


def test_an_ap_story_read_by_the_en_us_piper_voice_is_heard_right(tmp_path, artifacts):
    out = tmp_path / "ap.mp3"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "service.cli", "convert", str(ARTICLE)),
            *("-o", str(out), "--voice", JOE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    heard = hear(out, EXPECTED.read_text(encoding="utf-8"), style="en-US")
    (artifacts / "listening-ap-style-piper.txt").write_text(
        f"WER {heard.wer:.3f}; insertions {heard.insertions}, deletions {heard.deletions}, "
        f"substitutions {heard.substitutions}\n\n{heard.transcript}\n"
    )
    assert heard.wer <= 0.08, heard.transcript
    assert heard.insertions < 10, heard.transcript
