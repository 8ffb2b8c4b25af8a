"""How fast this machine runs plain Python right now: the best of 5 rounds of a fixed workload (JSON round trips,
sorting strings, building dicts), in milliseconds; lower is faster.

A shared virtual machine's speed drifts by 10 % and more over a day (on the 2-core machine of December 2026 the
same workload read 132 ms one hour and 147 ms the next), so a wall time means little without it:
scripts/run_tests.sh prints it at the start and the end of the suite, and two runs compare as wall time divided by
this figure.
"""
from __future__ import annotations

import json
import sys
import timeit

DOCUMENT = {"a": [1, 2, {"b": "x" * 10}] * 200}


def workload() -> None:
    for _ in range(300):
        json.loads(json.dumps(DOCUMENT))
        sorted(str(x) for x in range(2000))
        _ = [dict(a=i) for i in range(2000)]


def main() -> None:
    if "--help" in sys.argv[1:]:
        print(__doc__)
        return
    best = min(timeit.repeat(workload, number=1, repeat=5))
    print(f"{best * 1000:.0f}")


if __name__ == "__main__":
    main()
