"""The one place where values become safe to print.

Messages never interpolate raw metadata values: they go through `shown()`,
which keeps only short, credential-free text, or `masked()`, which keeps a
recognisable prefix of a key ID and stars for the rest.
"""
from __future__ import annotations

import re

AWS_KEY_ID = re.compile(r"\b((?:AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[A-Z0-9]{12,})\b")
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^\s:/@]*):(?P<password>[^\s@/]+)@")
_SAFE_TEXT = re.compile(r"^[A-Za-z0-9._:/@{}$ -]{0,64}$")


def masked(value: str) -> str:
    """A secret shown as its kind: `AKIA…****` for key IDs, stars otherwise."""
    if AWS_KEY_ID.match(value.strip()):
        return value.strip()[:4] + "…" + "*" * 8
    return "*" * 8


def looks_secret(value: str) -> bool:
    return bool(AWS_KEY_ID.search(value) or PEM_PRIVATE_KEY.search(value) or URL_CREDENTIALS.search(value))


def shown(value: str) -> str:
    """A non-secret value (a region, a type) quoted for a message, or a mask."""
    if looks_secret(value):
        return masked(value)
    if _SAFE_TEXT.match(value):
        return f"'{value}'"
    return "'********'"


def scrub(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Remove known secret values and credential shapes from free text."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and len(secret) >= 3:
            text = text.replace(secret, masked(secret))
    text = AWS_KEY_ID.sub(lambda m: m.group(1)[:4] + "…" + "*" * 8, text)
    text = URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:********@", text)
    return PEM_PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- ********", text)
