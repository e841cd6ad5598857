"""A sandbox process: run the scripts and expressions the server sends, within their budget.

sandbox_pool starts it as a fresh interpreter with an empty environment and no inherited
files, importing only this module, restricted.py and what they need (never SpiffWorkflow,
Flask or the database). It reads one request at a time from stdin and answers on stdout.

Inside it, Python-level work is stopped by signals: SIGALRM at the wall-time limit and SIGPROF
at the CPU-time limit raise an error in the script (with the line it reached), and the
planted checks raise it again if the script swallows it. Work inside one C call (a huge
repetition, a regex backtracking) cannot be interrupted: RLIMIT_AS makes its allocations fail,
RLIMIT_CPU kills the process past the CPU budget, and the server kills it past the wall limit.
"""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import sys
import traceback

from . import restricted, script_data
from .script_data import Unsendable
from .script_limits import Limits, ScriptLimit, breach

_ARMED: list = [None]  # (what, limits) of the run in progress
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _on_signal(signum, frame) -> None:
    """Raise the time-limit error in the running script (ignored between runs)."""
    if _ARMED[0] is None:
        return
    if restricted.BREACH[0] is None:
        what, limits = _ARMED[0]
        restricted.BREACH[0] = breach("wall" if signum == signal.SIGALRM else "cpu", what,
                                      limits)
    raise restricted.BREACH[0]


def _statm() -> tuple[int, int]:
    """Return (address space, resident) bytes of this process."""
    with open("/proc/self/statm", "rb") as handle:
        virtual, resident = handle.read().split()[:2]
    return int(virtual) * _PAGE, int(resident) * _PAGE


def _arm(what: str, limits: Limits) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # RLIMIT_CPU counts the process's whole life, in whole seconds: past it the kernel sends
    # SIGXCPU, whose default action ends the process even inside a C call.
    cpu_stop = math.ceil(usage.ru_utime + usage.ru_stime + limits.cpu) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_stop, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_AS, (_statm()[0] + limits.memory, resource.RLIM_INFINITY))
    restricted.BREACH[0] = None
    _ARMED[0] = (what, limits)
    signal.setitimer(signal.ITIMER_REAL, limits.wall)
    signal.setitimer(signal.ITIMER_PROF, limits.cpu)


def _disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.setitimer(signal.ITIMER_PROF, 0)
    _ARMED[0] = None
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _line(exc: BaseException) -> int | None:
    """Return the script line where exc arose."""
    lineno = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == restricted.FILENAME:
            lineno = frame.lineno
    return lineno


def _failed(exc: BaseException, limit: str | None = None, amount: int | None = None) -> dict:
    message = str(exc.args[0]) if exc.args else ""
    return {"ok": False, "type": type(exc).__name__, "message": message[:2000],
            "line": _line(exc), "limit": limit, "amount": amount}


def _evaluate(code, context: dict, external: dict, limits: Limits) -> tuple[str, bool]:
    scope = dict(restricted.GLOBALS)
    scope.update(external)
    # scripts cannot name _-prefixed keys; dropping them keeps data from replacing guards
    scope.update({k: v for k, v in context.items() if not k.startswith("_")})
    value = eval(code, scope)  # noqa: S307 - restricted code, guarded globals
    text, tagged = script_data.encode_value(value)
    amount = script_data.size(text)
    if amount > limits.result:
        raise breach("result", "the expression", limits, amount)
    return text, tagged


def _execute(code, context: dict, external: dict, limits: Limits) -> str:
    """Run a script on task data; return the JSON of the keys it changed and deleted."""
    encode = script_data.encode
    before = {k: encode(v)[0] for k, v in context.items()}
    context.update(restricted.GLOBALS)
    context.update(external)
    exec(code, context)  # noqa: S102 - restricted code, guarded globals
    changed, total = {}, 2
    for key, value in context.items():
        if restricted.leftover(key, value, external):
            continue
        try:
            text, tagged = encode(value)
        except Unsendable:
            text, tagged = None, True
        if text is not None and before.get(key) == text:
            total += script_data.size(text) + len(key) + 4
            continue
        problem = script_data.plain_problem(key, value, None if tagged else text)
        if problem:
            raise ScriptLimit(f"the script left {problem}: {script_data.NOT_JSON}", "json")
        total += script_data.size(text) + len(key) + 4
        changed[key] = text
    if total > limits.data:
        raise breach("data", "the script", limits, total)
    result = sum(script_data.size(t) for t in changed.values())
    if result > limits.result:
        raise breach("result", "the script", limits, result)
    deleted = [k for k in before if k not in context or restricted.leftover(k, context[k],
                                                                             external)]
    pairs = ",".join(f"{json.dumps(k, ensure_ascii=False)}:{t}" for k, t in changed.items())
    return f'{{"ok":true,"changed":{{{pairs}}},"deleted":{json.dumps(deleted)}}}'


def serve(request: dict) -> tuple[str | dict, bool, bool]:
    """Run one request; return (reply, tagged, last): last when this process should end."""
    op, limits = request["op"], Limits(**request["limits"])
    code, reason, _ = restricted.compiled(request["source"], op)
    if reason is not None:
        return {"ok": False, "type": "ScriptRefused", "message": reason}, False, False
    what = "the script" if op == "exec" else "the expression"
    _, resident = _statm()
    try:
        _arm(what, limits)
        try:
            if op == "exec":
                reply, tagged = _execute(code, request["context"], request["external"], limits), \
                    False
            else:
                text, tagged = _evaluate(code, request["context"], request["external"], limits)
                reply = f'{{"ok":true,"value":{text}}}'
        finally:
            _disarm()
    except MemoryError:
        return _failed(breach("memory", what, limits), "memory"), False, True
    except BaseException as exc:  # noqa: B036 - whatever the script raised is its failure
        pending = restricted.BREACH[0]
        if pending is not None:  # the script turned the time-limit error into another one
            return _failed(pending, pending.limit) | {"line": _line(exc) or _line(pending)}, \
                False, False
        if isinstance(exc, ScriptLimit):
            return _failed(exc, exc.limit), False, False
        return _failed(exc), False, False
    if restricted.BREACH[0] is not None:  # swallowed, and no check came after
        return _failed(restricted.BREACH[0], restricted.BREACH[0].limit), False, False
    # A run may leave memory held by the allocator: start afresh past half the budget.
    return reply, tagged, _statm()[1] > resident + limits.memory // 2


def _send(stream, reply, tagged: bool = False, last: bool = False) -> None:
    body = (reply if isinstance(reply, str) else json.dumps(reply)).encode()
    flags = (script_data.TAGGED if tagged else 0) | (script_data.LAST if last else 0)
    stream.write(script_data.HEADER.pack(len(body), flags) + body)
    stream.flush()


def _receive(stream) -> dict | None:
    header = stream.read(script_data.HEADER.size)
    if len(header) < script_data.HEADER.size:
        return None  # the server closed the pipe: it is gone or shutting down
    length, flags = script_data.HEADER.unpack(header)
    return script_data.decode(stream.read(length), flags & script_data.TAGGED)


def main() -> None:
    """Answer requests until stdin closes or the process should be replaced."""
    # No core dumps (SIGXCPU would write one), no files written, few descriptors.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
    signal.signal(signal.SIGALRM, _on_signal)
    signal.signal(signal.SIGPROF, _on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of the server: it closes our stdin
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    _send(stdout, {"ready": os.getpid()})
    while True:
        request = _receive(stdin)
        if request is None:
            return
        reply, tagged, last = serve(request)
        _send(stdout, reply, tagged, last)
        if last:
            return
