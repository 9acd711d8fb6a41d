"""Feeds read: RSS and Atom (feedparser), XML sitemaps and news sitemaps; news URLs made canonical.

Nothing here touches the network: the bytes come from :mod:`counterclaim.ingest.polite`. A
sitemap index yields the sitemaps it lists (the poller fetches them politely, one by one), a
sitemap or a feed yields its entries. Sitemaps are read with ``defusedxml`` (no entity
expansion, no external entities): a hostile sitemap is an error, never a billion laughs.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from counterclaim.errors import DataFileError, FeedError, InputTooLargeError, NotAFeedError

URL_RULES = Path(__file__).resolve().parents[1] / "data" / "urls.toml"
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@dataclass(frozen=True, slots=True)
class Entry:
    """One article a feed lists: its link as given, its canonical URL, its id and title if any."""

    link: str
    url: str
    guid: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed answered: its kind, its entries, and (a sitemap index) the sitemaps it lists."""

    kind: str  # rss | atom | sitemap | sitemapindex
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


_RULE_LISTS = ("tracking_parameters", "amp_parameters", "amp_host_prefixes", "amp_path_segments")


@dataclass(frozen=True, slots=True)
class UrlRules:
    """Which query parameters, hosts and path segments make two URLs the same article."""

    tracking: frozenset[str]
    tracking_prefixes: tuple[str, ...]
    amp_names: frozenset[str]
    amp_pairs: frozenset[tuple[str, str]]
    amp_hosts: tuple[str, ...]
    amp_segments: frozenset[str]

    @classmethod
    def load(cls, *extra: Path) -> UrlRules:
        """The bundled rules (``data/urls.toml``), each list extended by those of ``extra`` files
        of the same shape.

        Raises:
            DataFileError: a file cannot be read or is not shaped as expected.
        """
        lists: dict[str, list[str]] = {}
        for path in (URL_RULES, *extra):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
                for key in _RULE_LISTS:
                    values = data.get(key, [])
                    if not isinstance(values, list):
                        raise TypeError(f"{key} must be a list of strings")
                    lists.setdefault(key, []).extend(str(value).lower() for value in values)
            except (OSError, tomllib.TOMLDecodeError, TypeError, UnicodeDecodeError) as error:
                raise DataFileError(f"{path}: cannot read the URL rules ({error})") from error
        tracking, amp = lists["tracking_parameters"], lists["amp_parameters"]
        return cls(
            tracking=frozenset(name for name in tracking if not name.endswith("*")),
            tracking_prefixes=tuple(name[:-1] for name in tracking if name.endswith("*")),
            amp_names=frozenset(name for name in amp if "=" not in name),
            amp_pairs=frozenset(
                (name, value) for name, _, value in (item.partition("=") for item in amp if "=" in item)
            ),
            amp_hosts=tuple(lists["amp_host_prefixes"]),
            amp_segments=frozenset(lists["amp_path_segments"]),
        )

    def drops(self, name: str, value: str) -> bool:
        """Whether a query parameter only tracks a click or asks for the AMP page."""
        lowered = name.lower()
        return (
            lowered in self.tracking
            or lowered.startswith(self.tracking_prefixes)
            or lowered in self.amp_names
            or (lowered, value.lower()) in self.amp_pairs
        )


@lru_cache(maxsize=1)
def default_rules() -> UrlRules:
    """The bundled rules (``data/urls.toml``)."""
    return UrlRules.load()


def canonical_url(url: str, rules: UrlRules | None = None) -> str:
    """The URL an article is known by: lower-case scheme and host, no default port, no fragment,
    no tracking or AMP parameters (the others sorted), no ``amp.`` host, no ``/amp`` segment.

    Example:
        >>> canonical_url("HTTPS://amp.Example.com:443/world/story/amp?utm_source=x&b=2&a=1#top")
        'https://example.com/world/story?a=1&b=2'
    """
    rules = rules or default_rules()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    for prefix in rules.amp_hosts:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = f"{host}:{port}" if port else host
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    path = parts.path or "/"
    trimmed = path
    while True:  # every trailing AMP segment: the canonical URL of a canonical URL is itself
        head, _, last = trimmed.rstrip("/").rpartition("/")
        if not last or last.lower() not in rules.amp_segments:
            break
        trimmed = head
    if trimmed != path:
        path = trimmed or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not rules.drops(name, value)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


#: The longest name a feed may have.
MAX_NAME = 200


