#!/usr/bin/env python3
"""Subscription feeds under load: 50 concurrent loopback clients against uvicorn.

    python bench/bench_feeds.py [--plan PLAN_DIR] [--requests 500] [--clients 50]

Without ``--plan`` it first makes the default workspace's plan (``xinglian plan``, the
default instance ``nanan-2027-full.yaml``, 30 s), as the workspace would publish it.
It then starts uvicorn (one worker, in its own process, on a free 127.0.0.1 port)
serving :func:`xinglian.feeds.routes.router` over that plan directory with a fresh token
database holding one token per person, and runs two rounds of ``--requests`` GETs
spread over the people's feeds by ``--clients`` concurrent clients (each one keep-alive
HTTP/1.1 connection; a bare asyncio client, so that the client costs little CPU):

1. *first fetch*: no validators, as a phone subscribing (each feed is rendered once,
   then served from the cache);
2. *refresh, nothing changed*: each request carries the ETag its feed answered in round
   1, as a phone refreshing after six hours; every answer should be 304.

Bounded: ``--requests`` per round and ``--timeout`` seconds per round (a round that
overruns is reported as errors). Prints one table row per round: requests, errors, 200s,
304s, share of 304, p50 / p99 / max latency in ms, requests per second, and the server
process's CPU milliseconds per request (from /proc: the figure that does not depend on
what else the machine is running; latency on a shared machine does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(plan: Path, db: Path, port: int) -> None:
    """The server process: uvicorn with the feeds router and nothing else."""
    import uvicorn
    from fastapi import FastAPI

    from xinglian.feeds.routes import router

    app = FastAPI()
    app.include_router(router(db, lambda: plan))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
               path: str, etag: str | None) -> tuple[int, str | None]:
    """One HTTP/1.1 keep-alive GET: (status, ETag). A bare client, so that the
    measurement is the server's and not a client library's."""
    extra = f"If-None-Match: {etag}\r\n" if etag else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, headers.get("etag")


async def run_round(port: int, paths: list[str], clients: int, etags: dict[str, str] | None,
                    timeout: float) -> tuple[list[float], list[int], dict[str, str], float]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    latencies: list[float] = []
    statuses: list[int] = []
    seen: dict[str, str] = {}
    host = f"127.0.0.1:{port}"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    status, etag = await _get(reader, writer, host, path,
                                              (etags or {}).get(path))
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status, etag = 0, None
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                latencies.append(time.perf_counter() - t0)
                statuses.append(status)
                if status == 200 and etag:
                    seen[path] = etag
        finally:
            writer.close()

    start = time.perf_counter()
    tasks = [asyncio.create_task(worker()) for _ in range(clients)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout)
    except TimeoutError:
        statuses.extend([0] * queue.qsize())
    return latencies, statuses, seen, time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0.0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_plan(out: Path) -> Path:
    cmd = [sys.executable, "-m", "xinglian", "plan", "--out", str(out), "--time-limit", "30",
           "--quiet"]
    print("+ " + " ".join(cmd[2:]), file=sys.stderr)
    subprocess.run(cmd, check=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, help="A plan directory (default: plan the default "
                    "instance first, 30 s).")
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=120.0, help="Seconds per round.")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--serve", nargs=3, metavar=("PLAN", "DB", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), Path(args.serve[1]), int(args.serve[2]))
        return 0

    import httpx

    from xinglian.feeds.store import TokenStore
    from xinglian.feeds.subjects import subjects

    work = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    plan = args.plan or make_plan(work / "plan")
    db = work / "workspace.db"
    people = [s for s in subjects(plan) if s.kind == "person" and s.has_calendar]
    tokens = TokenStore(db).ensure_many(s.key for s in people)
    feeds = [f"/feeds/{t.token}.ics" for t in tokens.values()]
    rng = random.Random(args.seed)
    paths = [feeds[i % len(feeds)] for i in range(args.requests)]
    rng.shuffle(paths)

    sizes = [(plan / "calendars" / f"person-{s.id}.ics").stat().st_size for s in people]
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(plan), str(db),
                               str(port)], env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/feeds/x.ics", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    print("uvicorn did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        rows = []
        cpu0 = cpu_seconds(server.pid)
        lat, st, etags, wall = asyncio.run(run_round(port, paths, args.clients, None,
                                                     args.timeout))
        cpu1 = cpu_seconds(server.pid)
        rows.append(("first fetch", lat, st, wall, cpu1 - cpu0))
        lat, st, _, wall = asyncio.run(run_round(port, paths, args.clients, etags,
                                                 args.timeout))
        rows.append(("refresh, nothing changed", lat, st, wall, cpu_seconds(server.pid) - cpu1))
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)  # our temporary plan and database only

    cpus = os.cpu_count()
    print(f"plan {plan} ({len(feeds)} person feeds, median {statistics.median(sizes):.0f} B); "
          f"uvicorn 1 worker on 127.0.0.1; {args.clients} clients; {cpus} CPUs")
    head = ("round", "requests", "errors", "200", "304", "304 share", "p50 ms", "p99 ms",
            "max ms", "req/s", "server CPU ms/req")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, lat, st, wall, cpu in rows:
        ok = [x for x in st if x in (200, 304)]
        errors = len(st) - len(ok)
        ms = sorted(x * 1000 for x in lat) or [0.0]
        p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
        n304 = st.count(304)
        print(f"| {name} | {len(st)} | {errors} | {st.count(200)} | {n304} | "
              f"{n304 / max(1, len(st)):.0%} | {statistics.median(ms):.1f} | {p99:.1f} | "
              f"{ms[-1]:.1f} | {len(st) / wall:.0f} | {1000 * cpu / max(1, len(st)):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
