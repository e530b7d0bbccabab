"""Webhooks to a real receiver on a local port, and the podcast feed read by feedparser."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest

from tests.support.harness import run_jobs_in_process
from tests.support.openapi_check import conforms
from tests.support.services import broker_idle
from tests.support.waits import wait_until
from tests.support.webhooks import Receiver
from workers.delivery.webhooks import SIGNATURE_HEADER, verify

pytestmark = pytest.mark.integration


def test_receiver_that_fails_twice_gets_the_event_exactly_once(
    client, worker, receiver, settings, broker
):
    hook = receiver(failures=2)
    created = client.post(
        "/api/v1/articles",
        json={"title": "Webhook story", "text": "It has one paragraph.", "callback_url": hook.url},
    ).get_json()
    wait_until(lambda: hook.accepted())
    # a duplicate would be a message still queued, or taken and not yet acknowledged
    wait_until(lambda: broker_idle(broker), 30, "the worker's messages settled")
    assert [status for _, _, status in hook.posts] == [500, 500, 200]
    (event,) = hook.accepted()
    assert event["event"] == "article.done"
    assert event["article"]["id"] == created["id"]
    assert event["article"]["links"]["audio"].endswith(f"/articles/{created['id']}/audio.mp3")
    deliveries = {headers["X-Narrate-Delivery"] for headers, _, _ in hook.posts}
    assert len(deliveries) == 1  # retries carry the same id, so receivers can dedupe
    secret = settings.webhook_secret.encode()
    for headers, body, _ in hook.posts:
        assert verify(secret, body, headers[SIGNATURE_HEADER])
        assert not verify(b"wrong secret", body, headers[SIGNATURE_HEADER])
    (record,) = client.get(created["links"]["self"]).get_json()["webhooks"]
    assert (record["status"], record["attempts"], record["last_status_code"]) == (
        "delivered",
        3,
        200,
    )


def test_failed_article_and_finished_batch_are_announced(client, worker, receiver):
    article_hook, batch_hook, item_hook = receiver(), receiver(), receiver()
    failed = client.post(
        "/api/v1/articles",
        json={"text": "Headline\n\nBody.", "voice": "klingon", "callback_url": article_hook.url},
    ).get_json()
    batch = client.post(
        "/api/v1/batches",
        json={
            "articles": [
                {"text": f"Batch headline {n}\n\nBody {n}.", "callback_url": item_hook.url}
                for n in range(3)
            ],
            "callback_url": batch_hook.url,
        },
    ).get_json()
    wait_until(
        lambda: article_hook.accepted() and batch_hook.accepted() and len(item_hook.posts) >= 3
    )
    (article_event,) = article_hook.accepted()
    assert article_event["event"] == "article.failed"
    assert "unknown voice 'klingon'" in article_event["article"]["error"]
    assert client.get(failed["links"]["self"]).get_json()["status"] == "failed"
    items = client.get(batch["links"]["self"]).get_json()["items"]
    per_article = sorted(event["article"]["id"] for event in item_hook.accepted())
    assert per_article == sorted(item["id"] for item in items)  # one webhook per article
    assert {event["event"] for event in item_hook.accepted()} == {"article.done"}
    (batch_event,) = batch_hook.accepted()
    assert batch_event == {
        "delivery": batch_event["delivery"],
        "event": "batch.done",
        "batch": {"id": batch["id"], "counts": {"done": 3}},
    }


def test_receiver_that_never_answers_is_recorded_as_failed(client, worker, settings):
    created = client.post(
        "/api/v1/articles",
        json={"text": "Headline\n\nBody.", "callback_url": "http://127.0.0.1:9/nothing-here"},
    ).get_json()
    wait_until(
        lambda: (
            client.get(created["links"]["self"]).get_json()["webhooks"][:1]
            and client.get(created["links"]["self"]).get_json()["webhooks"][0]["status"] == "failed"
        ),
        timeout=60,
    )
    (record,) = client.get(created["links"]["self"]).get_json()["webhooks"]
    assert record["attempts"] == settings.webhook_attempts
    assert "unreachable" in record["last_error"]


@pytest.mark.also_on_s3
def test_podcast_feed_per_collection(client, settings, tmp_path):
    for n, collection in enumerate(["news", "news", "sport"]):
        client.post(
            "/api/v1/articles",
            json={
                "title": f"Episode {n}",
                "text": f"By Jo Bloggs\n\nThe story of episode {n} in full.",
                "collection": collection,
                "visibility": "public",
            },
        )
    public = {"visibility": "public"}
    client.post("/api/v1/articles", json={"title": "Unfinished", "text": "Still queued.", **public})
    for visibility in ("unlisted", "private"):  # done, but never in a feed
        client.post(
            "/api/v1/articles",
            json={"title": visibility, "text": "Not for feeds.", "visibility": visibility},
        )
    run_jobs_in_process(settings, tmp_path)
    queued = {"title": "Queued", "text": "Not converted yet.", **public}
    client.post("/api/v1/articles", json=queued)

    news = feedparser.parse(client.get("/feeds/news.xml").data)
    assert not news.bozo, news.bozo_exception
    assert news.feed.title == "Narrate: news"
    assert sorted(entry.title for entry in news.entries) == ["Episode 0", "Episode 1"]
    for entry in news.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        audio = client.get(enclosure.href)
        assert audio.status_code == 200 and audio.data[:3] == b"ID3"
        assert int(enclosure.length) == len(audio.data)
        assert entry.itunes_duration.count(":") == 2
        assert entry.author == "Jo Bloggs"
        assert entry.published_parsed is not None

    everything = feedparser.parse(client.get("/feeds/all.xml").data)
    assert {e.title for e in everything.entries} == {
        "Episode 0",
        "Episode 1",
        "Episode 2",
        "Unfinished",
    }
    assert client.get("/feeds/empty.xml").status_code == 404  # no collection of that name
    assert client.get("/feeds/Bad%20Name.xml").status_code == 404


@pytest.fixture
def guarded_client(settings):
    """A service with the default policy: callbacks to private addresses refused."""
    from service.app import create_app

    guarded = settings.with_overrides(webhook_allow_private=False)
    return create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}).test_client(), guarded


def test_a_callback_to_a_private_address_is_refused_at_submission(guarded_client, receiver):
    client, _ = guarded_client
    article = {"text": "Headline\n\nBody.", "callback_url": receiver().url}
    refused = client.post("/api/v1/articles", json=article)
    assert refused.status_code == 400
    assert "127.0.0.1" in refused.get_json()["detail"]
    assert "NARRATE_WEBHOOK_ALLOW_PRIVATE=1" in refused.get_json()["detail"]
    batch = client.post(
        "/api/v1/batches", json={"articles": [article], "callback_url": "http://localhost/x"}
    )
    assert batch.status_code == 400
    assert client.get("/api/v1/articles").get_json()["total"] == 0  # nothing half-stored


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0177.0.0.1", "0x7f000001", "127.1", "0", "0xa9fea9fe", "[::ffff:127.0.0.1]"],
)
def test_a_private_address_written_as_a_number_is_refused_at_submission(guarded_client, host):
    client, _ = guarded_client
    url = f"http://{host}/hook"
    refused = client.post(
        "/api/v1/articles", json={"text": "Headline\n\nBody.", "callback_url": url}
    )
    assert refused.status_code == 400
    detail = conforms(refused, "/api/v1/articles", "post")["detail"]
    assert detail.startswith(f"callback_url {url!r} points at ")
    assert "use a public URL" in detail
    batch = client.post(
        "/api/v1/batches", json={"articles": [{"text": "Headline\n\nBody."}], "callback_url": url}
    )
    assert batch.status_code == 400
    assert conforms(batch, "/api/v1/batches", "post")["detail"].startswith("callback_url ")
    assert client.get("/api/v1/articles").get_json()["total"] == 0


def test_a_name_that_resolves_to_a_private_address_is_not_called(
    guarded_client, receiver, tmp_path, monkeypatch
):
    from workers.delivery import webhooks

    client, guarded = guarded_client
    listening = receiver()
    port = listening.server.server_port
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["127.0.0.1"])  # a rebinding
    created, delivery_id = made_with_callback(
        client, guarded, f"http://cms.example.com:{port}/h", tmp_path
    )
    assert created["status"] == "cleaning"  # a name passes until it is resolved
    attempt = webhooks.deliver(guarded, delivery_id)
    assert (attempt.delivered, attempt.final) == (False, True)
    assert listening.posts == []
    (record,) = client.get(created["links"]["self"]).get_json()["webhooks"]
    assert (record["status"], record["attempts"]) == ("failed", 1)
    assert "private or local address" in record["last_error"]


def test_a_redirecting_receiver_is_not_followed(client, settings, receiver, tmp_path):

    from workers.delivery import webhooks

    target = receiver()

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)  # 307 would even keep the POST and its body
            self.send_header("Location", target.url)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    redirector = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=redirector.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{redirector.server_port}/hook"
        _, delivery_id = made_with_callback(client, settings, url, tmp_path)
        attempt = webhooks.deliver(settings, delivery_id)
    finally:
        redirector.shutdown()
    assert not attempt.delivered
    assert attempt.detail == "HTTP 307 (webhooks do not follow redirects)"
    assert target.posts == []


def made_with_callback(client, settings, callback_url: str, tmp_path) -> tuple[dict, int]:
    """Submit an article with `callback_url`, make it in-process with the fake engine and
    record its webhook; the submission's answer and the delivery's id (not yet sent)."""
    from sqlalchemy import select

    from workers.catalog.db import session_scope
    from workers.catalog.models import JobRow, RevisionRow
    from workers.delivery import webhooks

    article = {"text": "Headline\n\nBody.", "callback_url": callback_url}
    created = client.post("/api/v1/articles", json=article).get_json()
    run_jobs_in_process(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        query = select(JobRow.id).join(RevisionRow).where(RevisionRow.article_id == created["id"])
        job_id = session.scalars(query).one()
    links = settings.article_links(created["id"])
    (delivery_id,) = webhooks.events_for_job(settings, job_id, links)
    return created, delivery_id


def test_delivery_connects_to_the_address_that_was_checked(
    client, settings, receiver, tmp_path, monkeypatch
):
    """The name is resolved once, checked, and that address used: a second DNS answer
    (a rebinding) never gets a say. cms.example.com does not resolve here at all."""
    from workers.delivery import webhooks

    listening = receiver()
    port = listening.server.server_port
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["127.0.0.1"])
    url = f"http://cms.example.com:{port}/h?x=1"
    _, delivery_id = made_with_callback(client, settings, url, tmp_path)
    assert webhooks.deliver(settings, delivery_id).delivered
    ((headers, body, _),) = listening.posts
    assert headers["Host"] == f"cms.example.com:{port}"
    assert verify(b"test-secret", body, headers[SIGNATURE_HEADER])
    assert listening.paths == ["/h?x=1"]


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS receiver with a certificate for cms.example.com, signed by nobody."""
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=cms.example.com",
            "-addext",
            "subjectAltName=DNS:cms.example.com",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    receiver = Receiver(failures=0)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    yield receiver, cert
    receiver.server.shutdown()


