"""Load on the dashboard's JSON API: p50 / p99 latency and requests/s at N concurrent clients.

Builds (once, then reuses) a SQLite ledger of 100,000 synthetic claims, starts
``counterclaim serve`` on a free loopback port in a subprocess, warms it (the first request
fits every series), then runs an asyncio httpx client with N concurrent connections against
each endpoint group for a fixed time. Speed is reported, never asserted.

    python benchmarks/serve.py [--claims 100000] [--clients 50] [--seconds 10] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from counterclaim.documents import Document
from counterclaim.models import Claim
from counterclaim.store import Ledger
from counterclaim.store.ledger import Extracted, RunSummary

#: (claimant, subject party, role): who claims about whom; with 3 measures, about 30 series.
VOICES = [
    ("Ukraine", "Russia", "military"), ("Russia", "Ukraine", "military"), ("OHCHR", "Ukraine", "civilian"),
    ("Gaza Health Ministry", "Gaza", "unspecified"), ("Israel Defense Forces", "Hamas", "military"),
    ("Sudanese Doctors Network", "Sudan", "civilian"), ("UNHCR", "Sudan", "unspecified"),
    ("Azerbaijan", "Armenia", "military"), ("Armenia", "Azerbaijan", "military"),
    ("Syrian Observatory for Human Rights", "Syria", "civilian"),
]  # fmt: skip
MEASURES = ("killed", "wounded", "captured")
PER_DOCUMENT = 50


def build(path: Path, claims: int) -> None:
    """A ledger of ``claims`` claims: documents of 50 claims, cumulative counts rising over time."""
    ledger = Ledger.open(f"sqlite:///{path}")
    summary = RunSummary(run_id=ledger.start_run("benchmark"))
    rng = random.Random(0)
    start = date(2022, 2, 24)
    batch: list[Extracted] = []
    for number in range(claims // PER_DOCUMENT):
        sentences, found = [], []
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
            ledger.write_batch(batch, summary)
            batch = []
    if batch:
        ledger.write_batch(batch, summary)
    ledger.finish_run(summary)
    ledger.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _load(base: str, urls: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                response = await client.get(rng.choice(urls))
                latencies.append(time.perf_counter() - began)
                errors += response.status_code != 200

        await asyncio.gather(*(worker(seed) for seed in range(clients)))
    return latencies, errors


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--db", type=Path, default=Path("/tmp/counterclaim-serve-bench.db"))
    args = parser.parse_args()
    if not args.db.exists():
        began = time.perf_counter()
        build(args.db, args.claims)
        print(f"built {args.db} ({args.claims:,} claims) in {time.perf_counter() - began:.1f} s")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "counterclaim", "serve", "--db", str(args.db), "--port", str(port)], env=env
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
        for row in series:  # each series' band is computed once per ledger state, like the list
            httpx.get(f"{base}/api/series/{row['id']}", timeout=60)
        total = httpx.get(f"{base}/api/claims", params={"limit": 1}).json()["total"]
        rng = random.Random(1)
        groups = {
            "series (list and one)": ["/api/series"] + [f"/api/series/{row['id']}" for row in series],
            "claims (filtered, paged)": [
                f"/api/claims?limit=50&offset={rng.randrange(0, total - 50)}" for _ in range(200)
            ]
            + [f"/api/claims?measure={m}&limit=50&offset={rng.randrange(0, 20_000)}" for m in MEASURES * 30]
            + [f"/api/claims?claimant={c}&order=-as_of&limit=50" for c, _, _ in VOICES]
            + [f"/api/claims?party={p}&role={r}&since=2023-01-01&limit=50" for _, p, r in VOICES],
        }
        print(
            f"\n{total:,} claims, SQLite, {args.clients} concurrent clients, {args.seconds:.0f} s per group"
        )
        print(
            "| endpoint | requests | errors | p50 ms | p99 ms | requests/s |\n|---|---:|---:|---:|---:|---:|"
        )
        for name, urls in groups.items():
            began = time.perf_counter()
            latencies, errors = asyncio.run(_load(base, urls, args.clients, args.seconds))
            elapsed = time.perf_counter() - began
            print(
                f"| {name} | {len(latencies):,} | {errors} | {_quantile(latencies, 0.5) * 1000:.1f} | "
                f"{_quantile(latencies, 0.99) * 1000:.1f} | {len(latencies) / elapsed:,.0f} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
