"""Penalty cases. Importing the package registers the case step listener and the case task rules."""
from . import operations, rules  # noqa: F401
