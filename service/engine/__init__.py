"""The only package that imports SpiffWorkflow: it speaks process, instance, task, job, event."""

from .definitions import GENERIC_FORM, ProcessInfo, SourceFile, UserTaskInfo, parse_duration
from .engine import Bundle, Engine
from .errors import (
    DefinitionInvalid,
    EngineError,
    Finding,
    HistoryTooDeep,
    InvalidOperation,
    TaskFailed,
)
from .forms import validate as validate_form
from .history import depth as history_depth
from .runtime import ReadyTask, Run, Wait

__all__ = [
    "GENERIC_FORM", "Bundle", "DefinitionInvalid", "Engine", "EngineError", "Finding",
    "HistoryTooDeep", "InvalidOperation", "ProcessInfo", "ReadyTask", "Run", "SourceFile",
    "TaskFailed", "UserTaskInfo", "Wait", "history_depth", "parse_duration", "validate_form",
]
