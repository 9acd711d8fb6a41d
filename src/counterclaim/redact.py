"""Passwords out of URLs before anything prints, stores or raises them: one rule for the whole project."""

from __future__ import annotations

import re

#: ``scheme://user:password@``: the password runs to the authority's last ``@`` (one written
#: unencoded may hold an ``@`` itself), and never past a ``/``, ``?``, ``#`` or a space.
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*):[^/?#\s]*@")
#: What a hidden password reads as (SQLAlchemy's own mark, so every URL the project shows agrees).
HIDDEN = "***"


def without_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***`` (the user name is kept).

    >>> without_passwords("cannot open postgresql://analyst:s3cret@db.example/ledger")
    'cannot open postgresql://analyst:***@db.example/ledger'
    """
    if "@" not in text:  # the common case, and the cheap one
        return text
    return _USERINFO.sub(lambda match: f"{match['head']}:{HIDDEN}@", text)


__all__ = ["HIDDEN", "without_passwords"]
