"""The reconciliation error: a series, method, date or data file it cannot work with."""

from __future__ import annotations

from counterclaim.errors import CounterclaimError


class ReconcileError(CounterclaimError, ValueError):
    """E501: reconciliation cannot go on (unknown series or method, no usable claims, bad priors).

    It sits under :class:`~counterclaim.errors.CounterclaimError`, so the CLI prints it as one
    line and exits with status 1.
    """

    code = "E501"
