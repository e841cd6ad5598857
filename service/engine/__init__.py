"""The only package that imports SpiffWorkflow: it speaks process, instance, task, job, event."""

from .definitions import GENERIC_FORM, ProcessInfo, SourceFile, UserTaskInfo, parse_duration
from .diff import ElementChange, VersionDiff
from .diff import compare as compare_versions
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
from .hot import HotRun, HotRuns, kept_size
from .layout import with_layout
from .operations import (
    ElementCount,
    MigrationPlan,
    ResetPoint,
    edit_data,
    element_counts,
    migration_blockers,
    plan_migration,
    reset_points,
)
from .operations import migrate as migrate_run
from .operations import reset as reset_run
from .operations import skip as skip_failed
from .outline import DiagramOutline, make_executable, outline
from .runtime import ReadyTask, Run, Wait
from .script_limits import Limits
from .starts import StartInfo

__all__ = [
    "GENERIC_FORM", "Bundle", "DefinitionInvalid", "Engine", "EngineError", "Finding",
    "HistoryTooDeep", "InvalidOperation", "Limits", "ProcessInfo", "ReadyTask", "Run",
    "SourceFile", "StartInfo", "TaskFailed", "UserTaskInfo", "Wait", "history_depth",
    "parse_duration", "validate_form",
    "HotRun", "HotRuns", "kept_size",
    "DiagramOutline", "ElementChange", "VersionDiff", "compare_versions", "make_executable",
    "outline",
    "ElementCount", "MigrationPlan", "ResetPoint", "edit_data", "element_counts", "migrate_run",
    "migration_blockers", "plan_migration", "reset_points", "reset_run", "skip_failed",
    "with_layout",
]
