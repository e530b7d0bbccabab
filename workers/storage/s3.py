"""Storage in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), for deployments whose
web and worker machines share no disk.

Region and credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID, AWS_PROFILE,
an instance role, AWS_DEFAULT_REGION, ...). A write is spooled to a temporary file and
uploaded when it closes, so an object appears whole or not at all (S3 makes a PUT, and
a multipart upload on completion, visible at once). A read is a series of ranged GETs
of at most `READ_WINDOW` bytes, streamed: seeking costs nothing, and a reader closed
early leaves at most one window unread.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO

from workers.storage.base import Stat, checked_key, is_temporary

log = logging.getLogger("narrate.storage")
READ_WINDOW = 8 << 20  # bytes asked for by one GET of a reader
READ_BUFFER = 1 << 16  # bytes a reader hands out at a time
SPOOL_BYTES = 8 << 20  # a write larger than this goes to a temporary file on disk
DELETE_BATCH = 1000  # S3's limit for one DeleteObjects call
_MISSING = {"404", "NoSuchKey", "NotFound"}

_clients: dict[tuple[int, str | None], Any] = {}
_clients_lock = threading.Lock()


def client_for(endpoint_url: str | None) -> Any:
    """One S3 client per process and endpoint (clients are thread-safe but must not
    cross a fork: a prefork worker's children each make their own)."""
    import boto3
    from botocore.config import Config

    key = (os.getpid(), endpoint_url)
    with _clients_lock:
        if key not in _clients:
            # An S3-compatible server on its own host name usually wants path-style
            # addressing (no bucket-name subdomain to resolve).
            style = "path" if endpoint_url else "auto"
            config = Config(s3={"addressing_style": style}, retries={"mode": "standard"})
            _clients[key] = boto3.session.Session().client(
                "s3", endpoint_url=endpoint_url, config=config
            )
        return _clients[key]


def _denied(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in {
        "AccessDenied",
        "NotImplemented",
    }


def is_missing(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix  # "" or ends with "/"
        self.endpoint_url = endpoint_url
        self.client = client_for(endpoint_url)

    def object_key(self, key: str) -> str:
        return self.prefix + str(checked_key(key))

    def stat(self, key: str) -> Stat | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except Exception as exc:
            if is_missing(exc):
                return None
            raise
        modified = head["LastModified"].astimezone(UTC)
        return Stat(head["ContentLength"], modified, head["ETag"].strip('"'))

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def open_reader(self, key: str) -> BinaryIO:
        found = self.stat(key)
        if found is None:
            raise FileNotFoundError(f"s3://{self.bucket}/{self.object_key(key)}")
        raw = _RangeReader(self.client, self.bucket, self.object_key(key), found)
        return io.BufferedReader(raw, READ_BUFFER)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        from boto3.s3.transfer import TransferConfig

        object_key = self.object_key(key)
        with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as spool:
            yield spool  # type: ignore[misc]
            spool.seek(0)
            # Two parts of 8 MiB in flight at most: bounded memory for any size.
            transfer = TransferConfig(
                multipart_threshold=SPOOL_BYTES, multipart_chunksize=SPOOL_BYTES, max_concurrency=2
            )
            self.client.upload_fileobj(spool, self.bucket, object_key, Config=transfer)

    def write_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data)

    def read_bytes(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except Exception as exc:
            if is_missing(exc):
                raise FileNotFoundError(f"s3://{self.bucket}/{self.object_key(key)}") from exc
            raise
        with answer["Body"] as body:
            return body.read()

    def listing(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Every object under `prefix/` (an upload is never seen half made)."""
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.object_key(prefix) + "/"):
            for item in page.get("Contents", ()):
                yield item["Key"][len(self.prefix) :], item["LastModified"]

    def remove_temporaries(self, prefix: str, before: datetime) -> int:
        """Abort the multipart uploads under `prefix` begun before `before` (a writer
        killed while it uploaded a file larger than SPOOL_BYTES: its parts are stored,
        and billed, though no object shows them) and delete the dot-named objects (a
        readiness probe whose process died before deleting it) written before it. A
        write spools to an unnamed temporary file, so it leaves nothing on disk."""
        removed = 0
        for key, modified in list(self.listing(prefix)):
            if modified < before and is_temporary(key):
                self.delete_tree(key)
                removed += 1
        uploads = self.client.get_paginator("list_multipart_uploads")
        try:
            for page in uploads.paginate(Bucket=self.bucket, Prefix=self.object_key(prefix) + "/"):
                for upload in page.get("Uploads", ()):
                    if upload["Initiated"] < before:
                        self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                        removed += 1
        except Exception as exc:
            if not _denied(exc):
                raise
            log.warning(
                "storage: unfinished uploads under %s left (the credentials lack "
                "s3:ListBucketMultipartUploads or s3:AbortMultipartUpload)",
                prefix,
            )
        return removed

    def delete_tree(self, prefix: str) -> None:
        """Delete the object `prefix` and every object under `prefix/`."""
        base = self.object_key(prefix)
        doomed = [base]
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=base + "/"):
            doomed.extend(item["Key"] for item in page.get("Contents", ()))
        for start in range(0, len(doomed), DELETE_BATCH):
            batch = [{"Key": name} for name in doomed[start : start + DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})


class _RangeReader(io.RawIOBase):
    """A seekable read-only view of one object, fetched window by window."""

    def __init__(self, client: Any, bucket: str, key: str, found: Stat) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.size, self.etag = found.size, found.etag
        self.position = 0
        self.body: Any = None  # the streaming body of the current window's GET
        self.body_end = 0  # where that window ends

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        target = max(0, base + offset)
        if target != self.position:
            self._drop_body()
            self.position = target
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size or not len(buffer):
            return 0
        if self.body is None or self.position >= self.body_end:
            self._open_window()
        data = self.body.read(min(len(buffer), self.body_end - self.position))
        if not data:
            raise OSError(f"s3://{self.bucket}/{self.key} ended early at byte {self.position}")
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _open_window(self) -> None:
        self._drop_body()
        end = min(self.size, self.position + READ_WINDOW)
        answer = self.client.get_object(
            Bucket=self.bucket,
            Key=self.key,
            Range=f"bytes={self.position}-{end - 1}",
            IfMatch=f'"{self.etag}"',  # a file replaced meanwhile fails, never mixes
        )
        self.body, self.body_end = answer["Body"], end

    def _drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop_body()
        super().close()
