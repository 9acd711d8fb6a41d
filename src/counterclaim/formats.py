"""Claims to and from JSONL and CSV, the formats the CLI writes and the gold files use."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from counterclaim.errors import DataFileError
from counterclaim.models import CLAIM_FIELDS, MEASURES, QUALIFIERS, Claim


def claims_to_jsonl(claims: Iterable[Claim]) -> Iterator[str]:
    """One JSON line per claim, keys in contract order (extra fields last)."""
    for claim in claims:
        yield json.dumps(claim.to_dict(), ensure_ascii=False)


def claims_to_csv(claims: Iterable[Claim]) -> str:
    """The claims as CSV with the contract's columns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CLAIM_FIELDS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for claim in claims:
        writer.writerow(claim.to_dict())
    return buffer.getvalue()


def read_claims(path: Path) -> list[Claim]:
    """Read a JSONL file of claims (a gold file, or the extractor's own output).

    Raises:
        DataFileError: the file cannot be read, or a line is not a valid claim.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"cannot read claims file {path}: {error}") from error
    claims = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataFileError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        if not isinstance(data, dict):
            raise DataFileError(f"{path}:{number}: each line must be a JSON object")
        if data.get("measure") not in MEASURES or data.get("qualifier") not in QUALIFIERS:
            raise DataFileError(
                f"{path}:{number}: measure {data.get('measure')!r} / qualifier "
                f"{data.get('qualifier')!r} is not one of docs/claims.md's values"
            )
        claims.append(Claim.from_dict(data))
    return claims