def test_https_deliveries_check_the_certificate_of_the_name(
    client, settings, tls_receiver, tmp_path, monkeypatch
):
    from workers.delivery import webhooks

    listening, cert = tls_receiver
    url = f"https://cms.example.com:{listening.server.server_port}/hook"
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["127.0.0.1"])
    _, delivery_id = made_with_callback(client, settings, url, tmp_path)

    untrusted = webhooks.deliver(settings, delivery_id)
    assert not untrusted.delivered
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.detail
    assert listening.posts == []

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now the receiver's certificate is trusted
    assert webhooks.deliver(settings, delivery_id).delivered
    ((headers, _, _),) = listening.posts
    assert headers["Host"] == f"cms.example.com:{listening.server.server_port}"


def test_a_batch_whose_last_items_finish_together_is_announced_once(
    client, settings, tmp_path, monkeypatch
):
    """Two workers each finish one of the last two items and both see the whole batch
    finished; only one of them may record the batch event."""
    from sqlalchemy import func, select

    from workers.catalog.db import session_scope
    from workers.catalog.models import JobRow, WebhookDeliveryRow
    from workers.delivery import webhooks

    articles = [{"text": f"Headline {n}\n\nBody {n}."} for n in range(2)]
    batch = client.post(
        "/api/v1/batches", json={"articles": articles, "callback_url": "http://127.0.0.1:9/b"}
    ).get_json()
    run_jobs_in_process(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        job_ids = session.scalars(select(JobRow.id)).all()
    assert len(job_ids) == 2

    both_looked = threading.Barrier(2, timeout=10)
    looked: set[int] = set()
    status_counts = webhooks.status_counts

    def counts_once_both_have_looked(session, batch_id):
        counts = status_counts(session, batch_id)
        if threading.get_ident() not in looked:  # each worker has read the batch by now
            looked.add(threading.get_ident())
            both_looked.wait()
        return counts

    monkeypatch.setattr(webhooks, "status_counts", counts_once_both_have_looked)
    errors: list[BaseException] = []

    def announce(job_id: int) -> None:
        try:
            webhooks.events_for_job(settings, job_id, {})
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    workers = [threading.Thread(target=announce, args=(job_id,)) for job_id in job_ids]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert errors == []
    with session_scope(settings.database_url) as session:
        events = session.scalar(
            select(func.count()).where(WebhookDeliveryRow.batch_id == batch["id"])
        )
    assert events == 1
