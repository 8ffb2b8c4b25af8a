"""Legal review sign-off (法制审核) and the case review committee's vote (案件审查委员会集体讨论).

Importing the package registers their task rules and guards on the penalty case's steps.
"""
from . import committee, legal  # noqa: F401
