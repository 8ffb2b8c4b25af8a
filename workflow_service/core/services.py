"""Access to the per-application engine and clock from operations and jobs (which have no request)."""
from __future__ import annotations

from flask import current_app


def engine():
    return current_app.extensions["wfs_engine"]


def clock():
    return current_app.extensions["wfs_clock"]


def setting(name: str):
    return current_app.config["WFS"][name]
