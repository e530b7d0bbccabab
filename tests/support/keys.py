"""API keys in requests."""


def bearer(key: str) -> dict[str, str]:
    """The header that sends `key`."""
    return {"Authorization": f"Bearer {key}"}
