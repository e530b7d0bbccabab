"""The WordPress plugin's files as wordpress.org asks: every PHP file passes `php -l`
(PHP from Debian's php-cli, installed by `.ci/setup test`), each can only run inside
WordPress, and the header and readme.txt agree on the version and the licence."""

from __future__ import annotations

import re
import subprocess

from tests.support.wordpress import PLUGIN, SITE_FILES

PHP_FILES = sorted(PLUGIN.rglob("*.php")) + sorted(SITE_FILES.rglob("*.php"))


def test_every_php_file_passes_php_lint():
    assert len(PHP_FILES) >= 11
    for path in PHP_FILES:
        done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, f"{path}: {done.stdout}{done.stderr}"


def test_the_plugins_files_do_nothing_when_loaded_outside_wordpress():
    for path in sorted(PLUGIN.rglob("*.php")):
        text = path.read_text(encoding="utf-8")
        guarded = "defined( 'ABSPATH' )" in text or "defined( 'WP_UNINSTALL_PLUGIN' )" in text
        assert guarded or path.name.endswith(".asset.php"), path


def test_header_and_readme_agree_on_version_and_licence():
    header = (PLUGIN / "narrate.php").read_text(encoding="utf-8")
    readme = (PLUGIN / "readme.txt").read_text(encoding="utf-8")
    version = re.search(r"^ \* Version:\s+(\S+)", header, re.M).group(1)
    assert re.search(rf"^Stable tag: {re.escape(version)}$", readme, re.M)
    assert f"define( 'NARRATE_VERSION', '{version}' );" in header
    assert re.search(r"^ \* License:\s+GPL-2.0-or-later$", header, re.M)
    assert re.search(r"^License: GPLv2 or later$", readme, re.M)
    assert re.search(r"^ \* Text Domain:\s+narrate$", header, re.M)
