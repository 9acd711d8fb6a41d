"""Every option of a run in one object, built from a settings file, the environment and the flags.

Precedence, highest first: a flag on the command line, a ``COUNTERCLAIM_*`` environment
variable, the ``[counterclaim]`` table of a settings file (``--config FILE``, or
``counterclaim.toml`` in the working folder), the defaults below. Example file::

    [counterclaim]
    db = "postgresql+psycopg://counterclaim@localhost/ledger"
    actors = ["my-actors.toml"]
    max_bytes = 20_000_000
    timeout = 30

The token of a writing server is read from ``COUNTERCLAIM_TOKEN`` or ``--token`` only, never
from a file, and is never shown; so are the secrets of the alert channels
(``COUNTERCLAIM_WEBHOOK_SECRET``, ``COUNTERCLAIM_SMTP_PASSWORD``; docs/alerts.md).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from counterclaim.errors import DataFileError

#: The settings file read when no --config is given and it exists.
DEFAULT_FILE = "counterclaim.toml"
CONFIG_ENV = "COUNTERCLAIM_CONFIG"
#: How the settings travel to a server's worker processes.
SETTINGS_ENV = "COUNTERCLAIM_SETTINGS"
TOKEN_ENV = "COUNTERCLAIM_TOKEN"
#: Settings read from the environment only (never from a file), never shown.
SECRETS = ("token", "webhook_secret", "smtp_password")


@dataclass(frozen=True)
class Settings:
    """The options every part reads, in one place (``Settings.load`` builds one)."""

    #: the ledger: a database URL or a SQLite file path
    db: str = "counterclaim.db"
    #: TOML files extending the actor registry, and the lexicon
    actors: tuple[Path, ...] = ()
    lexicon: Path | None = None
    #: a priors file replacing the bundled one; conflict profiles merged on top of the bundled ones
    priors: Path | None = None
    conflicts: tuple[Path, ...] = ()
    #: population caps merged on top of the bundled ones (data/caps.toml): the dashboard's bands too
    caps: tuple[Path, ...] = ()
    #: inputs larger than this are refused; seconds to wait for a URL
    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    #: documents per transaction (None: 100 in process, 500 on a cluster)
    batch_size: int | None = None
    #: polling feeds: hosts fetched from at once, seconds between two requests to one host
    concurrency: int = 8
    delay: float = 1.0
    #: the server: writes allowed (with the token), seconds between looks for others' writes
    allow_writes: bool = False
    recheck: float = 1.0
    token: str | None = field(default=None, repr=False)
    #: alerts (docs/alerts.md): the rules file; a webhook; e-mail through an SMTP server
    alerts: Path | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    #: recipients, separated by commas
    mail_to: str | None = None

    @classmethod
    def load(
        cls,
        file: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **flags: Any,
    ) -> Settings:
        """The settings from the file, then the environment, then the flags (None: not given).

        Raises:
            DataFileError: the settings file cannot be read, is not TOML, or names an unknown setting.
        """
        env = os.environ if environ is None else environ
        chosen = file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
        if chosen is None and Path(DEFAULT_FILE).is_file():
            chosen = Path(DEFAULT_FILE)
        values: dict[str, Any] = read_file(chosen) if chosen else {}
        for name in _NAMES:
            text = env.get(f"COUNTERCLAIM_{name.upper()}")
            if text:
                values[name] = text
        values.update({name: value for name, value in flags.items() if value is not None and value != ()})
        unknown = sorted(set(values) - set(_NAMES))
        if unknown:
            raise DataFileError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(_NAMES)}")
        return cls(**{name: _typed(name, value) for name, value in values.items()})

    def with_flags(self, **flags: Any) -> Settings:
        """These settings with the flags given (None: not given) on top."""
        given = {
            name: _typed(name, value) for name, value in flags.items() if value is not None and value != ()
        }
        return replace(self, **given)

    def to_environment(self) -> dict[str, str]:
        """The settings as environment variables, for processes started with them (a server's workers)."""
        data = {name: _plain(value) for name, value in asdict(self).items() if name not in SECRETS}
        return {SETTINGS_ENV: json.dumps(data), TOKEN_ENV: self.token or ""}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings :meth:`to_environment` passed down."""
        env = os.environ if environ is None else environ
        data = json.loads(env.get(SETTINGS_ENV) or "{}")
        return cls(
            **{name: _typed(name, value) for name, value in data.items()}, token=env.get(TOKEN_ENV) or None
        )


_NAMES = tuple(item.name for item in fields(Settings))
_NULLABLE = frozenset(
    {"lexicon", "priors", "batch_size", "token", "alerts", "webhook_url", "webhook_secret", "smtp_host",
     "smtp_user", "smtp_password", "mail_from", "mail_to"}
)  # fmt: skip


def read_file(path: Path) -> dict[str, Any]:
    """The ``[counterclaim]`` table of a settings file (paths in it are relative to the file)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("counterclaim", {})
    except OSError as error:
        raise DataFileError(f"{path}: cannot read the settings file ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a TOML settings file ({error})") from error
    if not isinstance(table, dict):
        raise DataFileError(f"{path}: [counterclaim] must be a table of settings")
    if "token" in table:
        raise DataFileError(f"{path}: the token is never read from a file; set {TOKEN_ENV}")
    for name in SECRETS[1:]:
        if name in table:
            raise DataFileError(f"{path}: {name} is never read from a file; set COUNTERCLAIM_{name.upper()}")
    base = path.parent
    for name in ("actors", "conflicts", "caps"):
        if name in table:
            table[name] = [str(base / item) for item in _list(table[name], path, name)]
    for name in ("lexicon", "priors", "alerts"):
        if isinstance(table.get(name), str):
            table[name] = str(base / table[name])
    return table


def _list(value: Any, path: Path, name: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise DataFileError(f"{path}: {name} must be a file name or a list of file names")
    return items


def _typed(name: str, value: Any) -> Any:
    """A setting's value as its field's type, from a file, an environment variable or a flag."""
    if value is None and name in _NULLABLE:
        return None
    try:
        if name in ("actors", "conflicts", "caps"):
            items = value.split(os.pathsep) if isinstance(value, str) else value
            return tuple(Path(item) for item in items if str(item))
        if name in ("lexicon", "priors", "alerts"):
            return Path(value) if value else None
        if name in ("max_bytes", "batch_size", "smtp_port", "concurrency"):
            return int(value)
        if name in ("timeout", "recheck", "delay"):
            return float(value)
        if name in ("allow_writes", "smtp_starttls"):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        return str(value)
    except (TypeError, ValueError) as error:
        raise DataFileError(f"setting {name}: {value!r} is not a valid value") from error


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [str(item) for item in value]
    return str(value) if isinstance(value, Path) else value
