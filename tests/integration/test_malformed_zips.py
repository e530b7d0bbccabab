"""Damaged zip archives, built byte by byte: each damaged entry fails as its own item with
the reason, the good entries beside it are converted, and nothing is a 500."""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass

import pytest

from tests.support.openapi_check import conforms

pytestmark = pytest.mark.integration

GOOD = b"Harbour reopens\n\nThe harbour reopened on Friday after the storm damage was repaired."
BAD = b"Bridge closes\n\nThe old bridge closed on Monday for a year of repairs to its piers."
DEFLATE, STORED = 8, 0


@dataclass(frozen=True)
class Entry:
    name: bytes
    data: bytes
    method: int = DEFLATE
    flags: int = 0
    crc: int | None = None  # as written in the headers; None: the true CRC
    size: int | None = None  # uncompressed size as written; None: the true size
    payload: bytes | None = None  # the stored bytes; None: `data`, compressed by `method`


def packed(entry: Entry) -> bytes:
    if entry.payload is not None:
        return entry.payload
    if entry.method == DEFLATE:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return compressor.compress(entry.data) + compressor.flush()
    return entry.data


def archive(*entries: Entry) -> bytes:
    """A zip file written by hand, so that every field can be made wrong."""
    local, central = b"", b""
    for entry in entries:
        body = packed(entry)
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.size is None else entry.size
        fields = (entry.flags, entry.method, 0, 0x21, crc, len(body), size, len(entry.name))
        offset = len(local)
        local += struct.pack("<4sH4H3I2H", b"PK\x03\x04", 20, *fields, 0) + entry.name + body
        central += (
            struct.pack("<4s2H4H3I5H2I", b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, 0, offset)
            + entry.name
        )
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(local), 0
    )
    return local + central + end


def good() -> Entry:
    return Entry(b"good.txt", GOOD)


DAMAGED = {
    "size larger than the data": (
        Entry(b"bad.txt", BAD, size=len(BAD) + 40),
        f"bad.txt is damaged: its header says {len(BAD) + 40} bytes but it holds {len(BAD)}",
    ),
    "size smaller than the data": (
        Entry(b"bad.txt", BAD, size=len(BAD) - 40),
        "bad.txt is damaged (Bad CRC-32",
    ),
    "bad CRC": (Entry(b"bad.txt", BAD, crc=0xDEADBEEF), "bad.txt is damaged (Bad CRC-32"),
    "corrupt deflate stream": (
        Entry(b"bad.txt", BAD, payload=b"\xff\xfe this is not a deflate stream at all"),
        "bad.txt has a corrupt compressed stream",
    ),
    "encrypted entry": (
        Entry(b"bad.txt", BAD, flags=0x1),
        "bad.txt is encrypted; zip it again without a password",
    ),
    "unknown compression method": (
        Entry(b"bad.txt", BAD, method=99, payload=BAD),
        "bad.txt uses a compression method Narrate cannot read",
    ),
}


def item_states(client, response) -> dict[str, tuple[str, str | None]]:
    """(status, error) of every item of the batch just posted, by name."""
    assert response.status_code == 202, response.data
    batch = conforms(response, "/api/v1/batches", "post")
    listing = conforms(client.get(batch["links"]["self"]), "/api/v1/batches/{batch_id}")
    return {item["name"]: (item["status"], item["error"]) for item in listing["items"]}


def test_the_builder_writes_zips_that_zipfile_reads():
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive(good(), Entry(b"b.txt", BAD, method=STORED)))) as z:
        assert z.testzip() is None
        assert z.read("good.txt") == GOOD and z.read("b.txt") == BAD


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_entry_fails_alone_with_its_reason(client, kind):
    entry, reason = DAMAGED[kind]
    response = client.post(
        "/api/v1/batches", data=archive(good(), entry), content_type="application/zip"
    )
    assert response.status_code == 202, response.data
    body = conforms(response, "/api/v1/batches", "post")
    assert body["counts"]["cleaning"] == 1 and body["counts"]["failed"] == 1
    listing = conforms(client.get(body["links"]["self"]), "/api/v1/batches/{batch_id}")
    items = {item["name"]: item for item in listing["items"]}
    assert items["good.txt"]["status"] == "cleaning" and items["good.txt"]["id"]
    assert items["bad.txt"]["status"] == "failed" and items["bad.txt"]["id"] is None
    assert items["bad.txt"]["error"].startswith(reason), items["bad.txt"]["error"]


