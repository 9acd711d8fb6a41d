"""Telling the character encoding of a text that is not UTF-8, and decoding it."""

from __future__ import annotations

import codecs
import re

#: How much of a file the encoding is judged on.
SAMPLE_BYTES = 64 * 1024
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag, if Python knows it."""
    found = _HTML_CHARSET.search(data[:SAMPLE_BYTES])
    if not found:
        return None
    name = found.group(1).decode("ascii", "replace")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_encoding(data: bytes, *, html: bool = False) -> str | None:
    """The encoding of ``data``: a byte-order mark, UTF-8, a page's declared charset, else a guess.

    The guess is made in two steps because statistical detectors are unreliable on the short
    texts news files often are. Western European text in a legacy encoding has only a few
    non-ASCII bytes (accents, typographic quotes) and is read as Windows-1252, the superset of
    Latin-1 that Windows and old web pages use; text whose letters are mostly non-ASCII
    (Cyrillic, Greek, Arabic in a single-byte code page) is left to charset-normalizer.
    Returns None when nothing fits.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if html:
        declared = declared_charset(data)
        if declared and _decodes(data, declared):
            return declared
    sample = data[:SAMPLE_BYTES]
    high = sum(1 for byte in sample if byte >= 0x80)
    letters = sum(1 for byte in sample if byte >= 0x80 or (0x41 <= byte <= 0x5A) or (0x61 <= byte <= 0x7A))
    if letters and high / letters < 0.3 and _decodes(sample, "cp1252"):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return None if best is None else str(best.encoding)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
