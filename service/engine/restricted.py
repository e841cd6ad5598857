"""RestrictedPython for BPMN scripts: the compiler policy, the guards and the globals.

Imported by the server (to check and compile) and by the sandbox processes (to run); it must
import nothing of SpiffWorkflow, Flask or the rest of the service.
"""

from __future__ import annotations

import ast
import builtins
import datetime as _datetime
import decimal as _decimal
import functools
import importlib
import operator
import types

from RestrictedPython import PrintCollector, compile_restricted_eval, compile_restricted_exec
from RestrictedPython import safe_builtins as _safe_builtins
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import RestrictingNodeTransformer

from .purity import is_pure
from .script_limits import MAX_SOURCE_CHARS

# Spiff's get_error_line_number_and_content looks for traceback frames with this filename.
FILENAME = "<string>"
ALLOWED_MODULES = ("datetime", "decimal", "json", "math", "re")
# Names that would let a script change process-wide state (decimal's shared contexts).
_HIDDEN = {
    "decimal": {"getcontext", "setcontext", "DefaultContext", "BasicContext", "ExtendedContext"}
}

# Set by the sandbox process when the running script is out of budget: every planted check
# raises it again, so a script that swallows the first raise stops at its next loop or handler.
BREACH: list[BaseException | None] = [None]


def _tick() -> None:
    """Raise the pending budget breach, if any."""
    if BREACH[0] is not None:
        raise BREACH[0]


def _ticked(iterator):
    """Yield from iterator in Python, so a pending signal is handled between items."""
    for item in iterator:
        _tick()
        yield item


def _getiter(ob):
    """Iterate ob item by item (every for loop and comprehension goes through here)."""
    return _ticked(iter(ob))


def _tick_stmt(anchor: ast.AST) -> ast.Expr:
    """Build a `_tick_()` statement located at anchor."""
    call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
    stmt = ast.Expr(call)
    for node in (stmt, call, call.func):
        ast.copy_location(node, anchor)
    return stmt


def _planting(visit):
    """Wrap a policy visitor so the visited block starts with a budget check."""

    def visitor(self, node):
        node = visit(self, node)
        node.body.insert(0, _tick_stmt(node.body[0]))
        return node

    return visitor


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython policy that plants budget checks a script cannot swallow."""

    visit_While = _planting(RestrictingNodeTransformer.visit_While)
    visit_FunctionDef = _planting(RestrictingNodeTransformer.visit_FunctionDef)
    visit_ExceptHandler = _planting(RestrictingNodeTransformer.visit_ExceptHandler)

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        tick = _tick_stmt(node.body).value
        node.body = ast.copy_location(ast.BoolOp(ast.Or(), [tick, node.body]), node.body)
        return node  # `_tick_() or body` evaluates to body


@functools.lru_cache(maxsize=1024)
def compiled(source: str, mode: str) -> tuple[types.CodeType | None, str | None, bool]:
    """Compile source restricted; return (code, None, pure) or (None, reason, False).

    pure: an expression that cannot loop, call out or grow values (see purity.py).
    """
    if len(source) > MAX_SOURCE_CHARS:
        return None, f"Line 1: the source is {len(source):,} characters, over the " \
                     f"{MAX_SOURCE_CHARS:,} allowed", False
    compiler = {"exec": compile_restricted_exec, "eval": compile_restricted_eval}[mode]
    try:
        result = compiler(source, FILENAME, policy=_Policy)
    except SyntaxError as exc:  # raised by compile() itself, e.g. 'return' outside function
        return None, f"Line {exc.lineno}: SyntaxError: {exc.msg}", False
    except (ValueError, RecursionError, MemoryError) as exc:  # CPython: too deeply nested
        return None, f"Line 1: {type(exc).__name__}: {exc or 'source is nested too deeply'}", \
            False
    if result.errors:
        return None, "; ".join(result.errors), False
    tree = ast.parse(source, FILENAME, mode)
    missing = _missing_builtin_call(tree)
    if missing is not None:
        return None, missing, False
    return result.code, None, mode == "eval" and is_pure(tree)


def _missing_builtin_call(tree: ast.AST) -> str | None:
    """Name the first call of a Python builtin the sandbox withholds, e.g. open() or vars()."""
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
        if name in bound or name in BUILTINS or name in PREBOUND or name == "print":
            continue  # RestrictedPython turns print() into its _print_ collector
        if hasattr(builtins, name):
            return f"Line {node.lineno}: {name}() is not available in scripts"
    return None


class SafeModule(types.SimpleNamespace):
    """The public, non-module attributes of an allowed module."""


def _safe_module(name: str) -> SafeModule:
    """Copy a module's public names, dropping submodules (json.codecs, re.enum, datetime.sys)."""
    hidden = _HIDDEN.get(name, set())
    return SafeModule(
        **{
            k: v
            for k, v in vars(importlib.import_module(name)).items()
            if not k.startswith("_") and k not in hidden and not isinstance(v, types.ModuleType)
        }
    )


MODULES = {name: _safe_module(name) for name in ALLOWED_MODULES}


def _import(name, _globals=None, _locals=None, fromlist=(), level=0):
    """Import one of the allowed modules; refuse everything else."""
    if level == 0 and name in MODULES:
        return MODULES[name]
    raise ImportError(f"import of {name!r} is not allowed")


def _hasattr(obj, name) -> bool:
    """hasattr that answers False for names the sandbox hides."""
    try:
        safer_getattr_raise(obj, name)
    except (AttributeError, NotImplementedError):
        return False
    return True


def _ticking(fn, start: int, stop: int | None):
    """Wrap a builtin so the iterables in args[start:stop] are consumed item by item."""

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

BUILTINS = {
    k: v
    for k, v in _safe_builtins.items()
    # uncatchable by spiff's `except Exception`: they would kill the worker
    if k not in ("BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit")
}
BUILTINS.update(
    {
        name: getattr(builtins, name)
        for name in ("dict", "list", "tuple", "set", "frozenset", "reversed")
    }
)
BUILTINS.update(
    {
        name: _ticking(getattr(builtins, name), 0, 1)
        for name in ("sum", "min", "max", "sorted", "any", "all", "enumerate")
    }
)
BUILTINS.update(
    map=_ticking(map, 1, None),
    filter=_ticking(filter, 1, None),
    zip=_ticking(zip, 0, None),
    hasattr=_hasattr,
    __import__=_import,
)

GUARDS = {
    "__builtins__": BUILTINS,
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

PREBOUND = {
    "datetime": _datetime.datetime,
    "timedelta": _datetime.timedelta,
    "date": _datetime.date,
    "Decimal": _decimal.Decimal,
    "math": MODULES["math"],
    "re": MODULES["re"],
    "json": MODULES["json"],
}

# What a script or expression sees besides task data; guards last, so nothing replaces one.
GLOBALS = {**PREBOUND, **GUARDS}


def leftover(name: str, value, external: dict) -> bool:
    """Tell whether a name a script leaves behind is not task data (builtins, globals...)."""
    return (
        name == "__builtins__"
        or callable(value)
        or name in GLOBALS
        or name in external
        or isinstance(value, (SafeModule, types.ModuleType))
    )
