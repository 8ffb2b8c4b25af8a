"""Transfers of suspected crimes to the police (行刑衔接) and crime screening. Importing the package registers
the step listeners and the task rules."""
from . import operations, rules  # noqa: F401
