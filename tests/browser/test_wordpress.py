"""The WordPress plugin (integrations/wordpress/narrate) in a real WordPress: Debian's
package on its own MariaDB, served by PHP, driven in Chromium against a Narrate web
server and a real worker. An administrator sets the plugin up, an editor saves a draft
(sent as private, in the settings' voice) and publishes it, the audio plays on the post;
an edit is a new revision, sent from WP-Cron while the save returns at once even though
Narrate is slow; a pasted article URL embeds its player; with published posts set to
unlisted, publishing again makes the audio unlisted; switching the post to draft and
trashing it hide its audio from anonymous readers."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.keys import bearer
from tests.support.pages import PLAYER, publisher_page
from tests.support.services import own_folder
from tests.support.settings import settings_for
from tests.support.tcp_proxy import TcpProxy
from tests.support.waits import wait_until
from tests.support.wordpress import (
    ADMIN_PASSWORD,
    EDITOR_PASSWORD,
    PLUGIN,
    WordPress,
    mariadb,
    wordpress,
)
from workers.config import Settings

TOKEN = "wordpress-test-key"
SECRET = "wordpress-webhook-secret-%41<&"  # "%41" and "<" are kept, not sanitised away
VOICE = "en-us"  # the settings' default voice; Narrate's own default is gmw/en
SLOW_S = 3.0  # how long Narrate takes to hear of each request while it is slow


@pytest.fixture
def settings(tmp_path: Path, broker, redis_url: str) -> Settings:
    """A guarded Narrate (a key is needed to write) whose webhooks may reach loopback."""
    return settings_for(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'narrate.db'}",
        redis_url,
        api_tokens=(TOKEN,),
        webhook_secret=SECRET,
        webhook_allow_private=True,
    )


@pytest.fixture
def site() -> Iterator[WordPress]:
    with (
        own_folder("narrate-wp-") as folder,
        mariadb(folder) as socket,
        wordpress(folder, socket) as wp,
    ):
        yield wp


def narrate_article(server: str, article_id: str, key: str | None = TOKEN) -> dict:
    request = urllib.request.Request(
        f"{server}/api/v1/articles/{article_id}", headers=bearer(key) if key else {}
    )
    return json.load(urllib.request.urlopen(request))


def meta(site: WordPress, post_id: int, key: str) -> str:
    return site.php(f"echo get_post_meta({post_id}, '_narrate_{key}', true);")


def run_cron_until(site: WordPress, condition, what: str, timeout: float = 90) -> None:
    """WP-Cron runs on page visits; a quiet test site is visited at wp-cron.php."""

    def check() -> bool:
        site.get("/wp-cron.php?doing_wp_cron")
        return bool(condition())

    wait_until(check, timeout, what, interval=0.5, ignoring=(urllib.error.HTTPError,))


def log_in(browser, site: WordPress, user: str, password: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{site.url}/wp-login.php")
    page.fill("#user_login", user)
    page.fill("#user_pass", password)
    page.click("#wp-submit")
    page.wait_for_url("**/wp-admin/**")
    return page


def configure(page, site: WordPress, server: str) -> None:
    page.goto(f"{site.url}/wp-admin/options-general.php?page=narrate")
    page.fill("#narrate_url", server)
    page.fill("#narrate_api_key", TOKEN)
    page.fill("#narrate_webhook_secret", SECRET)
    page.select_option("#narrate_placement", "above")
    page.select_option("#narrate_style", "en-us")
    page.fill("#narrate_voice", VOICE)
    page.select_option("#narrate_drafts", "private")
    page.click("#submit")
    page.wait_for_selector("#setting-error-settings_updated")
    # The key is kept, never printed back.
    assert page.input_value("#narrate_api_key") == ""
    assert page.get_attribute("#narrate_api_key", "placeholder") == "saved"
    assert TOKEN not in page.content() and "wordpress-webhook-secret" not in page.content()
    assert page.input_value("#narrate_collection") == "127-0-0-1"


def change_settings(page, site: WordPress, selects: dict[str, str]) -> None:
    """Saves the settings page with some of its choices changed (secrets left empty)."""
    page.goto(f"{site.url}/wp-admin/options-general.php?page=narrate")
    for field, value in selects.items():
        page.select_option(f"#narrate_{field}", value)
    page.click("#submit")
    page.wait_for_selector("#setting-error-settings_updated")


def use_narrate_at(site: WordPress, url: str) -> None:
    """Points the plugin at another Narrate URL (here: a slow proxy in front of Narrate)."""
    site.php(
        "$s = get_option('narrate_settings'); "
        f"$s['url'] = '{url}'; update_option('narrate_settings', $s);"
    )


def write_draft(page, site: WordPress, title: str, paragraphs: list[str]) -> int:
    page.goto(f"{site.url}/wp-admin/post-new.php")
    title_field = page.locator(".editor-post-title__input")
    title_field.wait_for()
    assert page.locator(".edit-post-welcome-guide").count() == 0  # off (wordpress_site/setup.php)
    title_field.click()
    page.keyboard.type(title)
    for paragraph in paragraphs:
        page.keyboard.press("Enter")
        page.keyboard.type(paragraph)
    page.click(".editor-post-save-draft")
    page.wait_for_selector(".editor-post-saved-state.is-saved")
    page.wait_for_url("**/post.php?post=*")
    return int(re.search(r"post=(\d+)", page.url).group(1))


def publish(page) -> None:
    page.click(".editor-post-publish-panel__toggle")
    page.click(".editor-post-publish-panel .editor-post-publish-button")
    page.wait_for_selector(".post-publish-panel__postpublish")


def new_paragraph(page, site: WordPress, post_id: int) -> None:
    """Opens the post in the block editor with the caret in a new last paragraph."""
    page.goto(f"{site.url}/wp-admin/post.php?post={post_id}&action=edit")
    page.locator(".wp-block-paragraph").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")


def add_paragraph(page, site: WordPress, post_id: int, paragraph: str) -> float:
    """Adds a paragraph and updates the post; returns how long the save request took."""
    new_paragraph(page, site, post_id)
    page.keyboard.type(paragraph)

    def is_save(response) -> bool:
        url = urllib.parse.unquote(response.url)
        return response.request.method in ("POST", "PUT") and f"/wp/v2/posts/{post_id}" in url

    with page.expect_response(is_save) as saving:
        started = time.monotonic()
        page.click(".editor-post-publish-button")
    saving.value.finished()
    took = time.monotonic() - started
    assert saving.value.ok, saving.value.status
    page.wait_for_selector(".components-snackbar", timeout=30_000)
    return took


def paste(page, text: str) -> None:
    """Pastes plain text where the caret is, as the clipboard would."""
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            document.activeElement.dispatchEvent(new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def older_post(site: WordPress, title: str, text: str) -> int:
    """A post published before the plugin was set up (so never sent)."""
    code = (
        f"echo wp_insert_post(array('post_title' => {title!r}, 'post_content' => {text!r}, "
        "'post_status' => 'publish', 'post_author' => 1));"
    )
    return int(site.php(code))


def deliver(site: WordPress, body: bytes, signature: str) -> int:
    request = urllib.request.Request(
        f"{site.url}/?rest_route=/narrate/v1/webhook",
        body,
        {"Content-Type": "application/json", "X-Narrate-Signature": signature},
    )
    try:
        return urllib.request.urlopen(request).status
    except urllib.error.HTTPError as error:
        return error.code


def backfill(page, site: WordPress, post_ids: list[int]) -> None:
    """The posts list's bulk action, then reloads until its notice says all are done."""
    page.goto(f"{site.url}/wp-admin/edit.php")
    for post_id in post_ids:
        page.check(f"#cb-select-{post_id}")
    page.select_option("#bulk-action-selector-top", "narrate_backfill")
    page.click("#doaction")
    page.wait_for_selector(".narrate-backfill")

    def finished() -> bool:
        page.reload()
        notice = page.locator(".narrate-backfill")
        return notice.count() == 0 or f"{len(post_ids)} of {len(post_ids)}" in notice.inner_text()

    wait_until(finished, 120, "the backfill's notice never said it was done", interval=1)


