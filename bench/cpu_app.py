"""The service's WSGI app, wrapped to count the CPU time its worker spends on each request (bench/ab_completion.py).

CPU time, unlike wall time, hardly moves when other programs share the machine: a fair before/after on a busy
host. Every 20 requests the worker writes "requests cpu_seconds" of the completion requests to WFS_BENCH_CPU_OUT.
Started by completion.py through WFS_BENCH_APP="cpu_app:make()" with bench/ on PYTHONPATH.
"""
import os
import time

from workflow_service.app import create_app


def make():
    app = create_app()
    inner = app.wsgi_app
    out = os.environ["WFS_BENCH_CPU_OUT"]
    totals = [0, 0.0]

    def wsgi(environ, start_response):
        started = time.thread_time()
        try:
            return list(inner(environ, start_response))
        finally:
            if environ.get("PATH_INFO", "").endswith("/complete"):
                totals[0] += 1
                totals[1] += time.thread_time() - started
                if totals[0] % 20 == 0:
                    with open(out, "w") as f:
                        f.write(f"{totals[0]} {totals[1]}\n")

    app.wsgi_app = wsgi
    return app
