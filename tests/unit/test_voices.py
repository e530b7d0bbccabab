"""Voice names, the Piper voice catalogue and the engine a name picks (nothing is loaded)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest

from tests.support.audio import tone
from tests.support.decode import decode_mp3
from tests.support.voices import piper_pair
from workers.config import ConfigurationError, Settings
from workers.pipeline.audio.segments import encode_mp3
from workers.pipeline.audio.shape import Tags, shape_clip
from workers.pipeline.engines.factory import synthesizer_for_voice
from workers.pipeline.engines.pace import length_scale_for
from workers.pipeline.engines.piper import PiperSynthesizer, utterances_at_once
from workers.pipeline.engines.synth import Clip, Pyttsx3Synthesizer
from workers.pipeline.engines.voices import (
    BUNDLED_PIPER_VOICE,
    check_requested_voice,
    find_piper_voice,
    installed_voices,
    parse_voice,
    piper_voices,
)
from workers.pipeline.errors import InvalidInput

JOE = f"piper:{BUNDLED_PIPER_VOICE}"


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("gmw/en", ("espeak", "gmw/en")),
        ("en-gb", ("espeak", "en-gb")),
        ("espeak:gmw/en-us", ("espeak", "gmw/en-us")),
        ("piper:en_US-joe-medium", ("piper", "en_US-joe-medium")),
        ("piper:/srv/voices/x.onnx", ("piper", "/srv/voices/x.onnx")),
    ],
)
def test_voice_names_say_their_engine_and_old_names_are_espeak(name, parsed):
    assert parse_voice(name) == parsed


@pytest.mark.parametrize(
    ("name", "says"),
    [("festival:kal", "names no known engine"), ("piper:", "has no voice after 'piper:'")],
)
def test_a_bad_voice_name_says_what_to_write(name, says):
    with pytest.raises(InvalidInput, match=says):
        parse_voice(name)


def test_the_bundled_voice_is_installed_with_its_files():
    voice = piper_voices()[BUNDLED_PIPER_VOICE]
    assert voice.model.is_file() and voice.model.suffix == ".onnx"
    assert voice.read_config()["audio"]["sample_rate"] == 22050


def test_a_voice_directory_adds_voices_by_file_name(tmp_path):
    piper_pair(tmp_path, "en_GB-alan-low")
    piper_pair(tmp_path, "en_GB-other-low", config_suffix=".json")
    (tmp_path / "orphan.onnx").write_bytes(b"no config beside it")
    found = piper_voices([tmp_path])
    assert {"en_GB-alan-low", "en_GB-other-low", BUNDLED_PIPER_VOICE} <= set(found)
    assert "orphan" not in found
    assert find_piper_voice("en_GB-alan-low", [tmp_path]).model == tmp_path / "en_GB-alan-low.onnx"


def test_a_voice_given_by_path_needs_its_config_beside_it(tmp_path):
    model = piper_pair(tmp_path, "mine")
    assert find_piper_voice(str(model)).config == tmp_path / "mine.onnx.json"
    (tmp_path / "mine.onnx.json").unlink()
    with pytest.raises(InvalidInput, match=r"config beside it \(mine\.onnx\.json\)"):
        find_piper_voice(str(model))


def test_an_unknown_piper_voice_lists_the_installed_ones(tmp_path):
    piper_pair(tmp_path, "en_GB-alan-low")
    with pytest.raises(InvalidInput, match="piper:en_GB-alan-low, piper:en_US-joe-medium"):
        find_piper_voice("en_US-nobody-high", [tmp_path])


def test_submissions_name_installed_voices_and_never_paths(tmp_path):
    model = piper_pair(tmp_path, "en_GB-alan-low")
    check_requested_voice("piper:en_GB-alan-low", [tmp_path])
    check_requested_voice("espeak:anything")  # espeak-ng's engine judges its own ids
    with pytest.raises(InvalidInput, match="is a path"):
        check_requested_voice(f"piper:{model}", [tmp_path])
    with pytest.raises(InvalidInput, match="unknown Piper voice"):
        check_requested_voice("piper:en_GB-alan-low")  # not in the default places


def test_the_catalogue_lists_piper_voices_with_language_and_sample_rate(tmp_path):
    piper_pair(tmp_path, "en_GB-alan-low", rate=16000)
    listed = {v.name: v for v in installed_voices([tmp_path])}
    alan = listed["piper:en_GB-alan-low"]
    assert (alan.engine, alan.language, alan.sample_rate) == ("piper", "en-GB", 16000)
    assert alan.label == "Alan (English, Great Britain) Piper low"
    assert listed[f"piper:{BUNDLED_PIPER_VOICE}"].sample_rate == 22050
    espeak = listed["espeak:gmw/en"]  # what the engine itself reports, listed in a child
    assert (espeak.engine, espeak.language, espeak.sample_rate) == ("espeak", "en-gb", 22050)


def test_the_voice_name_picks_the_engine(tmp_path):
    for name in ("gmw/en", "espeak:gmw/en"):
        synthesizer = synthesizer_for_voice(name, 175)
        assert isinstance(synthesizer, Pyttsx3Synthesizer)
        assert synthesizer._command()[-2:] == ["gmw/en", "175"]
        synthesizer.close()
    piper = synthesizer_for_voice(f"piper:{BUNDLED_PIPER_VOICE}", 350)
    assert isinstance(piper, PiperSynthesizer)
    assert piper._command()[2:4] == ["workers.pipeline.engines.piper_child", str(piper.files.model)]
    # its length scale, then how many utterances it speaks at a time
    assert piper._command()[-2:] == ["0.5000", str(utterances_at_once())]
    assert piper.lookahead == utterances_at_once() + 1
    assert piper._child is None  # nothing started until the first utterance
    piper.close()


def test_rate_stretches_piper_in_proportion():
    assert length_scale_for(175) == 1.0
    assert length_scale_for(350) == 0.5
    assert length_scale_for(140) == pytest.approx(1.25)


def test_voice_per_submission_then_collection_then_deployment(tmp_path):
    settings = Settings.from_env(
        {
            "NARRATE_DATA_DIR": str(tmp_path),
            "NARRATE_VOICE": "piper:en_US-joe-medium",
            "NARRATE_COLLECTION_VOICES": "sport = espeak:en-gb, opinion=gmw/en-us",
        }
    )
    assert settings.collection_voices == {"sport": "espeak:en-gb", "opinion": "gmw/en-us"}
    assert settings.voice_for("sport", "espeak:gmw/en-gb-x-rp") == "espeak:gmw/en-gb-x-rp"
    assert settings.voice_for("sport") == "espeak:en-gb"
    assert settings.voice_for("news") == "piper:en_US-joe-medium"
    assert settings.piper_voice_dirs == (tmp_path / "voices",)


def test_collection_voices_that_do_not_parse_say_what_they_take():
    with pytest.raises(ConfigurationError, match="collection=voice, got 'sport'"):
        Settings.from_env({"NARRATE_COLLECTION_VOICES": "sport"})


def test_clips_at_another_rate_are_stitched_at_the_pipeline_rate(tmp_path):
    """A 16 kHz Piper voice beside 22.05 kHz speech: one MP3, timings still true."""
    low, medium = Clip(tone(1.0, rate=16000), 16000), Clip(tone(2.0), 22050)
    out = tmp_path / "mixed.mp3"
    encoded = encode_mp3(
        [("low", shape_clip(low)), ("medium", shape_clip(medium))], out, tags=Tags("Mixed")
    )
    samples, rate, _ = decode_mp3(out)
    assert rate == 22050
    assert len(samples) / rate * 1000 == pytest.approx(encoded.duration_ms, abs=150)
    first, second = encoded.timings
    assert first.end_ms - first.start_ms == pytest.approx(1000, abs=40)
    assert second.end_ms - second.start_ms == pytest.approx(2000, abs=40)


class Recorded:
    def __init__(self, voice: str, rate: int, **options) -> None:
        self.voice, self.rate, self.options, self.closed = voice, rate, options, False

    def at_rate(self, rate: int) -> Recorded:
        self.rate = rate
        return self

    def synthesize_many(self, texts: Iterable[str]) -> Iterator[Clip]:
        for _ in texts:
            yield Clip(bytes(2), 22050)

    def close(self) -> None:
        self.closed = True


def test_a_worker_process_keeps_one_engine_per_voice_and_closes_the_least_recently_used(
    monkeypatch,
):
    from workers.runtime import tasks

    made: list[Recorded] = []

    def record(voice: str, rate: int, **options) -> Recorded:
        made.append(Recorded(voice, rate, **options))
        return made[-1]

    monkeypatch.setattr(tasks, "synthesizer_for_voice", record)
    monkeypatch.setattr(tasks, "_pool", [])
    settings = Settings.from_env({"HOME": "/tmp", "NARRATE_ENGINE_IDLE_S": "600"})
    synthesizer_for = tasks.synthesizers(settings)

    def speak(voice: str, rate: int = 175) -> None:
        assert len(list(synthesizer_for(voice, rate).synthesize_many(["Hello."]))) == 1

    for voice in (JOE, "gmw/en", "en-us", JOE):
        speak(voice)  # loaded once, used again
    speak(JOE, 263)  # another rate: the same engine, at that rate
    joe, british, american = made
    assert joe.rate == 263
    speak("en-gb-x-rp")  # British was used least lately
    assert british.closed and not (joe.closed or american.closed or made[3].closed)
    assert joe.options["piper_voice_dirs"] == settings.piper_voice_dirs
    speak("gmw/en")  # started again when needed
    assert made[-1].voice == "gmw/en" and made[-1] is not british
    assert tasks._pool[0].idle_s == 600 and tasks._pool[0].live() == 3
    tasks._close_synthesizers()
    assert all(engine.closed for engine in made)
