"""Mapping files (TOML or YAML) of table imports: loaded safely, checked key by key against a schema."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from counterclaim.errors import DataFileError
from counterclaim.models import QUALIFIERS, ROLES, SCOPES
from counterclaim.store import schema

MAPPINGS = Path(__file__).parents[1] / "data" / "mappings"
TABLE_FORMATS = ("csv", "json", "jsonl", "parquet")
#: The claim fields a ``[[claim]]`` block may set, as a constant or from a column.
CLAIM_SETTINGS = ("measure", "party", "role", "claimant", "qualifier", "scope", "subject", "unit")
NUMBER_SETTINGS = ("value", "low", "high")
#: Every key a ``[[claim]]`` block may hold.
CLAIM_KEYS = (
    *NUMBER_SETTINGS,
    *CLAIM_SETTINGS,
    *(f"{name}_column" for name in CLAIM_SETTINGS),
    *(f"{name}_map" for name in CLAIM_SETTINGS),
)
#: Every top-level key of a mapping, and what it holds (docs/import.md).
TOP_LEVEL_KEYS = {
    "name": "a string: the mapping's name",
    "description": "a string",
    "format": f"one of {', '.join(TABLE_FORMATS)}",
    "date_column": "a string: the column with each row's date",
    "date_format": "a string or a list of strings: date formats, tried in turn",
    "date_shift_days": "a whole number of days added to every date",
    "conflict": "a string: the conflict's slug",
    "conflict_start": "a date (YYYY-MM-DD): rows before it are rejected",
    "claimant": "a string: every row's claimant",
    "source_url": "a string",
    "outlet": "a string",
    "thousands": "a string: the thousands separator inside numbers",
    "qualifier_words": "a table of the table's words for qualifiers",
    "skip": "a table of columns, each a table of cell values and the reason to reject such rows",
    "claim": "a list of [[claim]] blocks, each a table",
}
#: The claims' extractor column holds this and the mapping's name.
EXTRACTOR_PREFIX = "table:"
MAX_NAME = schema.max_length(schema.claims, "extractor") - len(EXTRACTOR_PREFIX)
#: The claim fields stored in VARCHAR columns, and their lengths.
FIELD_LENGTHS = {name: schema.max_length(schema.claims, name) for name in ("measure", "unit")}
#: A day more or less than this leaves the calendar (0001-01-01 .. 9999-12-31) from any date.
MAX_SHIFT = (date.max - date.min).days
#: Mapping files are a page or two; these bound what a hostile one can cost.
MAX_MAPPING_BYTES = 1 << 20
MAX_YAML_VALUES = 100_000
_CHOICES = {"role": ROLES, "scope": SCOPES, "qualifier": QUALIFIERS}


@dataclass(frozen=True)
class ClaimSpec:
    """One ``[[claim]]`` block: how a row gives one claim."""

    constants: Mapping[str, str]
    columns: Mapping[str, str]
    maps: Mapping[str, Mapping[str, str]]
    numbers: Mapping[str, str]


@dataclass(frozen=True)
class TableMapping:
    """A parsed mapping file."""

    name: str
    source: str  # where the mapping was read from
    digest: str  # sha256 of the mapping file
    format: str | None
    date_column: str
    date_formats: tuple[str, ...]
    date_shift_days: int
    conflict_start: date | None
    conflict: str | None
    claimant: str | None
    source_url: str | None
    outlet: str | None
    thousands: str
    qualifier_words: Mapping[str, str]
    skip: Mapping[str, Mapping[str, str]]  # column -> cell value -> reason
    claims: tuple[ClaimSpec, ...]
    description: str = ""


class _SchemaError(Exception):
    """A key of the mapping holds what it cannot: where, and what was expected."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)


_DATE_TOKENS = (("yyyy", "%Y"), ("mm", "%m"), ("dd", "%d"), ("m", "%m"), ("d", "%d"), ("yy", "%y"))


def strptime_format(pattern: str) -> str:
    """``d/m/yyyy`` -> ``%d/%m/%Y``; a pattern with ``%`` is already a strptime format."""
    if "%" in pattern:
        return pattern
    out, i = "", 0
    while i < len(pattern):
        for token, directive in _DATE_TOKENS:
            if pattern.startswith(token, i):
                out += directive
                i += len(token)
                break
        else:
            out += pattern[i]
            i += 1
    return out


def shown(text: str, limit: int = 40) -> str:
    """A text quoted for a message, cut short: a cell or a key may be megabytes long."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _kind(value: Any) -> str:
    """What a value is, in the words of TOML and YAML (never the whole of a large value)."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({shown(value)})"
    if isinstance(value, int):
        return f"a whole number ({value})" if value.bit_length() <= 64 else "a whole number"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return "nothing (null)" if value is None else type(value).__name__


