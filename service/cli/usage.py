"""What every `narrate` subcommand shares about its arguments: the usage error and
argument types that say what to change."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from workers.pipeline.errors import NarrateError


class UsageError(NarrateError):
    title = "Bad command-line input"
    status = 400


def positive_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in low..high."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is outside {low}..{high}")
        return number

    return parse