def test_a_truncated_archive_is_a_400_with_the_reason(client):
    whole = archive(good(), Entry(b"other.txt", BAD))
    for cut in (len(whole) - 10, len(whole) // 2, 30):
        response = client.post("/api/v1/batches", data=whole[:cut], content_type="application/zip")
        assert response.status_code == 400, (cut, response.data)
        detail = conforms(response, "/api/v1/batches", "post")["detail"]
        assert detail.startswith("upload.zip is not a readable zip file") and "truncated" in detail


def test_an_archive_with_a_name_that_is_not_utf8_is_a_400(client):
    response = client.post(
        "/api/v1/batches",
        data=archive(Entry(b"caf\xe9.txt", GOOD, flags=0x800)),  # flagged UTF-8, but is not
        content_type="application/zip",
    )
    assert response.status_code == 400
    assert "not a readable zip file" in conforms(response, "/api/v1/batches", "post")["detail"]


def test_a_truncated_zip_among_other_files_fails_alone(client):
    whole = archive(good())
    response = client.post(
        "/api/v1/batches",
        data={
            "files": [
                (io.BytesIO(BAD), "bridge.txt"),
                (io.BytesIO(whole[: len(whole) - 12]), "archive.zip"),
                (io.BytesIO(archive(good(), DAMAGED["bad CRC"][0])), "second.zip"),
            ]
        },
        content_type="multipart/form-data",
    )
    status = item_states(client, response)
    assert status["bridge.txt"] == ("cleaning", None)
    assert status["good.txt"] == ("cleaning", None)
    assert status["archive.zip"][0] == "failed"
    assert status["archive.zip"][1].startswith("archive.zip is not a readable zip file")
    assert status["bad.txt"][0] == "failed" and "Bad CRC-32" in status["bad.txt"][1]


def test_an_entry_that_is_not_utf8_fails_alone(client):
    latin1 = "Café reopens\n\nThe café on the square reopens on Friday.".encode("latin-1")
    response = client.post(
        "/api/v1/batches",
        data=archive(good(), Entry(b"latin1.txt", latin1)),
        content_type="application/zip",
    )
    status = item_states(client, response)
    assert status["good.txt"] == ("cleaning", None)
    assert status["latin1.txt"] == (
        "failed",
        "latin1.txt is not UTF-8 text (byte 3: invalid continuation byte); re-encode it as UTF-8",
    )


def understated(files: dict[str, bytes], claims: dict[str, int]) -> bytes:
    """A zip written by zipfile, then patched so that the local and central headers of
    each entry in `claims` give that size, and the CRC of that many first bytes: zipfile
    itself then finds nothing wrong, having read only what the header says."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as writer:
        for name, content in files.items():
            writer.writestr(name, content)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as reader:
        entries, central = reader.infolist(), reader.start_dir
    for entry in entries:
        if entry.filename in claims:
            size = claims[entry.filename]
            crc = zlib.crc32(files[entry.filename][:size])
            struct.pack_into("<I", data, entry.header_offset + 14, crc)
            struct.pack_into("<I", data, entry.header_offset + 22, size)
            struct.pack_into("<I", data, central + 16, crc)
            struct.pack_into("<I", data, central + 24, size)
        lengths = struct.unpack_from("<3H", data, central + 28)
        central += 46 + sum(lengths)
    return bytes(data)


@pytest.fixture
def inflated(monkeypatch) -> list[int]:
    """Counts every byte any zlib decompressor hands out (zipfile's and Narrate's)."""
    counts: list[int] = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args) -> None:
            self._inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self._inner.decompress(data, max_length)
            counts.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self._inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    return counts


def test_the_understating_builder_fools_zipfile():
    content = b"Title\n\n" + b"a" * 100_000
    with zipfile.ZipFile(io.BytesIO(understated({"a.txt": content}, {"a.txt": 5_000}))) as z:
        assert z.read("a.txt") == content[:5_000]  # no error: the rest is never read


def test_a_bomb_whose_headers_understate_its_size_is_refused_unread(client, inflated):
    bomb = b"A headline\n\n" + b"a" * 50_000_000
    data = understated({"bomb.txt": bomb}, {"bomb.txt": 40_000})  # "compressed 1:1"
    started = time.monotonic()
    response = client.post("/api/v1/batches", data=data, content_type="application/zip")
    assert time.monotonic() - started < 10  # it took 0.1 s
    assert response.status_code == 413, response.data
    detail = conforms(response, "/api/v1/batches", "post")["detail"]
    assert detail.startswith("bomb.txt in upload.zip unpacks to more than 1000000 bytes")
    assert "its header says 40000" in detail
    assert sum(inflated) <= 1_000_001 + 40_000 + 64 * 1024  # the limit, never the 50 MB
    assert client.get("/api/v1/articles").get_json()["total"] == 0


def test_an_understated_entry_is_judged_by_its_real_compression_ratio(client, inflated):
    bomb = b"A headline\n\n" + b"a" * 500_000
    data = understated({"good.txt": GOOD, "bomb.txt": bomb}, {"bomb.txt": 2_000})
    response = client.post("/api/v1/batches", data=data, content_type="application/zip")
    assert response.status_code == 413, response.data
    detail = conforms(response, "/api/v1/batches", "post")["detail"]
    assert detail.startswith("bomb.txt in upload.zip unpacks to more than 100 times")
    assert "more than 100:1 is refused" in detail
    assert sum(inflated) < 200_000 + len(GOOD)


def test_understated_entries_count_their_real_bytes_against_the_batch(client, app, settings):
    app.extensions["narrate.settings"] = settings.with_overrides(
        max_batch_bytes=300_000, max_upload_bytes=200_000
    )
    words = [f"w{n * 7919 % 10007}" for n in range(25_000)]  # compresses about 3:1
    files = {f"{n}.txt": f"Title {n}\n\n{' '.join(words)}".encode()[:150_000] for n in range(3)}
    data = understated(files, dict.fromkeys(files, 1_000))
    assert len(data) < 300_000
    response = client.post("/api/v1/batches", data=data, content_type="application/zip")
    assert response.status_code == 413, response.data
    detail = conforms(response, "/api/v1/batches", "post")["detail"]
    assert detail.startswith("upload.zip unpacks to more than 300000 bytes")
    assert "2.txt" in detail


def test_a_small_understated_entry_fails_alone(client):
    data = understated({"good.txt": GOOD, "bad.txt": BAD}, {"bad.txt": 20})
    status = item_states(
        client, client.post("/api/v1/batches", data=data, content_type="application/zip")
    )
    assert status["good.txt"] == ("cleaning", None)
    assert status["bad.txt"] == (
        "failed",
        f"bad.txt is damaged: its header says 20 bytes but it holds {len(BAD)}; zip it again",
    )
