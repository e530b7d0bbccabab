from __future__ import annotations

import re
from pathlib import Path

import pytest

from workers.config import MAX_CHARACTERS_AMOUNT, ConfigurationError, Settings, limits_problem
from workers.storage.base import READ_BYTES, read_in_chunks
from workers.storage.local import LocalStorage


def test_storage_writes_reads_and_deletes_trees(tmp_path: Path):
    storage = LocalStorage(tmp_path)
    storage.write_bytes("articles/a1/1.mp3", b"ID3...")
    assert storage.exists("articles/a1/1.mp3")
    assert storage.read_bytes("articles/a1/1.mp3") == b"ID3..."
    assert (tmp_path / "articles" / "a1" / "1.mp3").stat().st_mode & 0o777 == 0o644
    storage.delete_tree("articles/a1")
    assert not storage.exists("articles/a1/1.mp3")
    assert list((tmp_path / "articles").iterdir()) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    storage = LocalStorage(tmp_path)
    storage.write_bytes("x.json", b"old")
    with pytest.raises(RuntimeError), storage.writer("x.json") as handle:
        handle.write(b"half of the new")
        raise RuntimeError("disk full")
    assert storage.read_bytes("x.json") == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b"])
def test_keys_cannot_leave_the_root(tmp_path: Path, key: str):
    with pytest.raises(ValueError, match="relative path"):
        LocalStorage(tmp_path).path(key)


def test_a_stored_file_is_read_in_chunks_and_closed(tmp_path: Path):
    store = LocalStorage(tmp_path)
    data = bytes(range(256)) * 600  # 153,600 bytes: two whole pieces and a part
    store.write_bytes("segments/ab/x.mp3", data)
    pieces = list(read_in_chunks(store, "segments/ab/x.mp3"))
    assert [len(p) for p in pieces] == [READ_BYTES, READ_BYTES, len(data) - 2 * READ_BYTES]
    assert b"".join(pieces) == data
    assert [len(p) for p in read_in_chunks(store, "segments/ab/x.mp3", 100_000)] == [
        100_000,
        53_600,
    ]
    store.write_bytes("empty", b"")
    assert list(read_in_chunks(store, "empty")) == []


def test_reading_in_chunks_opens_at_once_and_closes_when_stopped(tmp_path: Path, monkeypatch):
    store = LocalStorage(tmp_path)
    with pytest.raises(FileNotFoundError):  # at the call: a caller can make it again
        read_in_chunks(store, "segments/ab/gone.mp3")
    store.write_bytes("a.mp3", b"x" * (3 * READ_BYTES))
    opened = []
    real = store.open_reader
    monkeypatch.setattr(store, "open_reader", lambda key: opened.append(real(key)) or opened[-1])
    pieces = read_in_chunks(store, "a.mp3")
    assert len(opened) == 1 and not opened[0].closed
    next(pieces)
    pieces.close()  # a client that went away mid-stream
    assert opened[0].closed


def test_settings_have_embedded_defaults(tmp_path: Path):
    settings = Settings.from_env({"HOME": str(tmp_path)})
    assert settings.data_dir == tmp_path / ".local" / "share" / "narrate"
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'narrate.db'}"
    assert settings.redis_url is None
    assert settings.broker_url == f"redis+socket://{settings.data_dir / 'redis.sock'}"
    assert settings.webhook_allow_private is False
    assert settings.api_tokens == ()  # writes open, as suits 127.0.0.1


def test_settings_from_environment(tmp_path: Path):
    settings = Settings.from_env(
        {
            "NARRATE_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://db/narrate",
            "REDIS_URL": "redis://cache:6379/2",
            "NARRATE_RATE": "160",
            "NARRATE_CORS_ORIGINS": "https://a.example, https://b.example",
            "NARRATE_WEBHOOK_ALLOW_PRIVATE": "yes",
            "NARRATE_API_TOKENS": "token-one, token-two,",
        }
    )
    assert settings.api_tokens == ("token-one", "token-two")
    assert settings.webhook_allow_private is True
    assert settings.broker_url == "redis://cache:6379/2"
    assert settings.rate == 160
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_a_bad_number_in_the_environment_says_which_variable():
    with pytest.raises(ConfigurationError, match="NARRATE_RATE must be a whole number"):
        Settings.from_env({"NARRATE_RATE": "fast"})


