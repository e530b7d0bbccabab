"""embed.js as served: its parts joined inside one function, whole-line comments left out."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from service.web.assets import StaticScript, code_only


def test_whole_line_comments_are_left_out_and_code_is_kept() -> None:
    source = (
        "/* A block\n"
        " * of two lines. */\n"
        "const a = 1; // kept: the line has code\n"
        "  // a line comment\n"
        "/* one line */\n"
        "/* not alone */ const b = 2;\n"
        'const url = "https://example.com/"; /* trailing */\n'
    )
    assert code_only(source) == (
        "const a = 1; // kept: the line has code\n"
        "/* not alone */ const b = 2;\n"
        'const url = "https://example.com/"; /* trailing */\n'
    )


def test_parts_are_served_as_one_function_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.js", tmp_path / "b.js"
    first.write_text("// first\nconst a = 1;\n", encoding="utf-8")
    second.write_text("const b = a + 1;\n", encoding="utf-8")
    script = StaticScript((first, second))
    raw, compressed, version = script._load()
    assert raw == b'(() => {\n"use strict";\nconst a = 1;\nconst b = a + 1;\n})();\n'
    assert gzip.decompress(compressed) == raw
    second.write_text("const b = a + 2;\n", encoding="utf-8")  # an edit: served without a restart
    os.utime(second, ns=(0, second.stat().st_mtime_ns + 1_000_000))  # whatever the clock's grain
    assert script.version() != version
