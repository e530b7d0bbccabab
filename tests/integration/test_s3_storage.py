"""Both storage backends keep the same promises: the local directory, and an S3 bucket
on moto's standalone server (a real S3 wire protocol on loopback)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.object_store import bucket_contents
from workers.config import Settings
from workers.storage import s3 as s3_storage
from workers.storage.base import Storage
from workers.storage.factory import storage_for
from workers.storage.local import LocalStorage
from workers.storage.s3 import S3Storage

pytestmark = pytest.mark.integration


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "audio")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(request.getfixturevalue("s3_bucket"), "narrate/", endpoint)


def test_a_listing_names_every_file_under_a_folder_with_its_time(store: Storage):
    from datetime import UTC, datetime, timedelta

    store.write_bytes("segments/ab/ab1.mp3", b"one")
    store.write_bytes("segments/cd/cd2.mp3", b"two")
    store.write_bytes("segmentsx/ef3.mp3", b"not under segments/")
    listed = dict(store.listing("segments"))
    assert sorted(listed) == ["segments/ab/ab1.mp3", "segments/cd/cd2.mp3"]
    for modified in listed.values():
        assert abs(datetime.now(UTC) - modified) < timedelta(minutes=1)


def test_files_are_written_read_and_deleted_as_trees(store: Storage):
    store.write_bytes("articles/a1/1.mp3", b"ID3 one")
    store.write_bytes("articles/a1/1.json", b"{}")
    store.write_bytes("articles/a10/1.mp3", b"ID3 ten")  # shares a1's prefix as text
    assert store.exists("articles/a1/1.mp3") and not store.exists("articles/a1/2.mp3")
    assert store.read_bytes("articles/a1/1.mp3") == b"ID3 one"
    found = store.stat("articles/a1/1.mp3")
    assert found is not None and found.size == 7
    assert store.stat("articles/a1/nothing.mp3") is None
    store.delete_tree("articles/a1")
    assert not store.exists("articles/a1/1.mp3") and not store.exists("articles/a1/1.json")
    assert store.read_bytes("articles/a10/1.mp3") == b"ID3 ten"
    store.delete_tree("articles/a10/1.mp3")  # one file
    assert not store.exists("articles/a10/1.mp3")


def test_a_failed_write_leaves_the_old_file(store: Storage):
    store.write_bytes("x.json", b"old")
    with pytest.raises(RuntimeError), store.writer("x.json") as handle:
        handle.write(b"half of the new")
        raise RuntimeError("disk full")
    assert store.read_bytes("x.json") == b"old"


def test_a_large_write_streams_in_and_reads_back_from_any_offset(store: Storage):
    data = os.urandom(s3_storage.SPOOL_BYTES + 123_457)  # past the spool: a multipart upload
    with store.writer("big.pcm") as handle:
        for start in range(0, len(data), 1 << 20):
            handle.write(data[start : start + (1 << 20)])
    found = store.stat("big.pcm")
    assert found is not None and found.size == len(data)
    with store.open_reader("big.pcm") as reader:
        assert reader.read(10) == data[:10]
        reader.seek(5_000_001)
        assert reader.read(70_000) == data[5_000_001:5_070_001]
        reader.seek(-5, os.SEEK_END)
        assert reader.read() == data[-5:]
        assert reader.read(1) == b""


def test_a_missing_file_cannot_be_opened(store: Storage):
    with pytest.raises(FileNotFoundError):
        store.open_reader("clips/ab/abcd.pcm")
    with pytest.raises(FileNotFoundError):
        store.read_bytes("clips/ab/abcd.pcm")


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b"])
def test_keys_cannot_leave_the_root(store: Storage, key: str):
    with pytest.raises(ValueError, match="relative path"):
        store.exists(key)


def test_objects_live_under_the_prefix(s3_endpoint: str, s3_bucket: str):
    S3Storage(s3_bucket, "narrate/audio/", s3_endpoint).write_bytes("articles/a1/1.vtt", b"W")
    assert bucket_contents(s3_endpoint, s3_bucket) == {"narrate/audio/articles/a1/1.vtt": b"W"}


def test_a_reader_asks_only_for_a_window_from_where_it_reads(
    s3_endpoint: str, s3_bucket: str, monkeypatch
):
    monkeypatch.setattr(s3_storage, "READ_WINDOW", 100_000)
    store = S3Storage(s3_bucket, "", s3_endpoint)
    data = os.urandom(1_000_000)
    store.write_bytes("song.mp3", data)
    ranges: list[str] = []

    def note_range(params, **_):
        ranges.append(params["Range"])

    store.client.meta.events.register("provide-client-params.s3.GetObject", note_range)
    try:
        with store.open_reader("song.mp3") as reader:
            reader.seek(250_000)
            assert reader.read(150_000) == data[250_000:400_000]
    finally:
        store.client.meta.events.unregister("provide-client-params.s3.GetObject", note_range)
    assert ranges == ["bytes=250000-349999", "bytes=350000-449999"]


def test_a_file_replaced_while_it_is_read_fails_instead_of_mixing(
    s3_endpoint: str, s3_bucket: str, monkeypatch
):
    monkeypatch.setattr(s3_storage, "READ_WINDOW", 1000)
    store = S3Storage(s3_bucket, "", s3_endpoint)
    store.write_bytes("x.mp3", b"a" * 5000)
    with store.open_reader("x.mp3") as reader:
        assert reader.read(1000) == b"a" * 1000
        store.write_bytes("x.mp3", b"b" * 5000)
        with pytest.raises(Exception, match="PreconditionFailed"):
            reader.read(1000)


def test_settings_choose_the_backend(tmp_path: Path, s3_endpoint: str, s3_bucket: str):
    local = Settings.from_env({"NARRATE_DATA_DIR": str(tmp_path)})
    assert isinstance(storage_for(local), LocalStorage)
    assert storage_for(local).root == tmp_path / "audio"  # type: ignore[attr-defined]
    env = {
        "NARRATE_DATA_DIR": str(tmp_path),
        "NARRATE_STORAGE": f"s3://{s3_bucket}/deploy/one",
        "NARRATE_S3_ENDPOINT_URL": s3_endpoint,
    }
    remote = storage_for(Settings.from_env(env))
    remote.write_bytes("a.json", b"{}")
    assert bucket_contents(s3_endpoint, s3_bucket) == {"deploy/one/a.json": b"{}"}
    assert not (tmp_path / "audio").exists()


def test_an_unfinished_upload_is_aborted_once_older_than_the_cutoff(
    s3_endpoint: str, s3_bucket: str
):
    """A writer killed mid-upload (past SPOOL_BYTES: multipart) leaves an upload no
    listing shows; remove_temporaries aborts it, and deletes a dot-named object (a
    readiness probe), once begun before the cutoff; finished objects stay."""
    from datetime import UTC, datetime, timedelta

    store = S3Storage(s3_bucket, "narrate/", s3_endpoint)
    store.write_bytes("articles/a1/1.mp3", b"finished")
    store.write_bytes("probes/.ready-0a1b", b"ok")
    for key in ("narrate/articles/a1/2.mp3", "narrate/segments/ab/ab1.mp3"):
        upload = store.client.create_multipart_upload(Bucket=s3_bucket, Key=key)
        store.client.upload_part(
            Bucket=s3_bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 100
        )

    def unfinished() -> list[str]:
        found = store.client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", ())
        return sorted(upload["Key"] for upload in found)

    # (moto says every upload began in 2010, so only the probe shows a young one kept)
    assert store.remove_temporaries("probes", datetime.now(UTC) - timedelta(hours=1)) == 0
    assert len(unfinished()) == 2
    past = datetime.now(UTC) + timedelta(minutes=1)
    assert store.remove_temporaries("articles", past) == 1
    assert store.remove_temporaries("probes", past) == 1
    assert unfinished() == ["narrate/segments/ab/ab1.mp3"]
    assert bucket_contents(s3_endpoint, s3_bucket) == {"narrate/articles/a1/1.mp3": b"finished"}
