#!/usr/bin/env python3
"""Process-level cold start: start a process that answers one event and exits.

Usage: coldstart.py RUST_HARNESS EVENT_FILE [RUNS]

Runs the Rust harness (`query_cloudwatch --event FILE`) RUNS times and, when
Powertools is installed in this interpreter, the same route on Powertools
(tests/tools/powertools_query_cloudwatch.py), and prints median wall time and
peak resident memory of each, side by side. A benchmark, not a test: it
prints figures and asserts nothing but that both answered.
"""
import os
import pathlib
import statistics
import subprocess
import sys
import time


def measure(cmd, runs):
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)  # KiB -> MiB on Linux
        if status != 0 or b'"httpStatusCode"' not in out:
            sys.exit(f"{cmd[0]} did not answer the event: {out[:200]!r}")
    return statistics.median(walls), max(peaks)


def main():
    harness, event = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    rows = [("actionkit (Rust)", *measure([harness, "--event", event], runs))]
    try:
        import aws_lambda_powertools  # noqa: F401

        script = pathlib.Path(__file__).with_name("powertools_query_cloudwatch.py")
        rows.append(("Powertools (Python)", *measure([sys.executable, str(script), event], max(3, runs // 4))))
    except ImportError:
        print("(Powertools not installed in this interpreter: Rust figures only)")
    print(f"\none process answering one event ({event}), median of runs:")
    for name, wall, peak in rows:
        print(f"  {name:22} wall {wall * 1000:8.1f} ms   peak RSS {peak:6.1f} MiB")


if __name__ == "__main__":
    main()