def _text(value: Any, where: str, *, what: str = "a string", empty: bool = False, longest: int = 0) -> str:
    if not isinstance(value, str):
        raise _SchemaError(where, f"expected {what}, got {_kind(value)}")
    if "\x00" in value:  # PostgreSQL's text holds none
        raise _SchemaError(where, "holds a NUL character")
    if not empty and not value.strip():
        raise _SchemaError(where, f"expected {what}, got an empty string")
    if longest and len(value) > longest:
        raise _SchemaError(where, f"{shown(value)} is {len(value)} characters; at most {longest}")
    return value


def _cell(key: Any, where: str) -> str:
    """A key of a table of cell values (``measure_map``, ``skip.COLUMN``): cells are compared as text."""
    if isinstance(key, bool) or key is None:
        # YAML 1.1 reads yes/no/on/off as true/false and ~ as null, keys included
        raise _SchemaError(f"{where}.{str(key).lower()}", "a key YAML reads as true/false or null: quote it")
    if isinstance(key, date):
        return key.isoformat()
    if isinstance(key, int | float):
        return str(key)
    return _text(key, f"{where}.{key}", what="a cell value", empty=True)


def _words(
    value: Any, where: str, what: str, check: Callable[[str], str | None] | None = None
) -> dict[str, str]:
    """A table of cell values (matched in any case) to strings, each checked."""
    if not isinstance(value, Mapping):
        raise _SchemaError(where, f"expected a table of {what}, got {_kind(value)}")
    words: dict[str, str] = {}
    for key, word in value.items():
        cell = _cell(key, where)
        text = _text(word, f"{where}.{cell}", empty=True)
        problem = check(text) if check else None
        if problem:
            raise _SchemaError(f"{where}.{cell}", problem)
        words[cell.lower()] = text
    return words


