"""Configuration from environment variables, read once and passed around.

Every setting has a safe embedded default, so `narrate serve` runs with nothing set:
files and the SQLite catalog under NARRATE_DATA_DIR, and an embedded Redis when
REDIS_URL is unset.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from workers.links import article_links
from workers.pipeline.errors import NarrateError
from workers.pipeline.speech.style import DEFAULT_STYLE, checked_style

N = TypeVar("N", int, float)
MIN_RATE, MAX_RATE = 80, 450  # words a minute a deployment or a submission may ask


class ConfigurationError(NarrateError):
    title = "Configuration error"
    status = 500


def default_data_dir(env: Mapping[str, str]) -> Path:
    home = Path(env.get("HOME") or Path.home())
    base = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / "narrate"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: `narrate serve` starts an embedded Redis
    broker_prefix: str = ""  # prefixes every Redis key, so deployments can share a server
    max_upload_bytes: int = 1_000_000
    voice: str = "gmw/en"
    style: str = DEFAULT_STYLE  # house style for a voice that names no locale (NARRATE_STYLE)
    collection_voices: Mapping[str, str] = field(default_factory=dict)  # collection -> voice
    piper_voice_dir: Path | None = None  # None: DATA_DIR/voices
    rate: int = 175
    bitrate_kbps: int = 64
    synth_timeout_s: float = 20.0
    synth_attempts: int = 3
    engine_idle_s: float = 300.0  # a worker's engine unused this long is closed
    cors_origins: tuple[str, ...] = ("*",)
    api_tokens: tuple[str, ...] = ()  # none: anyone who can reach the service may write
    visibility_timeout_s: int = 900  # Redis redelivers a task unacknowledged this long
    public_url: str = "http://127.0.0.1:8000"  # the base of every absolute link
    limit_submissions: str = "120/minute;2000/hour"  # per API key (or client address)
    # spoken characters submitted (text without markup), per API key (or client address)
    limit_characters: str = "10000000/hour"
    max_article_chars: int = 200_000  # one article's spoken characters: about 3 h of audio
    limit_reads: str = "600/minute"  # per client address
    log_format: str = "text"  # or "json": one object per line
    frame_ancestors: str = "*"  # who may frame /player/ID (a CSP source list)
    trusted_hosts: tuple[str, ...] = ()  # none: any Host header is answered (never echoed)
    # the addresses the web server listens on (service.security.exposure); none: as
    # gunicorn recorded them (service.gunicorn_conf), else loopback as far as it knows
    listen: tuple[str, ...] = ()
    webhook_secret: str | None = None  # None: a random one kept in the data directory
    webhook_attempts: int = 6
    webhook_backoff_s: float = 5.0  # doubles after every failed attempt
    webhook_allow_private: bool = False  # callbacks to private/local addresses (see callback_urls)
    max_batch_bytes: int = 50_000_000
    max_batch_items: int = 10_000
    lexicon_file: Path | None = None  # None: lexicon.tsv in the data directory
    learn_boilerplate: bool = True  # drop lines a publisher's articles share (catalog/boilerplate)
    boilerplate_min_articles: int = 3  # ... once this many other articles have them
    task_retries: int = 20  # a transient failure (database, broker, storage) retried this often
    retry_backoff_max_s: float = 15.0  # the longest wait between two retries
    stall_s: int = 30  # an unfinished job without a heartbeat this long is queued again
    recovery_interval_s: float = 5.0  # how often every worker looks for stalled jobs
    job_attempts: int = 5  # stalls in a row before a job is failed as unable to progress
    article_in_flight: int = 4  # paragraph tasks one article may have queued or running
    chunk_chars: int = 300  # about this much spoken text per paragraph task
    pin_processes: bool = True  # pool processes filling the cores each keep to one (placement)
    segment_store_mb: int = 4096  # segments beyond this are evicted, least recently used first
    storage_dir: Path | None = None  # None: DATA_DIR/audio (unless s3_bucket is set)
    s3_bucket: str | None = None  # audio in this bucket instead of a directory
    s3_prefix: str = ""  # "" or "some/prefix/": where in the bucket
    s3_endpoint_url: str | None = None  # an S3-compatible server; None: AWS's own

    def article_links(self, article_id: str) -> dict[str, str]:
        """The article's API links (workers.links, the one place links are built)."""
        return article_links(self.public_url, article_id)

    @property
    def piper_voice_dirs(self) -> tuple[Path, ...]:
        return (self.piper_voice_dir or self.data_dir / "voices",)

    def voice_for(self, collection: str, requested: str | None = None) -> str:
        """The submission's own voice, else its collection's, else the deployment's."""
        return requested or self.collection_voices.get(collection) or self.voice

    @property
    def audio_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "audio"

    @property
    def storage_url(self) -> str:
        """NARRATE_STORAGE as it would be written for these settings."""
        if self.s3_bucket:
            return f"s3://{self.s3_bucket}/{self.s3_prefix}"
        return str(self.audio_dir)

    @property
    def lexicon_path(self) -> Path:
        return self.lexicon_file or self.data_dir / "lexicon.tsv"

    @property
    def embedded_redis_socket(self) -> Path:
        return self.data_dir / "redis.sock"

    @property
    def broker_url(self) -> str:
        return self.redis_url or f"redis+socket://{self.embedded_redis_socket}"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("NARRATE_DATA_DIR") or default_data_dir(env)).expanduser()
        storage_dir, s3_bucket, s3_prefix = _storage(env, "NARRATE_STORAGE")
        if env.get("NARRATE_LIMIT_PARAGRAPHS"):  # the quota counted lines, whatever their length
            raise ConfigurationError(
                "NARRATE_LIMIT_PARAGRAPHS is no longer read: the quota counts spoken characters, "
                "set NARRATE_LIMIT_CHARACTERS instead (e.g. 10000000/hour)"
            )
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'narrate.db'}",
            redis_url=env.get("REDIS_URL") or None,
            broker_prefix=env.get("NARRATE_BROKER_PREFIX", ""),
            max_upload_bytes=_int(env, "NARRATE_MAX_UPLOAD_BYTES", 1_000_000, minimum=1),
            max_article_chars=_int(env, "NARRATE_MAX_ARTICLE_CHARS", 200_000, minimum=1),
            voice=env.get("NARRATE_VOICE") or "gmw/en",
            style=_style(env, "NARRATE_STYLE"),
            collection_voices=_pairs(env, "NARRATE_COLLECTION_VOICES"),
            piper_voice_dir=Path(env["NARRATE_PIPER_VOICES_DIR"]).expanduser()
            if env.get("NARRATE_PIPER_VOICES_DIR")
            else None,
            rate=_int(env, "NARRATE_RATE", 175, minimum=MIN_RATE, maximum=MAX_RATE),
            bitrate_kbps=_int(env, "NARRATE_BITRATE_KBPS", 64, minimum=8, maximum=320),
            synth_timeout_s=_float(env, "NARRATE_SYNTH_TIMEOUT_S", 20.0, minimum=0.5),
            engine_idle_s=_float(
                env, "NARRATE_ENGINE_IDLE_S", 300.0, minimum=1.0, maximum=86_400.0
            ),
            cors_origins=_list(env, "NARRATE_CORS_ORIGINS", "*"),
            api_tokens=_list(env, "NARRATE_API_TOKENS"),
            visibility_timeout_s=_int(env, "NARRATE_VISIBILITY_TIMEOUT_S", 900, minimum=1),
            public_url=env.get("NARRATE_PUBLIC_URL") or "http://127.0.0.1:8000",
            trusted_hosts=_list(env, "NARRATE_TRUSTED_HOSTS"),
            listen=_list(env, "NARRATE_LISTEN"),
            frame_ancestors=env.get("NARRATE_FRAME_ANCESTORS") or "*",
            log_format=_choice(env, "NARRATE_LOG_FORMAT", ("text", "json")),
            limit_submissions=_limits(env, "NARRATE_LIMIT_SUBMISSIONS", "120/minute;2000/hour"),
            limit_characters=_limits(
                env, "NARRATE_LIMIT_CHARACTERS", "10000000/hour", MAX_CHARACTERS_AMOUNT
            ),
            limit_reads=_limits(env, "NARRATE_LIMIT_READS", "600/minute"),
            webhook_secret=env.get("NARRATE_WEBHOOK_SECRET") or None,
            webhook_attempts=_int(env, "NARRATE_WEBHOOK_ATTEMPTS", 6, minimum=1),
            webhook_backoff_s=_float(env, "NARRATE_WEBHOOK_BACKOFF_S", 5.0, minimum=0.0),
            webhook_allow_private=_flag(env, "NARRATE_WEBHOOK_ALLOW_PRIVATE"),
            max_batch_bytes=_int(env, "NARRATE_MAX_BATCH_BYTES", 50_000_000, minimum=1),
            max_batch_items=_int(env, "NARRATE_MAX_BATCH_ITEMS", 10_000, minimum=1),
            task_retries=_int(env, "NARRATE_TASK_RETRIES", 20, minimum=0),
            retry_backoff_max_s=_float(env, "NARRATE_RETRY_BACKOFF_MAX_S", 15.0, minimum=0.1),
            stall_s=_int(env, "NARRATE_STALL_S", 30, minimum=1),
            recovery_interval_s=_float(env, "NARRATE_RECOVERY_INTERVAL_S", 5.0, minimum=0.1),
            job_attempts=_int(env, "NARRATE_JOB_ATTEMPTS", 5, minimum=1),
            article_in_flight=_int(env, "NARRATE_ARTICLE_IN_FLIGHT", 4, minimum=1),
            chunk_chars=_int(env, "NARRATE_CHUNK_CHARS", 300, minimum=1),
            pin_processes=_flag(env, "NARRATE_PIN_PROCESSES", default=True),
            segment_store_mb=_int(env, "NARRATE_SEGMENT_STORE_MB", 4096, minimum=1),
            lexicon_file=Path(env["NARRATE_LEXICON"]).expanduser()
            if env.get("NARRATE_LEXICON")
            else None,
            learn_boilerplate=_flag(env, "NARRATE_LEARN_BOILERPLATE", default=True),
            boilerplate_min_articles=_int(env, "NARRATE_BOILERPLATE_MIN_ARTICLES", 3, minimum=1),
            storage_dir=storage_dir,
            s3_bucket=s3_bucket,
            s3_prefix=s3_prefix,
            s3_endpoint_url=_http_url(env, "NARRATE_S3_ENDPOINT_URL"),
        )


