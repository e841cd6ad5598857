"""Run BPMN scripts and expressions under RestrictedPython with a per-run time limit."""

from __future__ import annotations

import ast
import builtins
import contextlib
import datetime as _datetime
import decimal as _decimal
import functools
import importlib
import operator
import re
import sys
import threading
import time
import traceback
import types

from RestrictedPython import PrintCollector, compile_restricted_eval, compile_restricted_exec
from RestrictedPython import safe_builtins as _safe_builtins
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
    TaskDataEnvironment,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

# Spiff's get_error_line_number_and_content looks for traceback frames with this filename.
FILENAME = "<string>"
ALLOWED_MODULES = ("datetime", "decimal", "json", "math", "re")
# Names that would let a script change process-wide state (decimal's shared contexts).
_HIDDEN = {
    "decimal": {"getcontext", "setcontext", "DefaultContext", "BasicContext", "ExtendedContext"}
}


class ScriptTimeout(Exception):
    """A script or expression ran past its time limit."""

    lineno: int | None = None  # set by the tracer, whose raise leaves no script frame behind


class ScriptRefused(Exception):
    """Source the restricted compiler will not accept."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        match = re.match(r"Line (\d+)", reason)
        self.lineno = int(match.group(1)) if match else None


_local = threading.local()  # (deadline, message) of the run on this thread, if any


def _tick() -> None:
    """Raise ScriptTimeout if the current run is past its deadline."""
    limit = getattr(_local, "limit", None)
    if limit is not None and time.monotonic() > limit[0]:
        raise ScriptTimeout(limit[1])


def _ticked(iterator):
    """Yield from iterator, checking the deadline before each item."""
    for item in iterator:
        _tick()
        yield item


def _getiter(ob):
    """Iterate ob under the deadline (every for loop and comprehension goes through here)."""
    return _ticked(iter(ob))


@contextlib.contextmanager
def _time_limit(seconds: float, what: str):
    """Enforce a deadline on script frames with a tracer, restoring the previous tracer."""
    message = f"{what} exceeded the {seconds} s time limit"
    deadline = time.monotonic() + seconds

    def trace(frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None  # library and helper frames run untraced
        if time.monotonic() > deadline:
            timeout = ScriptTimeout(message)
            timeout.lineno = frame.f_lineno
            raise timeout
        return trace

    # A tracer only sees Python frames: one long C-level call (sum over a huge range is
    # covered by _ticked wrappers, but e.g. 10**10**7, 'x' * 10**10, a pathological regex)
    # cannot be interrupted. Raising from a tracer also uninstalls it, so a script that
    # swallows the timeout is stopped by the _tick_ calls the policy plants instead.
    previous_trace, previous_limit = sys.gettrace(), getattr(_local, "limit", None)
    _local.limit = min((deadline, message), previous_limit or (deadline, message))
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous_trace)
        _local.limit = previous_limit


def _tick_stmt(anchor: ast.AST) -> ast.Expr:
    """Build a `_tick_()` statement located at anchor."""
    call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
    stmt = ast.Expr(call)
    for node in (stmt, call, call.func):
        ast.copy_location(node, anchor)
    return stmt


def _planting(visit):
    """Wrap a policy visitor so the visited block starts with a deadline check."""

    def visitor(self, node):
        node = visit(self, node)
        node.body.insert(0, _tick_stmt(node.body[0]))
        return node

    return visitor


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython policy that plants deadline checks a script cannot swallow."""

    visit_While = _planting(RestrictingNodeTransformer.visit_While)
    visit_FunctionDef = _planting(RestrictingNodeTransformer.visit_FunctionDef)
    visit_ExceptHandler = _planting(RestrictingNodeTransformer.visit_ExceptHandler)

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        tick = _tick_stmt(node.body).value
        node.body = ast.copy_location(ast.BoolOp(ast.Or(), [tick, node.body]), node.body)
        return node  # `_tick_() or body` evaluates to body


@functools.lru_cache(maxsize=1024)
def _compile(source: str, mode: str) -> tuple[types.CodeType | None, str | None]:
    """Compile source restricted; return (code, None) or (None, reason)."""
    compiler = {"exec": compile_restricted_exec, "eval": compile_restricted_eval}[mode]
    try:
        result = compiler(source, FILENAME, policy=_Policy)
    except SyntaxError as exc:  # raised by compile() itself, e.g. 'return' outside function
        return None, f"Line {exc.lineno}: SyntaxError: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:  # CPython: too deeply nested
        return None, f"Line 1: {type(exc).__name__}: {exc or 'source is nested too deeply'}"
    if result.errors:
        return None, "; ".join(result.errors)
    missing = _missing_builtin_call(source, mode)
    if missing is not None:
        return None, missing
    return result.code, None


def _missing_builtin_call(source: str, mode: str) -> str | None:
    """Name the first call of a Python builtin the sandbox withholds, e.g. open() or vars()."""
    tree = ast.parse(source, FILENAME, mode)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.Lambda):
            bound.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
            bound.add(getattr(node, "name", ""))
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name = node.func.id
        # a name the script binds itself, or one the sandbox provides, is fine; only a
        # withheld builtin would fail at run time with NameError, so refuse it at deploy
        if name in bound or name in _BUILTINS or name in _PREBOUND or name == "print":
            continue  # RestrictedPython turns print() into its _print_ collector
        if hasattr(builtins, name):
            return f"Line {node.lineno}: {name}() is not available in scripts"
    return None


def check(source: str, mode: str = "exec") -> str | None:
    """Return why source is refused, or None when it compiles in the sandbox."""
    return _compile(source, mode)[1]


def _compiled(source: str, mode: str) -> types.CodeType:
    """Return cached restricted code for source or raise ScriptRefused."""
    code, reason = _compile(source, mode)
    if reason is not None:
        raise ScriptRefused(reason)
    return code


