"""Digests of content, for the keys of caches.

They come from CPython's own BLAKE2 (the ``_blake2`` module): importing ``hashlib`` loads
OpenSSL, a few milliseconds that every scan would pay at start-up for keys only the caches
read. On another Python, ``hashlib``'s BLAKE2 gives the same digests.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b

DIGEST_SIZE = 32  # bytes: 64 hexadecimal digits


def hasher(*parts: bytes) -> blake2b:
    """A 256-bit BLAKE2b hasher, fed ``parts``."""
    found = blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        found.update(part)
    return found
