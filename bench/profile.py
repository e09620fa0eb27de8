#!/usr/bin/env python3
"""Where a read's time goes: one endpoint of a running portal-server loaded by wrk while
`perf record` samples the server, then every sample put in one bucket (SQL, JSON, token
checks, HTTP and tower layers, logging, …) by the frames on its stack. See
docs/performance.md for how to get a server and a token; the buckets are what the profile
there is written in.

    python3 bench/profile.py --pid PID --token TOKEN --url http://127.0.0.1:PORT/api/v1/approvals

Needs perf (Debian's linux-perf) and wrk. Samples are taken with DWARF call graphs, so the
release binary needs no frame pointers or debug info: its symbol table is enough.
"""

import argparse
import collections
import os
import subprocess
import sys
import tempfile

# Buckets: each sample goes to the bucket of the innermost frame on its stack that names one
# (within a frame, the first bucket in this order), so time in the kernel or the allocator
# counts for the code that called it. A sample on one of the SQLite driver's threads
# ("sqlx-sqlite-worker": the driver runs each connection on a thread of its own, reached
# through channels) is SQL whatever its frames.
BUCKETS = [
    ("SQL: SQLite engine", ["sqlite3"]),
    ("SQL: PostgreSQL wire", ["sqlx_postgres"]),
    ("SQL: sqlx (pool, Any driver, rows)", ["sqlx_core", "sqlx_sqlite", "flume", "FromRow"]),
    ("token check (JWT, HMAC)", ["jsonwebtoken", "hmac", "sha2", "base64"]),
    ("JSON (serde_json)", ["serde_json", "serde::ser", "Serialize", "serde::de"]),
    ("logging and tracing", ["tracing_subscriber", "tracing_core", "tracing::"]),
    ("compression", ["brotli", "flate2", "miniz", "async_compression"]),
    ("portal code (handlers, rules)", ["portal_server", "portal_api"]),
    ("tower layers and axum routing", ["tower_http", "tower::", "axum::", "matchit", "governor"]),
    ("HTTP (hyper)", ["hyper", "httparse", "http::"]),
    ("async runtime (tokio)", ["tokio"]),
]
OTHER = "other (allocator, std, libc)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", required=True, help="the portal-server process")
    parser.add_argument("--url", required=True, help="the endpoint to load")
    parser.add_argument("--token", help="a bearer token for the endpoint")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--frequency", type=int, default=199, help="samples per second")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        perf = subprocess.Popen(
            ["perf", "record", "-q", "-F", str(args.frequency), "--call-graph", "dwarf,16384",
             "-p", str(args.pid), "-o", data, "--", "sleep", str(args.seconds)],
            stdout=subprocess.DEVNULL,
        )
        wrk = ["wrk", "-t2", "-c", str(args.connections), "-d", f"{args.seconds}s", "--latency"]
        if args.token:
            wrk += ["-H", f"Authorization: Bearer {args.token}"]
        cpu_before = cpu_seconds(args.pid)
        load = subprocess.run(wrk + [args.url], capture_output=True, text=True, check=True)
        cpu_after = cpu_seconds(args.pid)
        perf.wait()
        script = subprocess.run(["perf", "script", "--no-inline", "-i", data, "-F", "comm,ip,sym,dso"],
                                capture_output=True, text=True, check=True)
    summary = [line.strip() for line in load.stdout.splitlines()
               if line.strip().startswith(("Requests/sec", "50%", "99%", "Non-2xx"))]
    print(f"{args.url}: " + "; ".join(summary))
    # The server's CPU time per answer: unlike req/s, it hardly moves with what else the
    # machine runs, so it compares two builds on a shared machine.
    answered = next((int(l.split()[0]) for l in load.stdout.splitlines() if "requests in" in l), 0)
    if answered:
        print(f"server CPU per answer: {1e6 * (cpu_after - cpu_before) / answered:.0f} µs")
    counts, threads, leaves = classify(script.stdout)
    total = sum(counts.values()) or 1
    print(f"{total} samples; by thread: " + ", ".join(
        f"{name} {100 * n / total:.0f}%" for name, n in threads.most_common()))
    print("  across the buckets: " + ", ".join(
        f"{100 * n / total:.0f}% {name}" for name, n in leaves.most_common() if name != "elsewhere"))
    for bucket, n in counts.most_common():
        print(f"  {100 * n / total:5.1f}%  {bucket}")


def cpu_seconds(pid: str) -> float:
    """User and system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def classify(script: str):
    """Count samples per bucket, per thread kind and per kind of leaf in `perf script`
    output."""
    counts = collections.Counter()
    threads = collections.Counter()
    leaves = collections.Counter()
    for sample in script.split("\n\n"):
        lines = [l for l in sample.splitlines() if l.strip()]
        if not lines or not lines[0].split():
            continue
        kind = thread_kind(lines[0].split()[0])
        threads[kind] += 1
        frames = lines[1:]
        counts[bucket_of(kind, frames)] += 1
        leaves[leaf_kind(frames[0] if frames else "")] += 1
    return counts, threads, leaves


def thread_kind(comm: str) -> str:
    if comm.startswith("sqlx-sqlite"):
        return "SQLite workers"
    if comm.startswith("tokio"):
        return "tokio workers"
    return comm


def leaf_kind(frame: str) -> str:
    """Where the sampled instruction itself was: the kernel, the allocator, or elsewhere."""
    if "kernel" in frame:
        return "in the kernel (system calls, waking threads, network)"
    if any(m in frame for m in ("malloc", "free", "realloc", "unlink_chunk", " mi_", "_mi_")):
        return "in the allocator"
    return "elsewhere"


def bucket_of(kind: str, frames) -> str:
    """The bucket of the innermost frame that names one; the kernel's and the allocator's
    frames count for the code that called them."""
    if kind == "SQLite workers":
        if any("sqlite3" in f for f in frames):
            return BUCKETS[0][0]
        return "SQL: sqlx (pool, Any driver, rows)"
    for frame in frames:
        parts = frame.split(None, 1)
        symbol = parts[1] if len(parts) > 1 else ""
        for name, markers in BUCKETS:
            if any(marker in symbol for marker in markers):
                return name
    return OTHER


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as err:
        sys.exit(f"{' '.join(err.cmd)} failed: {err.stderr}")
