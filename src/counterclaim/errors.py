"""The project's exceptions, each with a coded message a user can act on.

Hierarchy::

    CounterclaimError                 base of everything the project raises on purpose
    ├── InputError                    an input (file, manifest line, URL) could not be read
    │   ├── EmptyInputError           E101 the input holds no text
    │   ├── BinaryInputError          E102 the input is not text
    │   ├── EncodingError             E103 the bytes are not UTF-8 and no other encoding fits
    │   ├── InputTooLargeError        E104 the input is over the size limit
    │   ├── MissingInputError         E105 the path does not exist or is not a file
    │   ├── ManifestError             E106 a manifest line is malformed
    │   ├── CorpusRowError            E107 a JSONL/CSV corpus row is malformed
    │   ├── BrokenHTMLError           E108 a web page holds no article text that can be read
    │   ├── FetchError                E109 a URL could not be fetched
    │   ├── NotEnglishError           E110 the text is not English (skipped)
    │   ├── ArchiveError              E111 a WARC file is damaged or not a WARC file
    │   ├── ExtractionError           E112 the extractor failed on a document (the run goes on)
    │   ├── TableRowError             E113 a row of an imported table cannot become a claim
    │   ├── InvalidCharacterError     E114 a text or its metadata holds a NUL or a lone surrogate
    │   ├── NotProseError             E115 the text is not running prose (skipped)
    │   ├── RobotsDisallowedError     E120 robots.txt forbids fetching the URL (or cannot be read)
    │   ├── RedirectLoopError         E121 a URL redirects in a loop, or too many times
    │   ├── NotAFeedError             E122 a feed URL answers something that is not RSS, Atom or a sitemap
    │   └── FetchTimeoutError         E123 a server did not answer or send in time (--timeout)
    ├── DataFileError                 E201 a data file (actors, lexicon, gold) is malformed
    ├── InvalidDateError              E301 a date is not an ISO date (YYYY-MM-DD)
    ├── LedgerError                   E401 the ledger cannot be opened or written
    │   ├── NotFoundError             E402 no claim, document or run has the id asked for
    │   ├── CorrectionError           E403 a correction names an unknown field or an impossible value
    │   │   └── NothingToCorrectError E404 a correction names no field to change
    │   └── NotALedgerError           E405 a file the demo would replace is not a ledger (left alone)
    ├── ReconcileError                E501 reconciliation cannot go on (series, method, claims, priors)
    │   └── BacktestError             E502 a back-test's span or horizons are malformed, or nothing to score
    ├── ScaleError                    E601 Dask is missing, the cluster cannot be reached or finish
    └── FeedError                     E701 a feed cannot be added, found or removed as asked

The CLI prints ``str(error)`` as one line and exits non-zero; it never shows a traceback
for these. No message holds a password: every URL in it is shown with ``***`` instead.
"""

from __future__ import annotations

import re

from counterclaim.redact import without_passwords

#: Characters no database stores: NUL (PostgreSQL's text refuses it) and lone surrogates (not
#: characters at all, so not UTF-8: a broken ``\ud800`` escape, or a file name's undecodable byte).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def escape_unstorable(text: str) -> str:
    """``text`` with each NUL and lone surrogate written as its escape (``\\x00``, ``\\ud800``)."""
    return UNSTORABLE.sub(lambda found: repr(found.group())[1:-1], text)


class CounterclaimError(Exception):
    """Base class of every error the project raises on purpose."""

    code = "E000"

    def __init__(self, message: str) -> None:
        # here, so that no error can carry a database's or an article's password to a terminal,
        # a log, an HTTP answer or the ledger's table of input errors
        super().__init__(f"[{self.code}] {without_passwords(message)}")


