"""Piper voices on disk as its downloader writes them."""

from __future__ import annotations

import json
from pathlib import Path


def piper_pair(directory: Path, name: str, rate: int = 16000, config_suffix=".onnx.json") -> Path:
    """A voice's two files as Piper's downloader writes them (the model is not read here)."""
    directory.mkdir(parents=True, exist_ok=True)
    model = directory / f"{name}.onnx"
    model.write_bytes(b"not loaded by these tests")
    config = {
        "audio": {"sample_rate": rate, "quality": "low"},
        "language": {
            "code": "en_GB",
            "name_english": "English",
            "country_english": "Great Britain",
        },
        "espeak": {"voice": "en-gb"},
    }
    (directory / f"{name}{config_suffix}").write_text(json.dumps(config))
    return model
