"""Load on the dashboard's JSON API: p50 / p99 latency and requests/s at N concurrent clients.

Builds (once, then reuses) a SQLite ledger of 100,000 synthetic claims, starts
``counterclaim serve --workers 2`` on a free loopback port in a subprocess, warms every server
process (the first request to each fits every series), then loads each endpoint group for a
fixed time with ``wrk`` (Debian's ``wrk`` package) when it is on the PATH, else with an asyncio
httpx client (which saturates a core itself, so its figures are the client's as much as the
server's). Each group runs twice: as browsers and HTTP libraries ask (``Accept-Encoding: gzip``)
and uncompressed. The baseline row, measured in the same run, is the smallest answer the server
gives (``/api/conflicts``): the floor of the HTTP stack on this machine at this moment. Speed is
reported, never asserted.

    python benchmarks/serve.py [--claims 100000] [--clients 50] [--seconds 10] [--workers 2] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

from counterclaim.models import Claim, Document
from counterclaim.store import Ledger
from counterclaim.store.writer import Extracted, RunSummary

#: (claimant, subject party, role): who claims about whom; with 3 measures, about 30 series.
VOICES = [
    ("Ukraine", "Russia", "military"), ("Russia", "Ukraine", "military"), ("OHCHR", "Ukraine", "civilian"),
    ("Gaza Health Ministry", "Gaza", "unspecified"), ("Israel Defense Forces", "Hamas", "military"),
    ("Sudanese Doctors Network", "Sudan", "civilian"), ("UNHCR", "Sudan", "unspecified"),
    ("Azerbaijan", "Armenia", "military"), ("Armenia", "Azerbaijan", "military"),
    ("Syrian Observatory for Human Rights", "Syria", "civilian"),
]  # fmt: skip
MEASURES = ("killed", "wounded", "captured")
#: A listing page asked with ``{offset}`` gets a random offset below this: nearly every request new.
FRESH_OFFSETS = 30_000
PER_DOCUMENT = 50


def build(path: Path, claims: int) -> None:
    """A ledger of ``claims`` claims: documents of 50 claims, cumulative counts rising over time."""
    ledger = Ledger.open(f"sqlite:///{path}")
    summary = RunSummary(run_id=ledger.writer.start_run("benchmark"))
    rng = random.Random(0)
    start = date(2022, 2, 24)
    batch: list[Extracted] = []
    for number in range(claims // PER_DOCUMENT):
        sentences: list[str] = []
        found: list[Claim] = []
        for i in range(PER_DOCUMENT):
            claimant, party, role = VOICES[(number + i) % len(VOICES)]
            measure = MEASURES[i % len(MEASURES)]
            day = start + timedelta(days=(number * PER_DOCUMENT + i) // 40)
            value = int(100 * (1 + (day - start).days) * rng.uniform(0.8, 1.2))
            sentence = f"{claimant} said {value} {party} {role} were {measure} by {day.isoformat()}. "
            offset = sum(len(s) for s in sentences) + len(claimant) + 6
            sentences.append(sentence)
            found.append(
                Claim(doc=f"doc-{number}", measure=measure, qualifier="exact", value=value, low=value,
                      high=value, evidence=sentence.strip(), start=offset, end=offset + len(str(value)),
                      subject=f"{party} {role}", subject_party=party, subject_role=role, claimant=claimant,
                      claimant_text=claimant, scope="cumulative", as_of=day.isoformat())
            )  # fmt: skip
        text = "".join(sentences)
        batch.append(
            Extracted(Document(id=f"doc-{number}.txt", text=text, outlet=f"outlet {number % 25}"), found)
        )
        if len(batch) == 100:
            ledger.writer.write_batch(batch, summary)
            batch = []
    if batch:
        ledger.writer.write_batch(batch, summary)
    ledger.writer.finish_run(summary)
    ledger.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _load(
    base: str, urls: list[str], clients: int, seconds: float, headers: dict[str, str]
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                url = rng.choice(urls).replace("{offset}", str(rng.randrange(FRESH_OFFSETS)))
                response = await client.get(url)
                latencies.append(time.perf_counter() - began)
                errors += response.status_code != 200

        await asyncio.gather(*(worker(seed) for seed in range(clients)))
    return latencies, errors


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _with_httpx(
    base: str, urls: list[str], clients: int, seconds: float, gzip: bool
) -> tuple[int, int, float, float, float]:
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    began = time.perf_counter()
    latencies, errors = asyncio.run(_load(base, urls, clients, seconds, headers))
    elapsed = time.perf_counter() - began
    p50, p99 = _quantile(latencies, 0.5) * 1000, _quantile(latencies, 0.99) * 1000
    return len(latencies), errors, p50, p99, len(latencies) / elapsed


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _with_wrk(
    base: str, urls: list[str], clients: int, seconds: float, gzip: bool
) -> tuple[int, int, float, float, float]:
    """wrk with a Lua script drawing each request's path from ``urls`` (``{offset}``: a random one)."""
    listed = ", ".join(f'"{quote(url, safe="/?=&{}-")}"' for url in urls)
    # each wrk thread seeds its own generator: unseeded, every run would ask the same "new" pages
    script = f"""local paths = {{{listed}}}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + tonumber(seed))
end
function request()
  local offset = tostring(math.random(0, {FRESH_OFFSETS - 1}))
  local path = string.gsub(paths[math.random(#paths)], "{{offset}}", offset)
  return wrk.format("GET", path)
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "--latency", "-s", handle.name]
        command += ["-H", f"Accept-Encoding: {'gzip' if gzip else 'identity'}", base + urls[0]]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(handle.name).unlink()
    quantiles = {
        q: float(value) * _UNITS[unit]
        for q, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, failed.groups())) if failed else 0)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return requests, errors, quantiles["50"], quantiles["99"], rate


def _warm(base: str, urls: list[str], workers: int) -> None:
    """Ask every URL on new connections (so every server process gets it) until all are answered fast."""
    fresh = httpx.Limits(max_keepalive_connections=0)  # a connection per request: any process may take it
    with httpx.Client(base_url=base, timeout=600, limits=fresh) as client, ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            began = time.perf_counter()
            slowest = max(pool.map(lambda url: _timed(client, url), urls * workers * 2))
            print(f"  asked {len(urls) * workers * 2:,} URLs in {time.perf_counter() - began:.1f} s")
            if slowest < 0.25:
                return
    raise SystemExit("the server never warmed up")


def _timed(client: httpx.Client, url: str) -> float:
    began = time.perf_counter()
    client.get(url).raise_for_status()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (counterclaim serve --workers)"
    )
    parser.add_argument("--db", type=Path, default=Path("/tmp/counterclaim-serve-bench.db"))
    parser.add_argument(
        "--client", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx"
    )
    args = parser.parse_args()
    if not args.db.exists():
        began = time.perf_counter()
        build(args.db, args.claims)
        print(f"built {args.db} ({args.claims:,} claims) in {time.perf_counter() - began:.1f} s")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "counterclaim",
            "serve",
            "--db",
            str(args.db),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/api/conflicts", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        began = time.perf_counter()
        series = httpx.get(f"{base}/api/series", timeout=600).json()["series"]
        fitted = time.perf_counter() - began
        print(f"warm-up: {len(series)} series fitted in {fitted:.1f} s (the first request)")
        total = httpx.get(f"{base}/api/claims", params={"limit": 1}, timeout=600).json()["total"]
        rng = random.Random(1)
        groups = {
            "baseline: /api/conflicts": ["/api/conflicts"],
            "series list": ["/api/series"],
            "one series (each in turn)": [f"/api/series/{row['id']}" for row in series],
            "claims (filtered, paged)": [
                f"/api/claims?limit=50&offset={rng.randrange(0, total - 50)}" for _ in range(200)
            ]
            + [f"/api/claims?measure={m}&limit=50&offset={rng.randrange(0, 20_000)}" for m in MEASURES * 30]
            + [f"/api/claims?claimant={c}&order=-as_of&limit=50" for c, _, _ in VOICES]
            + [f"/api/claims?party={p}&role={r}&since=2023-01-01&limit=50" for _, p, r in VOICES],
            # every request a page no one asked before: the ledger is read each time
            "claims, every page new": [
                f"/api/claims?measure={m}&limit=50&offset={{offset}}" for m in MEASURES
            ],
        }
        began = time.perf_counter()
        warm = [url for name, urls in groups.items() if "new" not in name for url in urls]
        _warm(base, [quote(url, safe="/?=&-") for url in warm], args.workers)
        print(f"every server process asked every URL, in {time.perf_counter() - began:.1f} s more")
        load = _with_wrk if args.client == "wrk" else _with_httpx
        print(
            f"\n{total:,} claims, SQLite, {args.workers} server processes, {args.clients} concurrent "
            f"clients ({args.client}), {args.seconds:.0f} s per row"
        )
        print(
            "| endpoint | encoding | requests | errors | p50 ms | p99 ms | requests/s |\n"
            "|---|---|---:|---:|---:|---:|---:|"
        )
        for name, urls in groups.items():
            for gzip in (True, False):
                requests, errors, p50, p99, rate = load(base, urls, args.clients, args.seconds, gzip)
                print(
                    f"| {name} | {'gzip' if gzip else 'identity'} | {requests:,} | {errors} | "
                    f"{p50:.1f} | {p99:.1f} | {rate:,.0f} |"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
