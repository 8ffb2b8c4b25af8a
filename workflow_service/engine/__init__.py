"""The only package that imports SpiffWorkflow. It knows nothing of Flask or the database."""
from .runtime import (Definition, Engine, EngineError, MessageNotExpected, ReadyUserTask, Signal, Snapshot, TaskNotReady,
                      WaitingTimer)
from .parsing import DefinitionError, ProcessBundle, UserTaskInfo, parse_package

__all__ = [
    "Definition", "DefinitionError", "Engine", "EngineError", "MessageNotExpected", "ProcessBundle", "ReadyUserTask", "Signal",
    "Snapshot", "TaskNotReady", "UserTaskInfo", "WaitingTimer", "parse_package",
]
