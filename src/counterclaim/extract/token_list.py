"""A sentence's speaker tokens as a list that also tells a place from a speaker in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Tokens(list[T]):
    """A sentence's tokens, and how to tell a place from a speaker in it ("SANA reporter in Homs
    said": Homs is where, not who).

    In a module of its own: mypyc (benchmarks/compiled.py) compiles no subclass of ``list``, and
    the phrase rules that read these tokens are among the modules it compiles.
    """

    is_place: Callable[[str], bool] | None = None