def _whole(value: Any, where: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _SchemaError(where, f"expected a whole number, got {_kind(value)}")
    if not least <= value <= most:
        raise _SchemaError(where, f"{value:,} is not between {least:,} and {most:,}")
    return value


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _SchemaError(where, f"expected a date (YYYY-MM-DD), got {_kind(value)}")


def _date_formats(value: Any) -> tuple[str, ...]:
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns:
        raise _SchemaError("date_format", f"expected a string or a list of strings, got {_kind(value)}")
    formats = []
    for n, pattern in enumerate(patterns, 1):
        where = "date_format" if isinstance(value, str) else f"date_format {n}"
        fmt = strptime_format(_text(pattern, where))
        try:
            datetime.strptime("", fmt)
        except ValueError as error:  # a bad directive is found before the text is read
            if "does not match format" not in str(error):
                raise _SchemaError(where, f"{shown(fmt)} is not a date format: {error}") from None
        else:
            raise _SchemaError(where, f"{shown(fmt)} reads no date")
        formats.append(fmt)
    return tuple(formats)


def _unknown(
    key: Any, known: tuple[str, ...], elsewhere: tuple[str, ...], here: str, there: str
) -> _SchemaError:
    """An unknown key, with the closest known one (difflib) or the block it belongs in."""
    name = str(key)
    if name in elsewhere:
        return _SchemaError(here, f"{name!r} is a key of {there}, not of {here or 'the whole mapping'}")
    close = difflib.get_close_matches(name, [*known, *elsewhere], n=1, cutoff=0.6)
    hint = ""
    if close:
        belongs = f" (a key of {there})" if close[0] not in known else ""
        hint = f"; did you mean {close[0]!r}{belongs}?"
    return _SchemaError(here, f"unknown key {shown(name)}{hint} (the known keys: {', '.join(known)})")


def mapping_from_table(table: Mapping[str, Any], *, source: str, digest: str) -> TableMapping:
    """Check and parse a mapping's table: every key known, every value of its type.

    A key whose value is YAML's null is as if it were not given.

    Raises:
        DataFileError: a key is missing, unknown or holds the wrong type, naming the key and what it takes.
    """
    try:
        return _mapping(table, source, digest)
    except _SchemaError as error:
        raise DataFileError(f"{source}: {error}") from None


def _mapping(table: Mapping[str, Any], source: str, digest: str) -> TableMapping:
    given = {key: value for key, value in table.items() if value is not None}
    for key in given:
        if key not in TOP_LEVEL_KEYS:
            raise _unknown(key, tuple(TOP_LEVEL_KEYS), CLAIM_KEYS, "", "a [[claim]] block")
    for key in ("date_column", "claim"):
        if key not in given:
            raise _SchemaError("", f"the mapping needs {key!r} ({TOP_LEVEL_KEYS[key]})")
    name = given.get("name", Path(source).stem)
    fmt = given.get("format")
    if fmt is not None and fmt not in TABLE_FORMATS:
        raise _SchemaError("format", f"expected one of {', '.join(TABLE_FORMATS)}, got {_kind(fmt)}")
    thousands = _text(given.get("thousands", ","), "thousands", empty=True)
    if any(c.isdigit() or c == "-" for c in thousands):
        raise _SchemaError("thousands", f"{shown(thousands)} holds a digit or a minus sign")
    skip = given.get("skip", {})
    if not isinstance(skip, Mapping):
        raise _SchemaError("skip", f"expected a table of columns ([skip.COLUMN]), got {_kind(skip)}")
    blocks = given["claim"]
    if not isinstance(blocks, list):
        raise _SchemaError(
            "claim", f"expected a list of [[claim]] blocks, got {_kind(blocks)} (write [[claim]])"
        )
    if not blocks:
        raise _SchemaError("claim", "a mapping needs at least one [[claim]] block")
    optional = {
        key: _text(given[key], key)
        for key in ("conflict", "claimant", "source_url", "outlet")
        if key in given
    }
    start = _date(given["conflict_start"], "conflict_start") if "conflict_start" in given else None
    return TableMapping(
        name=_text(name, "name", longest=MAX_NAME),
        source=source,
        digest=digest,
        format=fmt,
        date_column=_text(given["date_column"], "date_column", what="a column name (a string)"),
        date_formats=_date_formats(given.get("date_format", "yyyy-mm-dd")),
        date_shift_days=_whole(given.get("date_shift_days", 0), "date_shift_days", -MAX_SHIFT, MAX_SHIFT),
        conflict_start=start,
        conflict=optional.get("conflict"),
        claimant=optional.get("claimant"),
        source_url=optional.get("source_url"),
        outlet=optional.get("outlet"),
        thousands=thousands,
        qualifier_words=_words(
            given.get("qualifier_words", {}), "qualifier_words", "words and qualifiers", _choice("qualifier")
        ),
        skip={
            _cell(column, "skip"): _words(reasons, f"skip.{column}", "cell values and reasons", _reason)
            for column, reasons in skip.items()
        },
        claims=tuple(_claim_spec(block, f"[[claim]] {n}") for n, block in enumerate(blocks, 1)),
        description=_text(given.get("description", ""), "description", empty=True),
    )


def _choice(name: str, *, empty: bool = False) -> Callable[[str], str | None]:
    allowed = _CHOICES[name]

    def check(text: str) -> str | None:
        if text in allowed or (empty and not text):
            return None
        return f"{name} {shown(text)} is not one of {', '.join(allowed)}"

    return check


def _length(name: str) -> Callable[[str], str | None]:
    longest = FIELD_LENGTHS[name]

    def check(text: str) -> str | None:
        if len(text) <= longest:
            return None
        return f"{name} {shown(text)} is {len(text)} characters; the ledger holds at most {longest}"

    return check


def _reason(text: str) -> str | None:
    return None if text.strip() else "a reason is needed: the row is rejected with it"


#: What each field's constant and map values must be (a map's empty value means "not given").
_FIELD_CHECKS: dict[str, Callable[[str], str | None]] = {
    "measure": _length("measure"),
    "unit": _length("unit"),
    "role": _choice("role", empty=True),
    "scope": _choice("scope", empty=True),
}


def _claim_spec(block: Any, where: str) -> ClaimSpec:
    if not isinstance(block, Mapping):
        raise _SchemaError(
            where, f"expected a table of claim settings (measure, value, ...), got {_kind(block)}"
        )
    constants: dict[str, str] = {}
    columns: dict[str, str] = {}
    maps: dict[str, dict[str, str]] = {}
    numbers: dict[str, str] = {}
    for key, value in block.items():
        field, _, suffix = str(key).rpartition("_")
        if value is None:
            continue
        if key in NUMBER_SETTINGS:
            numbers[key] = _text(value, f"{where}: {key}", what="the column holding the figure (a string)")
        elif key in CLAIM_SETTINGS:
            constants[key] = _constant(key, value, f"{where}: {key}")
        elif suffix == "column" and field in CLAIM_SETTINGS:
            columns[field] = _text(value, f"{where}: {key}", what="a column name (a string)")
        elif suffix == "map" and field in CLAIM_SETTINGS:
            check = _FIELD_CHECKS.get(field)
            maps[field] = _words(value, f"{where}: {key}", f"cell values and {field}s", check)
        else:
            raise _unknown(key, CLAIM_KEYS, tuple(TOP_LEVEL_KEYS), where, "the whole mapping")
    for field in CLAIM_SETTINGS:
        if field in constants and field in columns:
            raise _SchemaError(where, f"give {field} or {field}_column, not both")
        if field in maps and field not in columns:
            raise _SchemaError(
                f"{where}: {field}_map", f"translates the cells of {field}_column, which is not given"
            )
    if not numbers:
        raise _SchemaError(where, "a [[claim]] needs value, low or high (the column holding the number)")
    if "measure" not in constants and "measure" not in columns:
        raise _SchemaError(where, "a [[claim]] needs a measure (measure = ... or measure_column = ...)")
    return ClaimSpec(constants, columns, maps, numbers)


def _constant(name: str, value: Any, where: str) -> str:
    text = _text(value, where, empty=name in ("party", "claimant", "subject"))
    if name in _CHOICES:
        problem = _choice(name)(text)
    else:
        problem = _FIELD_CHECKS[name](text) if name in _FIELD_CHECKS else None
    if problem:
        raise _SchemaError(where, problem)
    return text


def load_mapping(name_or_path: str | Path) -> TableMapping:
    """A mapping file by path, or a bundled one by name (``ua-gs-russian-losses``, ...).

    YAML is read with the safe loader, its aliases bounded (a "billion laughs" file is refused
    before it expands); TOML has no aliases.

    Raises:
        DataFileError: no such mapping, or it is malformed.
    """
    path = Path(name_or_path)
    if not path.exists():
        bundled = MAPPINGS / f"{name_or_path}.toml"
        if not bundled.exists():
            names = ", ".join(sorted(p.stem for p in MAPPINGS.glob("*.toml")))
            raise DataFileError(f"no mapping file {name_or_path}; the bundled mappings are: {names}")
        path = bundled
    try:
        with path.open("rb") as file:  # read no further than the limit, whatever the file is
            data = file.read(MAX_MAPPING_BYTES + 1)
        if len(data) > MAX_MAPPING_BYTES:
            raise DataFileError(f"{path}: a mapping file is at most {MAX_MAPPING_BYTES:,} bytes")
        text = data.decode("utf-8")
    except OSError as error:
        raise DataFileError(f"{path}: cannot read the mapping ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise DataFileError(f"{path}: a mapping file is UTF-8 text ({error})") from error
    yaml = path.suffix.lower() in (".yaml", ".yml")
    try:
        table = _yaml(text) if yaml else tomllib.loads(text)
    except _SchemaError as error:
        raise DataFileError(f"{path}: {error}") from None
    except RecursionError:
        raise DataFileError(f"{path}: the mapping is nested too deeply to read") from None
    except (ValueError, TypeError) as error:  # tomllib.TOMLDecodeError and yaml.YAMLError among them
        message = " ".join(str(error).split())  # one line, as the CLI shows every error
        raise DataFileError(f"{path}: not valid {'YAML' if yaml else 'TOML'} ({message})") from error
    if not isinstance(table, dict):
        raise DataFileError(f"{path}: a mapping is a table of keys, not {_kind(table)}")
    return mapping_from_table(table, source=str(path), digest=hashlib.sha256(data).hexdigest())


def _yaml(text: str) -> Any:
    """YAML through the safe loader, refused before it is built if its aliases expand it too far."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()  # the node graph: an alias is its anchor's node, not a copy
        if node is None:
            return None
        _bound_expansion(node, MAX_YAML_VALUES)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _SchemaError("", f"not valid YAML ({' '.join(str(error).split())})") from None
    finally:
        loader.dispose()


def _bound_expansion(root: Any, limit: int) -> None:
    """Count the values a YAML node graph expands to, every alias (``*name``) as a copy of its
    anchor, without expanding it: each node is counted once, bottom up. Nested aliases grow a
    small file exponentially (a "billion laughs"); the count stops at ``limit``.

    Raises:
        _SchemaError: the graph expands past ``limit``, or a node holds an alias of itself.
    """
    import yaml

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root to the node at hand
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            size = 1 + sum(sizes[id(child)] for child in children(node))
            if size > limit:
                raise _SchemaError(
                    "",
                    f"the YAML's aliases (*name) expand it to more than {limit:,} values; a mapping "
                    "is a page or two: write it with fewer aliases",
                )
            sizes[id(node)] = size
            open_nodes.discard(id(node))
        elif id(node) in open_nodes:
            raise _SchemaError("", "the YAML refers to itself (an alias *name inside its own &name)")
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children(node))
