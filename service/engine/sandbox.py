"""Run BPMN scripts and expressions under RestrictedPython, within a budget that holds.

Every script and every expression that could do unbounded work runs in a sandbox process
(sandbox_pool.py, sandbox_child.py) under Limits: wall and CPU time, memory, the size of what
it returns and of the task data it leaves. A pure expression (purity.py: comparisons of data
and literals, no loop, no call that could grow a value) runs here, in the server.
"""

from __future__ import annotations

import ast
import math
import threading

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
    TaskDataEnvironment,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import restricted, script_data
from .restricted import FILENAME, GLOBALS, MODULES  # noqa: F401  (re-exported)
from .sandbox_pool import POOL, rebuild
from .script_limits import Limits, ScriptError, ScriptLimit, ScriptRefused, ScriptTimeout

__all__ = ["Limits", "SandboxEnvironment", "SandboxScriptEngine", "ScriptError", "ScriptLimit",
           "ScriptRefused", "ScriptTimeout", "check", "took_impure"]

_SCALARS = (bool, int, str, type(None))
_seen = threading.local()  # .impure: a value that is not plain JSON was returned here


def check(source: str, mode: str = "exec") -> str | None:
    """Return why source is refused, or None when it compiles in the sandbox."""
    return restricted.compiled(source, mode)[1]


def _compiled(source: str, mode: str):
    """Return (restricted code, pure) for source or raise ScriptRefused."""
    code, reason, pure = restricted.compiled(source, mode)
    if reason is not None:
        raise ScriptRefused(reason)
    return code, pure


def took_impure() -> bool:
    """Tell whether an expression on this thread returned a value that is not plain JSON
    (a date, a Decimal, a set...) since the last call; such a value may have reached data."""
    seen = getattr(_seen, "impure", False)
    _seen.impure = False
    return seen


def _plain(value) -> bool:
    kind = type(value)
    return kind in _SCALARS or (kind is float and math.isfinite(value))


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """TaskDataEnvironment semantics on restricted code, run within Limits."""

    def __init__(self, limits: Limits | None = None):
        super().__init__(dict(GLOBALS))
        self.limits = limits or Limits()

    def evaluate(self, expression, context, external_context=None):
        """Evaluate an expression over task data and return its value."""
        code, pure = _compiled(expression, "eval")
        external = external_context or {}
        if not pure:
            reply, tagged = self._run("eval", expression, context, external, "the expression")
            if tagged:
                _seen.impure = True
            return reply["value"]
        scope = dict(self.globals)
        scope.update(external)
        # scripts cannot name _-prefixed keys; dropping them keeps data from replacing guards
        scope.update({k: v for k, v in context.items() if not k.startswith("_")})
        value = eval(code, scope)  # noqa: S307 - restricted, pure code (no loop, no call out)
        if not _plain(value):
            _seen.impure = True
        return value

    def execute(self, script, context, external_context=None):
        """Run a script on task data (changed only if it succeeds); return True."""
        _compiled(script, "exec")
        external = external_context or {}
        self.check_for_overwrite(context, external)
        reply, _ = self._run("exec", script, context, external, "the script")
        for key in reply["deleted"]:
            context.pop(key, None)
        context.update(reply["changed"])
        return True

    def _run(self, op: str, source: str, context: dict, external: dict, what: str):
        request = {"op": op, "source": source, "limits": self.limits.as_dict(),
                   "context": context, "external": external}
        try:
            body, tagged = script_data.encode(request)
        except script_data.Unsendable:
            found = script_data.problem_in({**context, **external}) or "a value that is not JSON"
            raise ScriptLimit(f"the task data holds {found}: {script_data.NOT_JSON}", "json") \
                from None
        reply, tagged = POOL.run(body.encode(), tagged, self.limits, what)
        if not reply.get("ok"):
            raise rebuild(reply, what, self.limits)
        return reply, tagged

    # fail fast, as spiff does, when task data would shadow a global
    check_for_overwrite = TaskDataEnvironment.check_for_overwrite


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff script engine running everything in a SandboxEnvironment."""

    def __init__(self, limits: Limits | None = None):
        super().__init__(environment=SandboxEnvironment(limits))

    def validate(self, expression):
        """Raise SyntaxError or ScriptRefused for source the sandbox would not run."""
        ast.parse(expression)  # DMN's needs_eq relies on a SyntaxError here
        reason = check(expression, "exec")
        if reason is not None:
            raise ScriptRefused(reason)

    def evaluate(self, task, expression, external_context=None):
        """Evaluate for a task; wrap failures with the original as .exception and cause."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            wte = WorkflowTaskException(
                f"Error evaluating expression '{expression}'", task=task, exception=exc
            )
            wte.exception = exc
            raise wte from exc

    def execute(self, task, script, external_context=None):
        """Execute for a task; wrap failures with the original as .exception and cause."""
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except Exception as exc:
            wte = self.create_task_exec_exception(task, script, exc)
            if wte is exc:
                raise
            raise wte from exc

    def create_task_exec_exception(self, task, script, err):
        """Build spiff's error for a failed script (args[0] need not be a str here)."""
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        detail = type(err).__name__ + (f":{err.args[0]}" if err.args else "")
        wte = WorkflowTaskException(
            detail, task=task, exception=err, line_number=line_number, error_line=error_line
        )
        wte.exception = err
        return wte

    def get_error_line_number_and_content(self, script, err):
        """Return (line number, line) of the script where err arose, or (0, '')."""
        line = getattr(err, "script_line", None)  # set on errors the sandbox process sent
        if not line and isinstance(err, ScriptRefused | ScriptLimit | SyntaxError):
            line = err.lineno
        lines = script.splitlines()
        return (line, lines[line - 1]) if line and 0 < line <= len(lines) else (0, "")
