"""Before/after of one task completion, in one run: bench/completion.py on two checkouts, alternating.

Each round runs completion.py (SQLite, in process and over gunicorn) on the BEFORE checkout, then on this one,
so both see the same stretch of machine time; the medians over the rounds and their ratios are printed. On a
shared machine wall times say little; `http_cpu_ms`, the CPU time the gunicorn worker spends per completion
(bench/cpu_app.py), stays steady under load. The BEFORE checkout's completion.py must start gunicorn with the app
named in WFS_BENCH_APP (commits before this one need that one line).

What the worker measures (bench/cpu_app.py, the same code on both sides) is split in two. `cold_start_cpu_ms`: its
first five completions together, paid once per worker process (the process definition parsed, each statement
compiled). The rest is the steady state: `http_cpu_ms` (mean CPU per completion), `worker_cpu_p99_ms` and
`worker_wall_p99_ms` (the 99th percentile of CPU and of time inside the worker). `http_p50_ms`/`http_p99_ms` are
the clients' latencies as completion.py prints them: four clients queue behind one worker, so the p99 of 200
is set by the requests that waited behind its cold start.

Run:  .venv/bin/python bench/ab_completion.py --before /path/to/old/checkout [--rounds 3] [--open-cases 300] [--n 200]
      [--documents] [--same-model]
      (--same-model: this checkout runs the BEFORE checkout's bpmn/ and forms/, so the two sides differ in code
      only: the cost of the step machinery, without what the process models gained since.)
      (git worktree add --detach /tmp/before <commit>; the old checkout uses this checkout's .venv.)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from completion import pct  # noqa: E402
PATTERNS = {
    "service_p50_ms": re.compile(r"service, in process\s+([\d.]+) ms p50"),
    "statements": re.compile(r"\(([\d.]+) statements per completion\)"),
    "http_per_s": re.compile(r"HTTP gunicorn -w 1, \d+ clients\s+([\d.]+) completions/s"),
    "http_p50_ms": re.compile(r"HTTP gunicorn -w 1.*?p50\s+([\d.]+) ms"),
    "http_p99_ms": re.compile(r"HTTP gunicorn -w 1.*?p99\s+([\d.]+) ms"),
}
HIGHER_IS_BETTER = {"http_per_s"}
KEYS = [*PATTERNS, "http_cpu_ms", "worker_cpu_p99_ms", "worker_wall_p99_ms", "cold_start_cpu_ms"]


CPU_OUT = Path("/tmp/wfs-bench-ab-cpu.json")


def one(checkout: Path, args, model: Path | None = None) -> dict:
    # --documents: the step issues its 立案审批表 as it does in service (checkouts from before issue 18 have none).
    env = dict(os.environ, WFS_DOCUMENTS_AUTO_ISSUE="1" if args.documents else "0", PYTHONPATH=f"{checkout}:{ROOT / 'bench'}",
               WFS_BENCH_APP="cpu_app:make()", WFS_BENCH_CPU_OUT=str(CPU_OUT))
    if model is not None:  # another checkout's process models and forms
        env.update(WFS_BPMN_DIR=str(model / "bpmn"), WFS_FORMS_DIR=str(model / "forms"))
    CPU_OUT.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "bench/completion.py", "--sqlite-only", "--open-cases", str(args.open_cases),
                          "--n", str(args.n), "--clients", str(args.clients)],
                         cwd=checkout, env=env, capture_output=True, text=True, check=True).stdout
    found = {}
    for key, pattern in PATTERNS.items():
        match = pattern.search(out)
        if match:
            found[key] = float(match.group(1))
    if CPU_OUT.exists():  # inside the worker (bench/cpu_app.py): its cold start apart from the steady state
        seen = json.loads(CPU_OUT.read_text())
        cpu = [c for c, _ in seen["warm"]]
        found["http_cpu_ms"] = statistics.mean(cpu) * 1000
        found["worker_cpu_p99_ms"] = pct(cpu, 99) * 1000
        found["worker_wall_p99_ms"] = pct([w for _, w in seen["warm"]], 99) * 1000
        found["cold_start_cpu_ms"] = sum(c for c, _ in seen["cold"]) * 1000
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, type=Path, help="checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--open-cases", type=int, default=300)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--documents", action="store_true",
                        help="leave the documents a step issues on (WFS_DOCUMENTS_AUTO_ISSUE=1), as in service")
    parser.add_argument("--same-model", action="store_true",
                        help="run this checkout on the BEFORE checkout's bpmn/ and forms/ (code against code)")
    args = parser.parse_args(argv)
    runs = {"before": [], "after": []}
    for r in range(args.rounds):
        for label, checkout in (("before", args.before.resolve()), ("after", ROOT)):
            model = args.before.resolve() if args.same_model and label == "after" else None
            result = one(checkout, args, model)
            runs[label].append(result)
            print(f"round {r + 1} {label:<6} " + "  ".join(f"{k} {v:g}" for k, v in result.items()), flush=True)
    print(f"\nmedians over {args.rounds} rounds (SQLite, {args.open_cases} open cases, n = {args.n}, "
          f"{args.clients} clients, documents {'on' if args.documents else 'off'}"
          f"{', both on the BEFORE models' if args.same_model else ''})")
    for key in KEYS:
        before = [r[key] for r in runs["before"] if key in r]
        after = [r[key] for r in runs["after"] if key in r]
        if not before or not after:
            continue
        b, a = statistics.median(before), statistics.median(after)
        better = a >= b if key in HIGHER_IS_BETTER else a <= b
        print(f"  {key:<16} before {b:9.2f}   after {a:9.2f}   after/before {a / b:5.3f}  "
              f"({'not worse' if better else 'worse'})")


if __name__ == "__main__":
    main()
