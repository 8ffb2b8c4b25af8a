"""Rectification orders (责令限期整改) and their re-inspection (复查). Importing the package registers the
step listener and the task rules."""
from . import operations, rules  # noqa: F401
