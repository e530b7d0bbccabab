"""One error hierarchy for everything Narrate reports to a user.

Every error carries a message that says what went wrong and, where the user can act,
what to change. The service maps these to HTTP problem documents in one place; the CLI
prints the message and exits non-zero.
"""

from __future__ import annotations


class NarrateError(Exception):
    """Base class. `title` is short and stable; the message is the human detail."""

    title = "Narrate error"
    status = 500

    @property
    def detail(self) -> str:
        return str(self)


class InvalidInput(NarrateError):
    title = "Invalid input"
    status = 400


class NoSpeakableText(InvalidInput):
    title = "No speakable text"
    status = 422


class ArticleTooLong(InvalidInput):
    title = "Article too long"
    status = 413


class Conflict(NarrateError):
    """The change meets a state it was not made for: another article holds the name, or
    another change came first. The message says what to fetch or change."""

    title = "Conflict"
    status = 409


class EngineUnavailable(NarrateError):
    title = "Speech engine unavailable"
    status = 503


class SynthesisFailed(NarrateError):
    title = "Synthesis failed"
    status = 500