def plays(page) -> None:
    page.wait_for_selector(f"{PLAYER} button.play:not([disabled])", timeout=60_000)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0")


def test_a_post_published_in_wordpress_is_read_aloud_revised_and_hidden(
    browser, server, worker, site, publisher
):
    archive = [
        older_post(site, f"Archive story {n}", f"<p>An older story, number {n}, from the past.</p>")
        for n in (1, 2)
    ]
    admin = log_in(browser, site, "admin", ADMIN_PASSWORD)
    configure(admin, site, server)
    # Webhooks need Narrate's signature of the body.
    body = json.dumps({"event": "article.done", "article": {"id": "x", "status": "done"}})
    signature = "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    assert deliver(site, body.encode(), signature) == 200
    assert deliver(site, body.encode(), "sha256=" + "0" * 64) == 401
    assert deliver(site, body.encode() + b" ", signature) == 401

    # Drafts are set to "sent as private": the audio is made before publication, unseen.
    editor = log_in(browser, site, "editor", EDITOR_PASSWORD)
    post_id = write_draft(
        editor,
        site,
        "Council approves the new library",
        [
            "The town council approved plans for a new library on Tuesday evening.",
            "Building work is due to start in the spring and to last a year.",
        ],
    )
    run_cron_until(site, lambda: meta(site, post_id, "article_id"), "the draft was never sent")
    article_id = meta(site, post_id, "article_id")
    assert narrate_article(server, article_id)["visibility"] == "private"
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        narrate_article(server, article_id, key=None)
    assert anonymous.value.code == 404

    publish(editor)
    run_cron_until(
        site,
        lambda: narrate_article(server, article_id)["visibility"] == "public",
        "publishing the draft left its audio private",
    )
    assert meta(site, post_id, "article_id") == article_id  # the same article, now public
    article = narrate_article(server, article_id)
    assert article["external_id"] == str(post_id)
    assert article["source_url"] == f"{site.url}/?p={post_id}"
    assert article["collection"] == "127-0-0-1"  # the settings' default: the site's host
    assert article["style"] == "en-US"  # the house style set on the settings page
    assert article["voice"] == VOICE  # the default voice set on the settings page

    # Narrate's signed webhook tells WordPress the audio is ready.
    wait_until(lambda: meta(site, post_id, "status") == "done", 120, "no webhook arrived")
    assert int(meta(site, post_id, "duration_ms")) > 2000
    made = narrate_article(server, article_id)
    assert made["title"] == "Council approves the new library"
    spoken = " ".join(made["paragraphs"])
    assert "Building work is due to start" in spoken

    reader = browser.new_context().new_page()
    reader.goto(f"{site.url}/?p={post_id}")
    holder = reader.locator(f"[data-narrate-article='{article_id}']")
    assert holder.count() == 1
    embed = reader.evaluate("document.querySelector('[data-narrate-article]').outerHTML")
    plays(reader)

    # The block and the shortcode render the same embed wherever they are placed.
    for placed in (
        f"do_shortcode('[narrate post={post_id}]')",
        "do_blocks('<!-- wp:narrate/player /-->')",
    ):
        rendered = site.php(f"$GLOBALS['post'] = get_post({post_id}); echo {placed};")
        assert f'data-narrate-article="{article_id}"' in rendered, placed
    assert editor.evaluate("Boolean(wp.blocks.getBlockType('narrate/player'))")

    # Narrate is an oEmbed provider: its article URL becomes the iframe player (from the
    # Narrate URL's own loopback host and port, which WordPress refuses unless told).
    oembed = site.php(f"echo wp_oembed_get('{server}/articles/{article_id}');")
    assert oembed.startswith("<iframe ") and f'src="{server}/player/{article_id}"' in oembed

    admin.goto(f"{site.url}/wp-admin/edit.php")
    row = admin.locator(f"#post-{post_id}")
    assert row.locator("td.column-narrate .narrate-status-done").inner_text() == "Ready"
    assert row.locator(".row-actions .narrate_regenerate a").count() == 1

    # Updating the post does not wait for Narrate: with Narrate slow to answer (a proxy
    # that holds each request SLOW_S), the save returns first, and WP-Cron sends it after.
    with TcpProxy(("127.0.0.1", urllib.parse.urlsplit(server).port)) as slow:
        slow.delay = SLOW_S
        use_narrate_at(site, f"http://127.0.0.1:{slow.port}")
        took = add_paragraph(editor, site, post_id, "The library will open in the summer.")
        assert took < SLOW_S, f"saving the post took {took:.1f} s"
        assert narrate_article(server, article_id)["revision"] == 1  # not sent yet
        run_cron_until(
            site,
            lambda: narrate_article(server, article_id)["revision"] == 2,
            "the edit made no new revision",
        )
        assert slow.accepted >= 1  # sent through the slow Narrate, after the save
        use_narrate_at(site, server)
    wait_until(lambda: meta(site, post_id, "revision") == "2", 120, "no webhook for revision 2")

    # "Regenerate audio" sends the post as it is: here changed behind WordPress's back (as
    # an import or a search-and-replace in the database does), so a new revision.
    site.php(
        'global $wpdb; $wpdb->query("UPDATE $wpdb->posts SET post_content = '
        f"CONCAT(post_content, '<p>Parking will be free.</p>') WHERE ID = {post_id}\");"
    )
    admin.goto(f"{site.url}/wp-admin/edit.php")
    admin.locator(f"#post-{post_id}").hover()
    admin.click(f"#post-{post_id} .row-actions .narrate_regenerate a")
    admin.wait_for_selector(".notice-success")
    run_cron_until(
        site,
        lambda: narrate_article(server, article_id)["revision"] == 3,
        "regenerating made no new revision",
    )

    # The bulk action sends older posts as one batch; deleting a post deletes its audio.
    backfill(admin, site, archive)
    archived = [meta(site, post_id, "article_id") for post_id in archive]
    assert all(archived), archived
    assert [narrate_article(server, a)["status"] for a in archived] == ["done", "done"]
    assert narrate_article(server, archived[0])["source_url"] == f"{site.url}/?p={archive[0]}"
    site.php(f"wp_delete_post({archive[0]}, true);")

    def gone() -> bool:
        try:
            narrate_article(server, archived[0])
        except urllib.error.HTTPError as error:
            return error.code == 404
        return False

    run_cron_until(site, gone, "deleting the post left its article")

    # Published posts now unlisted, drafts sent as unlisted (saved with the secrets' fields
    # left empty: the key and secret are kept, as Narrate answering the plugin shows).
    change_settings(admin, site, {"published": "unlisted", "drafts": "unlisted"})

    # Another article's URL pasted on a line of its own embeds its player on the post (a
    # paste of an http:// URL stays a paragraph in WordPress 6.1's editor, which the post
    # embeds; an https:// one becomes an Embed block); an Embed block with a player URL
    # shows the player in the editor already (through WordPress's oEmbed proxy).
    other = archived[1]
    new_paragraph(editor, site, post_id)
    paste(editor, f"{server}/articles/{other}")
    editor.evaluate(
        """url => wp.data.dispatch('core/block-editor').insertBlocks(
            wp.blocks.createBlock('core/embed', {url}))""",
        f"{server}/player/{other}",
    )
    editor.wait_for_function(
        """src => {
            const frame = document.querySelector('.wp-block-embed iframe.components-sandbox');
            const player = frame && frame.contentDocument.querySelector('iframe');
            return player && player.src.startsWith(src);
        }""",
        arg=f"{server}/player/{other}",
        timeout=30_000,
    )

    # Switching the post to draft makes its audio private, even with drafts unlisted (a
    # post taken down is not left playable by its link); publishing it again, unlisted.
    editor.click(".editor-post-switch-to-draft")
    editor.locator(".components-confirm-dialog").get_by_role("button", name="OK").click()
    editor.wait_for_selector(".editor-post-publish-panel__toggle")
    run_cron_until(
        site,
        lambda: narrate_article(server, article_id)["visibility"] == "private",
        "switching the post to draft did not make its audio private",
    )
    publish(editor)
    run_cron_until(
        site,
        lambda: narrate_article(server, article_id)["visibility"] == "unlisted",
        "publishing the post again did not make its audio unlisted",
    )
    assert narrate_article(server, article_id, key=None)["id"] == article_id  # by its link
    reader.goto(f"{site.url}/?p={post_id}")
    assert reader.locator(f"[data-narrate-article='{article_id}']").count() == 1
    assert reader.locator(f"iframe[src^='{server}/player/{other}']").count() == 2

    editor.goto(f"{site.url}/wp-admin/edit.php")
    editor.locator(f"#post-{post_id}").hover()
    editor.click(f"#post-{post_id} .row-actions .trash a")
    editor.wait_for_selector("#message")
    run_cron_until(
        site,
        lambda: narrate_article(server, article_id)["visibility"] == "private",
        "trashing the post left its audio public",
    )
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        narrate_article(server, article_id, key=None)
    assert anonymous.value.code == 404
    # The same embed on any page no longer plays for an anonymous reader.
    origin, folder = publisher
    script = f"<script src='{server}/embed.js' async></script>"
    name = publisher_page(folder, "trashed.html", embed + script)
    reader.goto(f"{origin}/{name}")
    reader.wait_for_selector(f"{PLAYER}[state=unavailable]", timeout=30_000)

    # PHP said nothing about the plugin's code (WordPress 6.1's own deprecations on PHP 8.2
    # are in the log; PHP names the plugin's files by their real path).
    log = (site.root / "debug.log").read_text()
    assert str(PLUGIN) not in log and "/plugins/narrate/" not in log, log[-3000:]