def _int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None
    return _in_range(name, value, minimum, maximum)


def _float(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}")
    return _in_range(name, value, minimum, maximum)


def _in_range(name: str, value: N, minimum: N | None, maximum: N | None) -> N:
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name} must be at most {maximum}, got {value}")
    return value


def _flag(env: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in {"0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ConfigurationError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


def _list(env: Mapping[str, str], name: str, default: str = "") -> tuple[str, ...]:
    """A comma-separated list, blanks dropped."""
    return tuple(item.strip() for item in env.get(name, default).split(",") if item.strip())


def _pairs(env: Mapping[str, str], name: str) -> dict[str, str]:
    """`key=value,key=value` (the voice per collection: `sport=piper:en_US-joe-medium`)."""
    pairs = {}
    for item in _list(env, name):
        key, equals, value = (part.strip() for part in item.partition("="))
        if not (key and equals and value):
            raise ConfigurationError(
                f"{name} must be a comma-separated list of collection=voice, got {item!r}"
            )
        pairs[key] = value
    return pairs


def _limits(env: Mapping[str, str], name: str, default: str, maximum: int | None = None) -> str:
    """Rate limits in Flask-Limiter's notation, e.g. '120/minute;2000/hour'. A default is
    not parsed again (tests/unit/test_config.py checks the defaults), so a process that
    never limits anything (`narrate convert`) does not load the `limits` package."""
    raw = (env.get(name) or default).strip()
    if raw == default:
        return raw
    problem = limits_problem(raw, maximum or MAX_LIMIT_AMOUNT)
    if problem:
        raise ConfigurationError(f"{name} {problem}, got {raw!r}")
    return raw


LIMITS_EXAMPLE = "120/minute;2000/hour"
MAX_LIMIT_AMOUNT = 1_000_000  # requests per period
# characters per period: a quota charged by the character counts far higher, still far
# below the 64-bit counters the limiter keeps in Redis (9999999999999999999999 broke them)
MAX_CHARACTERS_AMOUNT = 10**12


def limits_problem(raw: str, maximum: int = MAX_LIMIT_AMOUNT) -> str | None:
    """What is wrong with `raw` as rate limits (what NARRATE_LIMIT_* and a key's own
    submission limit take), or None: Flask-Limiter's notation, each limit 1 to
    `maximum` a period."""
    from limits import parse_many

    try:
        items = parse_many(raw) if len(raw) <= 200 else []
    except ValueError:
        items = []
    if not items:
        return (
            f"must be rate limits in Flask-Limiter's notation, such as '{LIMITS_EXAMPLE}' or "
            "'600/minute;10000/hour'"
        )
    for item in items:
        if not 1 <= item.amount <= maximum:
            return (
                f"allows {item.amount} per {item.multiples} {item.GRANULARITY.name}; each "
                f"limit must be at least 1 and at most {maximum} a period"
            )
    return None


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _storage(env: Mapping[str, str], name: str) -> tuple[Path | None, str | None, str]:
    """(directory, bucket, prefix) from `s3://bucket/prefix`, a directory, or nothing."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None, None, ""
    scheme, separator, rest = raw.partition("://")
    if not separator:
        return Path(raw).expanduser(), None, ""
    bucket, _, prefix = rest.partition("/")
    parts = [part for part in prefix.split("/") if part]
    if scheme != "s3" or not _BUCKET.fullmatch(bucket) or ".." in parts:
        raise ConfigurationError(
            f"{name} must be s3://bucket/prefix (a valid bucket name) or a directory, got {raw!r}"
        )
    return None, bucket, "".join(f"{part}/" for part in parts)


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def _style(env: Mapping[str, str], name: str) -> str:
    try:
        return checked_style(env.get(name) or DEFAULT_STYLE)
    except ValueError as error:
        raise ConfigurationError(f"{name}: {error}") from None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first is the default)."""
    raw = (env.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw
