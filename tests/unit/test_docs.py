"""The docs stay honest where that is cheap to check: every environment variable the code
reads is named on the operators' configuration page, and the README stays a short start
with exactly two set-up commands at its top, linking only to docs that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG_PAGE = ROOT / "docs" / "operators" / "configuration.md"
README = ROOT / "README.md"
README_MAX_LINES = 200
_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")


def _constant(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _NAME.match(node.value):
        return node.value
    return None


def _is_env(node: ast.AST) -> bool:
    """`env` (how workers/config.py passes the environment around) or `os.environ`."""
    if isinstance(node, ast.Name):
        return node.id == "env"
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def env_vars_read(source: str) -> set[str]:
    """Names a module reads from the environment: `env.get("X")`, `env["X"]`,
    `"X" in os.environ`, and helpers called as `_int(env, "X", ...)`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        found: str | None = None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "get" and _is_env(func.value):
                found = _constant(node.args[0]) if node.args else None
            elif len(node.args) >= 2 and _is_env(node.args[0]):
                found = _constant(node.args[1])
        elif isinstance(node, ast.Subscript) and _is_env(node.value):
            found = _constant(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_env(c) for c in node.comparators):
            found = _constant(node.left)
        if found:
            names.add(found)
    return names


def code_env_vars() -> set[str]:
    """What workers/config.py (Settings.from_env) reads, and any other module of the
    service or the workers that reads the environment itself."""
    names: set[str] = set()
    for folder in ("service", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= env_vars_read(path.read_text(encoding="utf-8"))
    return names


def test_the_collector_finds_every_way_config_reads_a_variable():
    source = (
        "import os\n"
        "def from_env(env):\n"
        "    a = env.get('NARRATE_A') or 1\n"
        "    b = _int(env, 'NARRATE_B', 3, minimum=1)\n"
        "    c = env['NARRATE_C']\n"
        "    d = 'NARRATE_D' in os.environ\n"
        "    e = os.environ.get('NARRATE_E')\n"
        "    f = settings.get('not_env')\n"
    )
    assert env_vars_read(source) == {f"NARRATE_{x}" for x in "ABCDE"}


def test_config_reads_the_settings_we_know_of():
    names = code_env_vars()
    # a sample of each kind, so a broken collector cannot pass the next test vacuously
    assert {"NARRATE_DATA_DIR", "NARRATE_STALL_S", "DATABASE_URL", "REDIS_URL"} <= names
    assert {"NARRATE_STORAGE", "NARRATE_LIMIT_READS", "NARRATE_WEBHOOK_ALLOW_PRIVATE"} <= names
    assert "PROMETHEUS_MULTIPROC_DIR" in names


def test_every_environment_variable_is_on_the_configuration_page():
    page = CONFIG_PAGE.read_text(encoding="utf-8")
    missing = sorted(
        name
        for name in code_env_vars()
        if not re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", page)
    )
    assert not missing, (
        f"document {', '.join(missing)} in {CONFIG_PAGE.relative_to(ROOT)} "
        "(default and meaning), where operators look for every setting"
    )


def _setup_block(readme: str) -> list[str]:
    """The command lines of the README's first code block, which must come before its
    first section heading."""
    match = re.search(r"^```[a-z]*\n(.*?)^```", readme, re.M | re.S)
    assert match, "the README has no code block"
    heading = re.search(r"^## ", readme, re.M)
    assert heading is None or match.start() < heading.start(), (
        "the set-up commands must come before the README's first section"
    )
    return [
        line
        for line in match.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it at {README_MAX_LINES} or fewer "
        "and move detail into docs/"
    )


def test_readme_starts_with_exactly_two_setup_commands_that_exist():
    commands = _setup_block(README.read_text(encoding="utf-8"))
    assert len(commands) == 2, f"expected two set-up commands at the top, got {commands}"
    assert commands[0].endswith("narrate serve"), commands[0]
    for command in commands:
        assert command.startswith("bash .ci/setup"), command
        for script in re.findall(r"\.ci/[\w.-]+", command):
            assert (ROOT / script).is_file(), f"{command!r} runs {script}, which is missing"


def test_readme_links_into_docs_exist():
    readme = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((docs/[^)#\s]+)", readme)
    assert targets, "the README should say where to read on (links into docs/)"
    missing = sorted({t for t in targets if not (ROOT / t).is_file()})
    assert not missing, f"README.md links to missing pages: {missing}"


def test_the_readmes_table_of_house_styles_is_what_the_code_says():
    from workers.pipeline.speech import to_spoken

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("| written | en-GB | en-US |", 1)[1].splitlines()[2:]
    table = [line.strip() for line in after]
    table = table[: next(i for i, line in enumerate(table) if not line.startswith("|"))]
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table]
    assert len(rows) >= 10
    for written, british, american in rows:
        said = {style: to_spoken(written, style) for style in ("en-GB", "en-US")}
        assert said["en-GB"].lower() == british.lower(), (written, said)
        expected = british if american == "(the same)" else american
        assert said["en-US"].lower() == expected.lower(), (written, said)