def test_a_bad_flag_in_the_environment_says_what_it_takes():
    with pytest.raises(ConfigurationError, match="NARRATE_WEBHOOK_ALLOW_PRIVATE must be 1 or 0"):
        Settings.from_env({"NARRATE_WEBHOOK_ALLOW_PRIVATE": "sometimes"})


def test_storage_settings_name_a_bucket_a_directory_or_nothing(tmp_path: Path):
    default = Settings.from_env({"NARRATE_DATA_DIR": str(tmp_path)})
    assert (default.s3_bucket, default.audio_dir) == (None, tmp_path / "audio")
    directory = Settings.from_env({"NARRATE_DATA_DIR": "/d", "NARRATE_STORAGE": str(tmp_path)})
    assert directory.audio_dir == tmp_path and directory.storage_url == str(tmp_path)
    bucket = Settings.from_env(
        {
            "NARRATE_STORAGE": "s3://narrate-audio//prod/eu/",
            "NARRATE_S3_ENDPOINT_URL": "http://minio.internal:9000",
        }
    )
    assert (bucket.s3_bucket, bucket.s3_prefix) == ("narrate-audio", "prod/eu/")
    assert bucket.s3_endpoint_url == "http://minio.internal:9000"
    assert bucket.storage_url == "s3://narrate-audio/prod/eu/"
    assert Settings.from_env({"NARRATE_STORAGE": "s3://narrate-audio"}).s3_prefix == ""


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("NARRATE_STORAGE", "s3://", "s3://bucket/prefix"),
        ("NARRATE_STORAGE", "s3://Not_A_Bucket/x", "valid bucket name"),
        ("NARRATE_STORAGE", "gs://bucket/x", "s3://bucket/prefix"),
        ("NARRATE_STORAGE", "s3://bucket/../x", "s3://bucket/prefix"),
        ("NARRATE_S3_ENDPOINT_URL", "minio:9000", "http:// or https://"),
    ],
)
def test_storage_settings_are_checked(name: str, value: str, says: str):
    with pytest.raises(ConfigurationError, match=f"^{name} must .*{re.escape(says)}"):
        Settings.from_env({name: value})


def test_the_engine_idle_timeout_is_range_checked():
    assert Settings.from_env({}).engine_idle_s == 300.0
    assert Settings.from_env({"NARRATE_ENGINE_IDLE_S": "2.5"}).engine_idle_s == 2.5
    for raw, says in [("0.5", "at least 1.0"), ("90000", "at most 86400.0"), ("soon", "number")]:
        with pytest.raises(ConfigurationError, match=f"NARRATE_ENGINE_IDLE_S must .*{says}"):
            Settings.from_env({"NARRATE_ENGINE_IDLE_S": raw})


def test_every_default_setting_is_valid(tmp_path):
    """With nothing set the service starts: each default passes its own check (the
    character quota's default is above the request limits' bound, and must be)."""
    settings = Settings.from_env({"HOME": str(tmp_path)})
    assert settings.limit_characters == "10000000/hour"
    # the defaults are not parsed as settings are read (`narrate convert` never loads the
    # `limits` package), so they are checked here
    assert limits_problem(settings.limit_characters, MAX_CHARACTERS_AMOUNT) is None
    assert limits_problem(settings.limit_submissions) is None
    assert limits_problem(settings.limit_reads) is None
    with pytest.raises(ConfigurationError, match="NARRATE_LIMIT_CHARACTERS"):
        Settings.from_env({"HOME": str(tmp_path), "NARRATE_LIMIT_CHARACTERS": "9" * 22 + "/hour"})