class InputError(CounterclaimError):
    """An input could not be read; the batch goes on without it."""

    code = "E100"

    def __init__(self, source: str, message: str) -> None:
        # escaped: the error is recorded in the ledger even when its input's name or a quoted
        # value holds a character no database stores; a URL's password is never kept
        self.source = escape_unstorable(without_passwords(source))
        self.reason = escape_unstorable(message)
        super().__init__(f"{self.source}: {self.reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # rebuilt from its parts, not from the formatted message: errors travel between the
        # processes of a Dask cluster (see counterclaim.ingest.cluster)
        return type(self), (self.source, self.reason)


class EmptyInputError(InputError):
    """The input holds no text."""

    code = "E101"


class BinaryInputError(InputError):
    """The input is binary, not text."""

    code = "E102"


class EncodingError(InputError):
    """The bytes are not UTF-8 and no other encoding fits them."""

    code = "E103"


class InputTooLargeError(InputError):
    """The input is over the size limit."""

    code = "E104"


class MissingInputError(InputError):
    """The path does not exist or is not a readable file."""

    code = "E105"


class ManifestError(InputError):
    """A manifest line is malformed."""

    code = "E106"


class BrokenHTMLError(InputError):
    """A web page holds no article text that can be read."""

    code = "E108"


class FetchError(InputError):
    """A URL could not be fetched: unreachable, timed out, an HTTP error, not a web page."""

    code = "E109"


class NotEnglishError(InputError):
    """The document is not in English; it is skipped."""

    code = "E110"


class ArchiveError(InputError):
    """A WARC file is damaged or not a WARC file (the records read before the damage are kept)."""

    code = "E111"


class ExtractionError(InputError):
    """The extractor raised on a document: it is recorded and skipped, the others go on."""

    code = "E112"


class CorpusRowError(InputError):
    """A row of a JSONL or CSV corpus is malformed."""

    code = "E107"


class TableRowError(InputError):
    """A row of an imported table cannot become a claim."""

    code = "E113"


class InvalidCharacterError(InputError):
    """A document's text or metadata holds a NUL or a lone surrogate, which no ledger can store."""

    code = "E114"


class NotProseError(InputError):
    """The text is not running prose (a listing, a table, a configuration or data file); it is skipped."""

    code = "E115"


class DataFileError(CounterclaimError):
    """A data file (actor registry, lexicon, gold file) is malformed."""

    code = "E201"


class InvalidDateError(CounterclaimError, ValueError):
    """A date is not an ISO date."""

    code = "E301"


class LedgerError(CounterclaimError):
    """The ledger cannot be opened or written."""

    code = "E401"


class NotFoundError(LedgerError, LookupError):
    """No claim, document or run has the id asked for (the web answers 404)."""

    code = "E402"


class CorrectionError(LedgerError, ValueError):
    """A correction names a field that cannot be corrected or a value the field cannot hold."""

    code = "E403"


class ReconcileError(CounterclaimError, ValueError):
    """Reconciliation cannot go on (unknown series or method, no usable claims, bad priors).

    It sits under :class:`CounterclaimError`, so the CLI prints it as one line and exits with status 1.
    """

    code = "E501"


class BacktestError(ReconcileError):
    """A back-test's options are malformed (``--every``, ``--horizons``) or it has nothing to score."""

    code = "E502"


class ScaleError(CounterclaimError):
    """Dask is not installed, the cluster cannot be reached, or it cannot finish the work."""

    code = "E601"


class NothingToCorrectError(CorrectionError):
    """A correction names no field to change and does not reject the claim."""

    code = "E404"


class NotALedgerError(LedgerError):
    """A file that would be replaced by a fresh ledger is not a counterclaim ledger: it is left alone."""

    code = "E405"


class RobotsDisallowedError(InputError):
    """The site's robots.txt forbids fetching the URL, or cannot be read (retried later)."""

    code = "E120"


class RedirectLoopError(InputError):
    """A URL redirects in a loop, or through more hops than allowed."""

    code = "E121"


class NotAFeedError(InputError):
    """A feed URL answers something that is not RSS, Atom or an XML sitemap."""

    code = "E122"


class FetchTimeoutError(FetchError):
    """A server did not answer, or did not send its answer, within the timeout."""

    code = "E123"


class FeedError(CounterclaimError, ValueError):
    """A feed cannot be added, found or removed as asked (a bad URL, an unknown name, a name taken)."""

    code = "E701"
