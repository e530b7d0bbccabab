"""A real WordPress for the plugin's test: Debian's `wordpress` package copied into a
folder of the test's own, its own `mariadbd` (a fresh data directory, a unix socket and
a free port of 127.0.0.1; never the machine's MariaDB), PHP's built-in web server, and
integrations/wordpress/narrate installed and active."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.services import free_port
from tests.support.waits import wait_until

DEBIAN_WORDPRESS = Path("/usr/share/wordpress")
PLUGIN = ROOT / "integrations" / "wordpress" / "narrate"
SITE_FILES = Path(__file__).resolve().parent / "wordpress_site"
ADMIN_PASSWORD = "admin-test-password"
EDITOR_PASSWORD = "editor-test-password"


def _mariadbd() -> str:
    """mariadbd is in /usr/sbin, which is on root's PATH but often not on a user's."""
    return shutil.which("mariadbd") or "/usr/sbin/mariadbd"


def _root_flags() -> list[str]:
    """mariadbd refuses to run as root unless told to."""
    return ["--user=root"] if os.geteuid() == 0 else []


@contextmanager
def mariadb(folder: Path) -> Iterator[Path]:
    """A MariaDB server of this test's own; yields its unix socket, with database `wp`."""
    data, socket = folder / "data", folder / "mysql.sock"
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--skip-test-db",
         "--auth-root-authentication-method=normal", *_root_flags()],
        check=True, capture_output=True,
    )  # fmt: skip
    log = folder / "mariadb.log"
    process = subprocess.Popen(
        [_mariadbd(), "--no-defaults", f"--datadir={data}", f"--socket={socket}",
         f"--port={free_port()}", "--bind-address=127.0.0.1", f"--pid-file={folder / 'pid'}",
         f"--log-error={log}", "--skip-log-bin", "--skip-name-resolve",
         "--innodb-buffer-pool-size=32M", *_root_flags()],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        client = ["mariadb", "--no-defaults", f"--socket={socket}", "-uroot"]

        def up() -> bool:
            assert process.poll() is None, log.read_text()[-2000:]
            return subprocess.run([*client, "-e", "SELECT 1"], capture_output=True).returncode == 0

        wait_until(up, 60, "mariadbd did not start", interval=0.2)
        subprocess.run([*client, "-e", "CREATE DATABASE wp"], check=True)
        yield socket
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class WordPress:
    url: str
    root: Path

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as answer:
            return answer.read().decode()

    def php(self, code: str) -> str:
        """Runs PHP with WordPress loaded, as the site (for what a test reads back)."""
        script = f"require {str(self.root / 'wp-load.php')!r}; {code}"
        done = subprocess.run(["php", "-r", script], capture_output=True, text=True, check=True)
        return done.stdout


def _config(socket: Path, url: str) -> str:
    return f"""<?php
define( 'DB_NAME', 'wp' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:{socket}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
define( 'AUTH_KEY', 'test' ); define( 'SECURE_AUTH_KEY', 'test' );
define( 'LOGGED_IN_KEY', 'test' ); define( 'NONCE_KEY', 'test' );
define( 'AUTH_SALT', 'test' ); define( 'SECURE_AUTH_SALT', 'test' );
define( 'LOGGED_IN_SALT', 'test' ); define( 'NONCE_SALT', 'test' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', __DIR__ . '/debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) {{ define( 'ABSPATH', __DIR__ . '/' ); }}
require_once ABSPATH . 'wp-settings.php';
"""


@contextmanager
def wordpress(folder: Path, socket: Path) -> Iterator[WordPress]:
    """Debian's WordPress copied into `folder`, installed with the plugin active, served
    by `php -S` with a few workers (the block editor sends requests side by side, and
    WP-Cron's loopback request must not wait for the page that spawned it)."""
    root = folder / "wordpress"
    shutil.copytree(DEBIAN_WORDPRESS, root, symlinks=True)
    (root / ".htaccess").unlink(missing_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (root / "wp-config.php").write_text(_config(socket, url))
    shutil.copytree(SITE_FILES / "theme", root / "wp-content" / "themes" / "plain")
    os.symlink(PLUGIN, root / "wp-content" / "plugins" / "narrate")
    shutil.copy(SITE_FILES / "setup.php", root / "setup.php")
    subprocess.run(
        ["php", str(root / "setup.php"), ADMIN_PASSWORD, EDITOR_PASSWORD],
        check=True, capture_output=True, cwd=root,
    )  # fmt: skip
    log = folder / "php-server.log"
    server = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(root)],
        cwd=root, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    site = WordPress(url, root)
    try:
        wait_until(
            lambda: site.get("/wp-login.php"), 30, "php -S did not answer", ignoring=(OSError,)
        )
        yield site
    finally:
        server.terminate()
        server.wait(timeout=30)
