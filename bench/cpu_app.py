"""The service's WSGI app, wrapped to time each completion request inside its worker (bench/ab_completion.py).

CPU time, unlike wall time, hardly moves when other programs share the machine: a fair before/after on a busy
host. A worker's first completions are its cold start (the process definition parsed into the spec cache,
SQLAlchemy compiling each statement once): they are kept apart from the steady state, which is what every later
request costs. Every 20 completion requests the worker writes, as JSON to WFS_BENCH_CPU_OUT, the CPU and wall
seconds of each one: "cold" (the first WFS_BENCH_WARMUP, default 5) and "warm" (the rest).
Started by completion.py through WFS_BENCH_APP="cpu_app:make()" with bench/ on PYTHONPATH.
"""
import json
import os
import time

from workflow_service.app import create_app


def make():
    app = create_app()
    inner = app.wsgi_app
    out = os.environ["WFS_BENCH_CPU_OUT"]
    warmup = int(os.environ.get("WFS_BENCH_WARMUP", "5"))
    seen = {"cold": [], "warm": []}

    def wsgi(environ, start_response):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return list(inner(environ, start_response))
        finally:
            if environ.get("PATH_INFO", "").endswith("/complete"):
                part = seen["cold"] if len(seen["cold"]) < warmup else seen["warm"]
                part.append((time.thread_time() - cpu, time.perf_counter() - wall))
                if (len(seen["cold"]) + len(seen["warm"])) % 20 == 0:
                    with open(out, "w") as f:
                        json.dump(seen, f)

    app.wsgi_app = wsgi
    return app
