#!/usr/bin/env python3
"""Response-time limits measured under load.

usage: tools/deadlines.py [--build build] [--runs 5] [--load N] [--only NAME_REGEX]

Keeps every core busy with N busy-looping processes (default: twice the cores, so the tests get
about a third of the machine), runs each test function that checks a response time
(SRS_CHECK_DEADLINE, tests/support/deadline.h) --runs times with the environment CTest gives it,
and prints, per deadline, what was measured (min / median / max over the runs) beside the limit
the test enforces. A limit should sit well above the max seen here.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

# (ctest name, test functions): every function that calls SRS_CHECK_DEADLINE.
CASES = [
    ("quant_signround", ["cancelStopsQuickly"]),
    ("common_cancel", ["pausedCheckWaitsUntilResume"]),
    ("hub_download", ["cancelStopsPromptlyAndKeepsThePartialFile"]),
    ("hub_cli", ["ctrlCExits130AndTheNextRunResumes"]),
    ("integration_cli_quantize_resume", ["interruptKeepsCheckpointAndWritesNothing"]),
    ("gui_pause_resume", ["cancelWhilePaused"]),
    ("gui_run_flow", ["cancelLeavesTheAppUsable"]),
    ("gui_run_flow", ["wholeRun"]),
]
LINE = re.compile(r"deadline (.+?): (-?\d+) ms \(limit (\d+) ms\)")


def ctest_commands(build):
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True, stdout=subprocess.PIPE, text=True).stdout
    tests = {}
    for t in json.loads(out)["tests"]:
        env = {}
        for p in t.get("properties", []):
            if p["name"] == "ENVIRONMENT":
                env = dict(v.split("=", 1) for v in p["value"])
        tests[t["name"]] = (t.get("command", []), env)
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load", type=int, default=2 * (os.cpu_count() or 1))
    ap.add_argument("--only", default="", help="regex on 'ctest-name function'")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    tests = ctest_commands(build)
    load = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    seen = {}
    failures = 0
    t0 = time.time()
    try:
        for name, functions in CASES:
            if args.only and not re.search(args.only, name + " " + " ".join(functions)):
                continue
            if name not in tests:
                print(f"deadlines: no test {name} in {build}", file=sys.stderr)
                return 1
            command, env = tests[name]
            for run in range(args.runs):
                p = subprocess.run(command + functions, env={**os.environ, **env}, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, cwd=build)
                if p.returncode != 0:
                    failures += 1
                    print(f"deadlines: {name} run {run + 1} failed:\n" + "\n".join(p.stdout.splitlines()[-15:]))
                for m in LINE.finditer(p.stdout):
                    seen.setdefault(m.group(1), (int(m.group(3)), []))[1].append(int(m.group(2)))
                print(f"  {name} run {run + 1}/{args.runs}: exit {p.returncode}", flush=True)
    finally:
        for p in load:
            p.kill()
    print(f"\n{args.load} busy processes on {os.cpu_count()} cores, {args.runs} runs each, {time.time() - t0:.0f} s")
    print(f"{'deadline':44} {'runs':>4} {'min':>6} {'median':>7} {'max':>6} {'limit':>6}  ms")
    for what, (limit, values) in sorted(seen.items()):
        print(f"{what:44} {len(values):4} {min(values):6} {statistics.median(values):7.0f} {max(values):6} {limit:6}"
              + ("  OVER" if max(values) > limit else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
