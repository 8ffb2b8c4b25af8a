"""Functions the BPMN expressions may call (the script environment).

Kept small on purpose: every name here is reachable from every diagram.
"""
from __future__ import annotations


def script_functions() -> dict:
    return {}