class _SafeModule(types.SimpleNamespace):
    """The public, non-module attributes of an allowed module."""


def _safe_module(name: str) -> _SafeModule:
    """Copy a module's public names, dropping submodules (json.codecs, re.enum, datetime.sys)."""
    hidden = _HIDDEN.get(name, set())
    return _SafeModule(
        **{
            k: v
            for k, v in vars(importlib.import_module(name)).items()
            if not k.startswith("_") and k not in hidden and not isinstance(v, types.ModuleType)
        }
    )


_MODULES = {name: _safe_module(name) for name in ALLOWED_MODULES}


def _import(name, _globals=None, _locals=None, fromlist=(), level=0):
    """Import one of the allowed modules; refuse everything else."""
    if level == 0 and name in _MODULES:
        return _MODULES[name]
    raise ImportError(f"import of {name!r} is not allowed")


def _hasattr(obj, name) -> bool:
    """hasattr that answers False for names the sandbox hides."""
    try:
        safer_getattr_raise(obj, name)
    except (AttributeError, NotImplementedError):
        return False
    return True


def _ticking(fn, start: int, stop: int | None):
    """Wrap a builtin so the iterables in args[start:stop] are consumed under the deadline."""

    def call(*args, **kwargs):
        if fn in (min, max) and len(args) != 1:
            return fn(*args, **kwargs)  # min(a, b): plain values, nothing to iterate
        end = len(args) if stop is None else stop
        return fn(*args[:start], *map(_getiter, args[start:end]), *args[end:], **kwargs)

    return call


def _write(ob):
    """Allow item writes to plain containers only."""
    if type(ob) in (dict, list, set):
        return ob
    raise TypeError(f"a script may not modify {type(ob).__name__} objects")


# fmt: off
_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "@=": operator.imatmul,
    "<<=": operator.ilshift, ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior,
    "^=": operator.ixor,
}
# fmt: on

_BUILTINS = {
    k: v
    for k, v in _safe_builtins.items()
    # uncatchable by spiff's `except Exception`: they would kill the worker
    if k not in ("BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit")
}
_BUILTINS.update(
    {
        name: getattr(builtins, name)
        for name in ("dict", "list", "tuple", "set", "frozenset", "reversed")
    }
)
_BUILTINS.update(
    {
        name: _ticking(getattr(builtins, name), 0, 1)
        for name in ("sum", "min", "max", "sorted", "any", "all", "enumerate")
    }
)
_BUILTINS.update(
    map=_ticking(map, 1, None),
    filter=_ticking(filter, 1, None),
    zip=_ticking(zip, 0, None),
    hasattr=_hasattr,
    __import__=_import,
)

_GUARDS = {
    "__builtins__": _BUILTINS,
    # safer_getattr's default is None, which would turn typos into None instead of errors
    "_getattr_": safer_getattr_raise,
    "_getitem_": operator.getitem,
    "_getiter_": _getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write,
    "_inplacevar_": lambda op, x, y: _INPLACE[op](x, y),
    "_print_": PrintCollector,
    "_apply_": lambda f, *args, **kwargs: f(*args, **kwargs),
    "_tick_": _tick,
}

_PREBOUND = {
    "datetime": _datetime.datetime,
    "timedelta": _datetime.timedelta,
    "date": _datetime.date,
    "Decimal": _decimal.Decimal,
    "math": _MODULES["math"],
    "re": _MODULES["re"],
    "json": _MODULES["json"],
}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """TaskDataEnvironment semantics on restricted code with a time limit."""

    def __init__(self, timeout: float = 2.0, helpers: dict | None = None):
        # guards last, so a helper can never replace one
        super().__init__({**_PREBOUND, **(helpers or {}), **_GUARDS})
        self.timeout = timeout

    def evaluate(self, expression, context, external_context=None):
        """Evaluate an expression over task data and return its value."""
        code = _compiled(expression, "eval")
        scope = dict(self.globals)
        scope.update(external_context or {})
        # scripts cannot name _-prefixed keys; dropping them keeps data from replacing guards
        scope.update({k: v for k, v in context.items() if not k.startswith("_")})
        with _time_limit(self.timeout, "expression"):
            return eval(code, scope)  # noqa: S307 - restricted code, guarded globals

    def execute(self, script, context, external_context=None):
        """Run a script with task data as its globals; return True."""
        code = _compiled(script, "exec")
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        context.update(self.globals)
        context.update(external_context)
        try:
            with _time_limit(self.timeout, "script"):
                exec(code, context)  # noqa: S102 - restricted code, guarded globals
        finally:
            self._strip(context, external_context)
        return True

    def _strip(self, context, external_context):
        """Remove builtins, callables, modules, globals and external names from task data."""
        for k in list(context):
            value = context[k]
            if (
                k == "__builtins__"
                or callable(value)
                or k in self.globals
                or k in external_context
                or isinstance(value, (_SafeModule, types.ModuleType))
            ):
                del context[k]

    # fail fast, as spiff does, when task data would shadow a global or helper
    check_for_overwrite = TaskDataEnvironment.check_for_overwrite


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff script engine running everything in a SandboxEnvironment."""

    def __init__(self, timeout: float = 2.0, helpers: dict | None = None):
        super().__init__(environment=SandboxEnvironment(timeout, helpers))

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
        known = isinstance(err, ScriptRefused | ScriptTimeout | SyntaxError)
        line = getattr(err, "lineno", None) if known else None
        if not line:
            for frame in traceback.extract_tb(err.__traceback__):
                if frame.filename == FILENAME:
                    line = frame.lineno
        lines = script.splitlines()
        return (line, lines[line - 1]) if line and 0 < line <= len(lines) else (0, "")
