"""Bytes to text: size limits, binary and empty inputs refused, encodings detected, JSON lines split."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from counterclaim.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputTooLargeError,
    MissingInputError,
)

#: Inputs larger than this are refused (a news article is rarely over 200 KB).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
NOT_AN_OBJECT = "each line must be a JSON object"
#: File signatures of the binary files most often fed by mistake, for a precise message.
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt file)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls)"),
)


def describe_size(size: int) -> str:
    """A byte count for people: 512 bytes, 3.2 KB, 10.0 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def decode_bytes(data: bytes, source: str, *, html: bool = False) -> tuple[str, str]:
    """Decode a text file's bytes: UTF-8, else the encoding they are detected to be in.

    Returns the text and the encoding it was decoded from (see :mod:`counterclaim.ingest.charsets`).

    Raises:
        InputError: empty, binary, or in no encoding that fits.
    """
    from counterclaim.ingest.charsets import detect_encoding

    if not data.strip():
        raise EmptyInputError(source, "the file is empty")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(source, f"this is {kind}, not text")
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BinaryInputError(source, "this is a binary file, not text")
    encoding = detect_encoding(data, html=html)
    if encoding is None:
        raise EncodingError(source, "not UTF-8, and no other text encoding fits; re-encode the file as UTF-8")
    text = data.decode(encoding, errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 20):
        raise BinaryInputError(source, "this looks like a binary file (many control characters)")
    if not text.strip():
        raise EmptyInputError(source, "the file holds only whitespace")
    return text, encoding


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file's bytes (see :func:`decode_bytes`)."""
    return decode_bytes(data, source)[0]


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one input file.

    Raises:
        InputError: missing, unreadable, a folder, or over the size limit.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise MissingInputError(source, "no such file") from error
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error
    if path.is_dir():
        raise MissingInputError(source, "this is a folder, not a file")
    if size > max_bytes:
        raise InputTooLargeError(
            source,
            f"the file is {describe_size(size)}, over the {describe_size(max_bytes)} limit (--max-bytes)",
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one text file, decoded (see :func:`decode_bytes`).

    Raises:
        InputError: missing, unreadable, too large, empty, binary or in no encoding that fits.
    """
    return decode_text(read_bytes(path, max_bytes=max_bytes), str(path))


def json_lines(text: str, path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Each non-blank line of a JSONL text as ``(FILE:LINE, object)``, or ``(FILE:LINE, problem)``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            yield where, f"not valid JSON ({error.msg} at column {error.colno})"
            continue
        if not isinstance(entry, dict):
            yield where, NOT_AN_OBJECT
            continue
        yield where, entry
