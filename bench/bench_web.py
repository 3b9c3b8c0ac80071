"""Benchmark: the workspace server on the default workspace.

    python bench/bench_web.py [--workspace DIR] [--requests 60] [--time-limit 30]

Starts ``uvicorn`` over a workspace (a fresh temporary one unless --workspace names one;
a fresh one is seeded with the bundled default instance and waits for its v1 plan),
logs in over loopback HTTP and prints p50 / p95 latency of the plan page and of the
person page of the busiest person, and the wall time of uploading + validating the
default instance as a workbook (median of 3). Targets (issue 16, 2 cores): p95 ≤ 200 ms,
upload ≤ 3 s.
"""

from __future__ import annotations

import argparse
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from xinglian.cli import default_instance
from xinglian.tabular import load_any, write_instance_workbook
from xinglian.web import Workspace

PASSWORD = "bench password 1"
SERVER = """
import sys, uvicorn
from xinglian.web.app import create_app
app = create_app(sys.argv[1], time_limit=float(sys.argv[3]), admin_password=sys.argv[4])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed_gets(client: httpx.Client, path: str, n: int) -> list[float]:
    for _ in range(3):  # warm the per-version cache
        client.get(path).raise_for_status()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(path)
        out.append(time.perf_counter() - t0)
        r.raise_for_status()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--time-limit", type=float, default=30.0)
    args = ap.parse_args()
    root = args.workspace or Path(tempfile.mkdtemp(prefix="xinglian-bench-web-"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(root), str(port),
                             str(args.time_limit), PASSWORD])
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
            for _ in range(150):
                try:
                    client.get("/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            r = client.post("/login", data={"password": PASSWORD})
            if r.status_code != 200:
                sys.exit(f"cannot log in ({r.status_code}); a --workspace with another "
                         f"password?")
            ws = Workspace(root)
            t0 = time.monotonic()
            while ws.published_version() is None:
                active = ws.active_jobs()
                if not active and ws.jobs(1) and ws.jobs(1)[0].status != "done":
                    sys.exit(f"the seed plan failed: {ws.jobs(1)[0].error}")
                if time.monotonic() - t0 > 20 * args.time_limit + 120:
                    sys.exit("no plan published in time")
                time.sleep(1)
            plan_html = client.get("/plan").text
            people = re.findall(r'href="/plan/person/([^"?]+)">[^<]*</a> <span class="muted">'
                                r'(\d+)</span>', plan_html)
            busiest = max(people, key=lambda p: int(p[1]))
            rows = []
            for label, path in (("plan page /plan", "/plan"),
                                (f"person page ({busiest[1]} duties)",
                                 f"/plan/person/{busiest[0]}")):
                times = timed_gets(client, path, args.requests)
                size = len(client.get(path).content)
                rows.append((label, len(times), percentile(times, 0.5) * 1000,
                             percentile(times, 0.95) * 1000, size))
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/data").text).group(1)
            with tempfile.TemporaryDirectory() as tmp:
                book = write_instance_workbook(load_any(default_instance()),
                                               Path(tmp) / "nanan-2027-full.xlsx")
                data = book.read_bytes()
                uploads = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    r = client.post("/data/upload", data={"csrf": csrf},
                                    files={"file": (book.name, data)}, follow_redirects=False)
                    uploads.append(time.perf_counter() - t0)
                    if r.status_code != 303:
                        sys.exit(f"upload refused ({r.status_code}): {r.text[-500:]}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {__import__('os').cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; workspace {root}")
    print()
    print("| what | requests | p50 ms | p95 ms | target | bytes |")
    print("|---|---|---|---|---|---|")
    for label, n, p50, p95, size in rows:
        ok = "ok" if p95 <= 200 else "MISSED"
        print(f"| {label} | {n} | {p50:.1f} | {p95:.1f} | p95 ≤ 200 ms: {ok} | {size} |")
    med = statistics.median(uploads)
    print(f"| upload + validation of the default workbook ({len(data) // 1024} KB) | 3 | "
          f"{med * 1000:.0f} (median) | {max(uploads) * 1000:.0f} (max) | ≤ 3 s: "
          f"{'ok' if med <= 3 else 'MISSED'} | {len(data)} |")


if __name__ == "__main__":
    main()
