"""Bytes to text: size limits, binary and empty inputs refused, encodings detected, JSON lines split."""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from counterclaim.errors import (
    UNSTORABLE,
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputTooLargeError,
    InvalidCharacterError,
    MissingInputError,
    escape_unstorable,
)
from counterclaim.models import Document

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
    """The bytes of one input file: a regular file, of which at most ``max_bytes + 1`` bytes are read.

    Raises:
        InputError: missing, unreadable, not a regular file (a folder, a device, a FIFO, a
            socket), or over the size limit.
    """
    source = str(path)
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise InputTooLargeError(
                source,
                f"the file is {describe_size(size)}, over the {describe_size(max_bytes)} limit (--max-bytes)",
            )
        try:
            # bounded whatever the size said: files of /proc say 0 and can be longer
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise MissingInputError(source, f"cannot read it ({error.strerror})") from error
    if len(data) > max_bytes:
        raise InputTooLargeError(
            source, f"the file is over the {describe_size(max_bytes)} limit (--max-bytes)"
        )
    return data


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened to read bytes, if it is a regular file (or a link to one).

    Raises:
        MissingInputError: missing, unreadable, or a folder, a device, a FIFO or a socket: a
            device such as /dev/zero never ends and a FIFO blocks until someone writes to it.
    """
    source = str(path)
    try:
        # the kind first, from the name: opening a FIFO or a device can wait or have effects
        _refuse_special(path.stat().st_mode, source)
        # no wait even if the file was swapped for a FIFO since: checked again once it is open
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as error:
        raise MissingInputError(source, "no such file") from error
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error
    try:
        _refuse_special(os.fstat(descriptor).st_mode, source)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _refuse_special(mode: int, source: str) -> None:
    """Refuse anything but a regular file, naming what it is."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise MissingInputError(source, "this is a folder, not a file")
    kind = (
        "a character device (such as /dev/zero)" if stat.S_ISCHR(mode)
        else "a block device" if stat.S_ISBLK(mode)
        else "a FIFO (a named pipe)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a special file"
    )  # fmt: skip
    raise MissingInputError(
        source, f"this is {kind}, not a regular file: only files are read (save its content to a file first)"
    )


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one text file, decoded (see :func:`decode_bytes`).

    Raises:
        InputError: missing, unreadable, too large, empty, binary or in no encoding that fits.
    """
    return decode_text(read_bytes(path, max_bytes=max_bytes), str(path))


def check_characters(document: Document) -> Document | InvalidCharacterError:
    """The document, or the error naming the first NUL or lone surrogate in its text or metadata.

    PostgreSQL refuses NUL in text, and no database takes a lone surrogate (it is not UTF-8):
    one such document would abort its whole batch, and the same batch of every rerun. They
    come from JSON escapes (``\\u0000``, ``\\ud800``), from text past the first 8 KB (where
    :func:`decode_bytes` looks for binary) and from file names that are not UTF-8.
    """
    path = str(document.path) if document.path else None
    fields = (
        ("text", document.text),
        ("name", document.id),
        ("path", path),
        ("title", document.title),
        ("outlet", document.outlet),
        ("URL", document.url),
    )
    for field, value in fields:
        found = UNSTORABLE.search(value) if value else None
        if found is None:
            continue
        where = f"the {field} holds"
        at = f"at character {found.start() + 1}"
        if found.group() == "\x00":
            reason = f"{where} a NUL character (\\x00) {at}, which no ledger can store: remove it"
        elif field in ("name", "path"):
            reason = f"{where} a byte that is not UTF-8 {at} ({escape_unstorable(found.group())}): rename it"
        else:
            reason = (
                f"{where} a lone surrogate ({escape_unstorable(found.group())}) {at}, not a character "
                "(a broken \\u escape?), which no ledger can store: fix or remove it"
            )
        return InvalidCharacterError(path or document.id, reason)
    return document


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
