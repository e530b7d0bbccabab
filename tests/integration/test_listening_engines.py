"""Both engines, heard by a real listener (Whisper tiny.en): the Piper voice through the
real API and a real worker on the seed, and both engines through `narrate convert` on
three corpus articles. Each result lands in tests/artifacts/listening-*.txt; the README's
table is copied from there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.decode import decode_mp3
from tests.support.listening import Hearing, hear
from tests.support.paths import SEED_EXPECTED
from tests.support.waits import wait_for
from workers.pipeline.engines.voices import BUNDLED_PIPER_VOICE

pytestmark = pytest.mark.integration

JOE = f"piper:{BUNDLED_PIPER_VOICE}"
ESPEAK = "espeak:gmw/en"
ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
CORPUS = ("04_bbc", "09_business", "15_wire_service")  # weather, money, a long wire story
SEED_TEXT = SEED_EXPECTED.with_name(SEED_EXPECTED.name.replace(".expected", ""))


def scores(heard: Hearing) -> str:
    return (
        f"WER {heard.wer:.3f}; insertions {heard.insertions}, deletions {heard.deletions}, "
        f"substitutions {heard.substitutions}"
    )


def record(artifacts: Path, name: str, heard: Hearing, bar: Hearing | None = None) -> None:
    line = scores(heard) + (f" (espeak-ng straight to WAV: {scores(bar)})" if bar else "")
    (artifacts / f"listening-{name}.txt").write_text(f"{line}\n\n{heard.transcript}\n")


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)  # the engine is the subject
def test_a_piper_submission_through_the_api_and_a_worker_is_heard_right(client, worker, artifacts):
    created = client.post(
        "/api/v1/articles", json={"text": SEED_TEXT.read_text(encoding="utf-8"), "voice": JOE}
    )
    assert created.status_code == 202, created.get_json()
    links = created.get_json()["links"]
    states = wait_for(client, links["self"], "done", timeout=300)
    assert states[-1]["voice"] == JOE

    mp3 = artifacts / "worker-seed-piper.mp3"
    mp3.write_bytes(client.get(links["audio"]).data)
    samples, rate, channels = decode_mp3(mp3)
    timings = client.get(links["timings"]).get_json()
    assert (rate, channels) == (22050, 1)
    assert len(samples) / rate * 1000 == pytest.approx(timings["duration_ms"], abs=150)

    heard = hear(mp3, SEED_EXPECTED.read_text(encoding="utf-8"))
    record(artifacts, "seed-piper", heard)
    assert heard.wer <= 0.08, heard.transcript  # raw Piper on the expected text: 0.088
    assert heard.insertions < 20, heard.transcript


@pytest.fixture(scope="module")
def bars(artifacts) -> dict[str, Hearing]:
    """espeak-ng (en-gb) speaking each expected text straight to WAV, as for the seed."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng must be installed (the set-up command installs it)"
    found = {}
    for name in CORPUS:
        wav = artifacts / f"{name}-baseline.wav"
        expected = ARTICLES / f"{name}.expected.txt"
        subprocess.run([espeak, "-v", "en-gb", "-w", str(wav), "-f", str(expected)], check=True)
        found[name] = hear(wav, expected.read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize("article", CORPUS)
@pytest.mark.parametrize("voice", [ESPEAK, JOE], ids=["espeak", "piper"])
def test_corpus_articles_are_heard_right_in_both_engines(voice, article, bars, artifacts):
    engine = voice.split(":")[0]
    out = artifacts / f"{article}-{engine}.mp3"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "service.cli", "convert"),
            str(ARTICLES / f"{article}.html"),
            *("-o", str(out), "--voice", voice),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    timings = json.loads(out.with_suffix(".timings.json").read_text(encoding="utf-8"))
    expected = (ARTICLES / f"{article}.expected.txt").read_text(encoding="utf-8")
    assert [p["text"] for p in timings["paragraphs"]] == expected.strip().split("\n\n")

    heard = hear(out, expected)
    record(artifacts, f"{article}-{engine}", heard, bars[article])
    bar = bars[article]
    # The written text has digits and symbols ("33%", "£20m") that a listener hears as
    # words, so the bar is the same text spoken by espeak-ng, heard the same way.
    # Whisper's transcript of espeak-ng swings by a tenth on audio that differs by a few
    # milliseconds of trimming: 15_wire_service through two builds whose MP3s are 1:35.5
    # and 1:35.6 long, at the same loudness, scored 0.150 and 0.256 (2026-12-01). The
    # seed's stricter check is test_convert_seed.py; here espeak-ng gets that much room.
    tolerance = 0.12 if engine == "espeak" else 0.05
    assert heard.wer <= bar.wer + tolerance, heard.transcript
    # Nothing extra is read (a junk line inserts 10 or more words); reading symbols right
    # inserts a few ("100mph" is heard as "100 miles per hour", two more words).
    assert heard.insertions <= bar.insertions + 8, heard.transcript
