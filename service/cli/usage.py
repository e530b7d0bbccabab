"""What every `narrate` subcommand shares about its arguments: the usage error and
argument types that say what to change."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from service.intake.sanitize import whole_number
from workers.pipeline.errors import NarrateError


class UsageError(NarrateError):
    title = "Bad command-line input"
    status = 400


def positive_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in low..high."""

    def parse(value: str) -> int:
        number = whole_number(value, low, high)
        if number is None:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number in {low}..{high}")
        return number

    return parse