def feed_name(url: str, name: str | None = None) -> str:
    """The name a feed is followed under: ``name``, else its host (and port) and path.

    Raises:
        FeedError: the URL is not http(s), or the name is empty or longer than :data:`MAX_NAME`.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(f"{url!r} is not an http(s) URL")
    if name is not None:
        if not 0 < len(name.strip()) <= MAX_NAME:
            raise FeedError(f"a feed's name is 1 to {MAX_NAME} characters")
        return name.strip()
    return f"{parts.netloc.rsplit('@', 1)[-1].lower()}{parts.path.rstrip('/')}"[:MAX_NAME]


_CANONICAL_LINK = re.compile(rb"<link\b[^>]*>", re.I)
_REL_CANONICAL = re.compile(rb"""\brel\s*=\s*["']?canonical\b""", re.I)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
#: The canonical link is in the page's head: only this much of a page is searched for it.
HEAD_BYTES = 256 * 1024


def declared_canonical(page: bytes, base: str) -> str | None:
    """The URL a page's ``<link rel="canonical">`` names (absolute), or None."""
    head = page[:HEAD_BYTES]
    end = head.lower().find(b"</head")
    for tag in _CANONICAL_LINK.finditer(head if end < 0 else head[:end]):
        if _REL_CANONICAL.search(tag.group()):
            found = _HREF.search(tag.group())
            if found:
                href = next(group for group in found.groups() if group is not None)
                text = href.decode("utf-8", "replace").strip()
                if text:
                    joined = urljoin(base, text)
                    return joined if urlsplit(joined).scheme in ("http", "https") else None
    return None


def gunzipped(data: bytes, url: str, limit: int) -> bytes:
    """A gzipped feed or sitemap (``sitemap.xml.gz``) opened, at most ``limit`` bytes of it.

    Raises:
        InputTooLargeError: it opens to more than ``limit`` bytes (a gzip bomb stops there).
        NotAFeedError: it is not a valid gzip file.
    """
    if data[:2] != b"\x1f\x8b":
        return data
    opener = zlib.decompressobj(wbits=31)
    try:
        opened = opener.decompress(data, limit + 1)
    except zlib.error as error:
        raise NotAFeedError(url, f"a damaged gzip file ({error})") from error
    if len(opened) > limit:
        raise InputTooLargeError(url, f"it opens to more than {limit:,} bytes (--max-bytes)")
    return opened


def parse_feed(data: bytes, url: str, rules: UrlRules | None = None) -> ParsedFeed:
    """The entries of an RSS or Atom feed, or the URLs of a sitemap or a sitemap index.

    Raises:
        NotAFeedError: the bytes are not a feed or a sitemap.
    """
    start = data[:2048].lstrip().lower()
    if b"<urlset" in start or b"<sitemapindex" in start:
        return _parse_sitemap(data, url, rules)
    return _parse_syndication(data, url, rules)


def _parse_syndication(data: bytes, url: str, rules: UrlRules | None) -> ParsedFeed:
    import feedparser

    try:
        parsed: Any = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # feedparser wraps several parsers; hostile bytes fail them variously
        raise NotAFeedError(url, f"not RSS, Atom or a sitemap ({type(error).__name__})") from error
    version = str(parsed.get("version") or "")
    if not version:
        reason = parsed.get("bozo_exception")
        detail = f" ({type(reason).__name__}: {str(reason)[:200]})" if reason else ""
        raise NotAFeedError(url, f"not RSS, Atom or a sitemap{detail}")
    entries = []
    for item in parsed.entries:
        link = str(item.get("link") or "")
        if not link:
            continue
        link = urljoin(url, link)
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        guid = item.get("id")
        entries.append(
            Entry(link, canonical_url(link, rules), str(guid) if guid else None, item.get("title"))
        )
    return ParsedFeed("atom" if version.startswith("atom") else "rss", entries)


def _parse_sitemap(data: bytes, url: str, rules: UrlRules | None) -> ParsedFeed:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise NotAFeedError(url, f"a sitemap that is not well-formed XML ({error})") from error
    tag = root.tag.rsplit("}", 1)[-1]
    if tag == "sitemapindex":
        children = [
            urljoin(url, (node.text or "").strip())
            for node in root.iter()
            if node.tag in (f"{{{_SITEMAP_NS}}}loc", "loc") and (node.text or "").strip()
        ]
        return ParsedFeed("sitemapindex", sitemaps=children)
    if tag != "urlset":
        raise NotAFeedError(url, f"an XML document that is not a sitemap (<{tag}>)")
    entries = []
    for node in root:
        if node.tag.rsplit("}", 1)[-1] != "url":
            continue
        loc = node.find(f"{{{_SITEMAP_NS}}}loc")
        if loc is None:
            loc = node.find("loc")
        link = urljoin(url, (loc.text or "").strip()) if loc is not None and loc.text else ""
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        title = node.find(f"{{{_NEWS_NS}}}news/{{{_NEWS_NS}}}title")
        entries.append(
            Entry(link, canonical_url(link, rules), None, title.text if title is not None else None)
        )
    return ParsedFeed("sitemap", entries)
