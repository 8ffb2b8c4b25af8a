"""Disclosure of penalty decisions (行政执法公示). Importing the package registers its step listener and task rules."""
from . import operations  # noqa: F401
