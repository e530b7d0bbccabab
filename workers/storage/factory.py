"""The deployment's storage: a local directory or an S3 bucket (storage/s3.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workers.storage.base import Storage
from workers.storage.local import LocalStorage

if TYPE_CHECKING:
    from workers.config import Settings


def storage_for(settings: Settings) -> Storage:
    """The deployment's storage: NARRATE_STORAGE's bucket, else its directory, else
    DATA_DIR/audio."""
    if settings.s3_bucket:
        from workers.storage.s3 import S3Storage

        return S3Storage(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url)
    return LocalStorage(settings.audio_dir)
