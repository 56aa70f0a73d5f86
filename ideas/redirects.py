"""Safe redirect targets: only paths on this site."""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    if not target:
        return None
    target = target.strip()
    # Control characters could split the Location header; such a target is not ours.
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target
