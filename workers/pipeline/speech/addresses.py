"""Web addresses and e-mails to their spoken domain."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.tables import _alternation, _word_set


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    tlds = _alternation(_word_set("tlds"))
    label = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    email = re.compile(
        rf"(?<![\w.+-])([\w.+-]+)@((?:{label}\.)+(?:{tlds}))(?![\w-]|\.[a-z0-9])",
        re.IGNORECASE,
    )
    url = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
    domain = re.compile(
        rf"(?<![\w@./-])((?:{label}\.)+(?:{tlds}))(?![\w-]|\.[a-z0-9])(/[^\s<>\"']*)?",
        re.IGNORECASE,
    )
    return email, url, domain


def _say_domain(host: str) -> str:
    labels = [part for part in host.lower().split(".") if part]
    if labels and labels[0] == "www":
        labels = labels[1:]
    spoken = []
    for part in labels:
        part = part.replace("-", " ")
        if part.isalpha() and len(part) <= 5 and not set(part) & set("aeiouy"):
            part = " ".join(part)
        spoken.append(part)
    return " dot ".join(spoken)


def speak_urls(text: str) -> str:
    """URLs and bare domains to their spoken domain; the path is dropped."""
    email, url, domain = _url_patterns()

    def say_url(match: re.Match[str]) -> str:
        whole = match.group(0)
        tail = re.search(r"[.,;:!?)\]]+$", whole)
        trailing = tail.group(0) if tail else ""
        core = whole[: len(whole) - len(trailing)]
        host = re.sub(r"^(?:https?://)?", "", core, flags=re.IGNORECASE)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        return _say_domain(host) + trailing

    text = email.sub(
        lambda m: f"{m.group(1).replace('.', ' dot ')} at {_say_domain(m.group(2))}", text
    )
    text = url.sub(say_url, text)
    return domain.sub(lambda m: _say_domain(m.group(1)), text)
