"""The sandbox processes of one server process: start them, lend them, kill and replace them.

Each evaluation that cannot run in the server (see purity.py) is sent to an idle sandbox
process as one JSON frame: the source, the task data, the limits. The thread waiting for the
answer holds no lock and no GIL, so the server goes on serving; past the wall-time limit (plus
a grace for the script's own alarm) the process is killed, and a fresh one is started in its
place, as after any breach. Processes start on first use: a server whose flows evaluate
nothing starts none.
"""

from __future__ import annotations

import atexit
import builtins
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import script_data
from .script_limits import Limits, ScriptError, ScriptLimit, ScriptRefused, ScriptTimeout, breach

ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `service` package
# Load sandbox_child without running service/__init__ or service/engine/__init__ (they import
# Flask and SpiffWorkflow): the two packages are stood in by empty modules with their path.
_BOOT = (
    "import sys, types\n"
    "for name in ('service', 'service.engine'):\n"
    "    package = types.ModuleType(name)\n"
    "    package.__path__ = [sys.argv[1] + '/' + name.replace('.', '/')]\n"
    "    sys.modules[name] = package\n"
    "from service.engine.sandbox_child import main\n"
    "main()\n"
)
STARTUP_SECONDS = 30.0
_FRAME_SLACK = 64 * 1024  # bytes of a reply beyond its value (keys, error text)


class _Gone(Exception):
    """The sandbox process ended."""


class _Late(Exception):
    """The sandbox process did not answer in time."""


class _Child:
    """One sandbox process and its pipes."""

    def __init__(self):
        self.proc = subprocess.Popen(  # noqa: S603 - our interpreter, our fixed boot code
            [sys.executable, "-I", "-c", _BOOT, str(ROOT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={}, cwd="/", close_fds=True)
        self.ready = False
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()

    def ask(self, body: bytes, tagged: bool, limits: Limits,
            what: str) -> tuple[dict, bool, bool]:
        """Send one request; return (reply, tagged, keep); raise ScriptLimit if killed for it."""
        try:
            if not self.ready:
                self._frame(time.monotonic() + STARTUP_SECONDS, _FRAME_SLACK)
                self.ready = True
            flags = script_data.TAGGED if tagged else 0
            self._write(script_data.HEADER.pack(len(body), flags) + body)
            deadline = time.monotonic() + limits.wall + limits.grace
            return self._frame(deadline, limits.result + _FRAME_SLACK)
        except _Late:
            self.kill()
            raise breach("wall", what, limits) from None
        except _TooLarge as large:
            self.kill()
            raise breach("result", what, limits, large.size) from None
        except (_Gone, OSError):
            raise self._death(what, limits) from None

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._in, view):]

    def _frame(self, deadline: float, largest: int) -> tuple[dict, bool, bool]:
        length, flags = script_data.HEADER.unpack(self._read(script_data.HEADER.size, deadline))
        if length > largest:
            raise _TooLarge(length)
        tagged = bool(flags & script_data.TAGGED)
        reply = script_data.decode(self._read(length, deadline), tagged)
        return reply, tagged, not flags & script_data.LAST

    def _read(self, count: int, deadline: float) -> bytes:
        poller = select.poll()
        poller.register(self._out, select.POLLIN)
        chunks = []
        while count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise _Late
            chunk = os.read(self._out, min(count, 1 << 20))
            if not chunk:
                raise _Gone
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _death(self, what: str, limits: Limits) -> Exception:
        """Return the error for a process that ended while running a script."""
        try:
            code = self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:  # closed its output but lives on: end it
            code = None
        self.kill()
        if code == -signal.SIGXCPU:
            return breach("cpu", what, limits)
        if code == -signal.SIGKILL:  # not by us: the kernel's out-of-memory killer
            return breach("memory", what, limits)
        return ScriptError("SandboxEnded", f"{what} ended its sandbox process (exit {code})")

    def kill(self) -> int | None:
        """End the process at once and return its exit code."""
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        return code

    def close(self) -> None:
        """Let an idle process end by itself (it exits when its stdin closes)."""
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class _TooLarge(Exception):
    """A reply longer than its limit allows."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


class Pool:
    """Up to `size` sandbox processes, each serving one evaluation at a time."""

    def __init__(self, size: int = 2):
        self.size = size
        self.started = 0  # processes started so far (tests and the bench read it)
        self._idle: list[_Child] = []
        self._busy = 0
        self._cond = threading.Condition()

    def resize(self, size: int) -> None:
        """Allow at least `size` processes (several engines may share this process's pool)."""
        with self._cond:
            self.size = max(self.size, size)
            self._cond.notify_all()

    def run(self, body: bytes, tagged: bool, limits: Limits, what: str) -> tuple[dict, bool]:
        """Run one request in a sandbox process; return its reply and whether it is tagged."""
        child = self._acquire()
        keep = False
        try:
            reply, tagged, keep = child.ask(body, tagged, limits, what)
        finally:
            self._release(child, keep)
        return reply, tagged

    def _acquire(self) -> _Child:
        dead = []
        with self._cond:
            while not self._idle and self._busy >= self.size:
                self._cond.wait()
            self._busy += 1
            while self._idle:
                child = self._idle.pop()
                if child.proc.poll() is None:
                    return child
                dead.append(child)  # ended while idle (killed from outside): not this run's fault
        for child in dead:
            child.kill()
        try:
            return self._start()
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _release(self, child: _Child, keep: bool) -> None:
        if not keep:
            child.kill()
            child = self._start()  # the replacement loads while the server goes on
        with self._cond:
            self._busy -= 1
            self._idle.append(child)
            self._cond.notify()

    def _start(self) -> _Child:
        child = _Child()
        with self._cond:
            self.started += 1
        return child

    def pids(self) -> list[int]:
        """Return the process ids of the sandbox processes alive now."""
        with self._cond:
            return [c.proc.pid for c in self._idle if c.proc.poll() is None]

    def close(self) -> None:
        """Stop the idle processes (at exit; a busy one ends when its server thread does)."""
        with self._cond:
            idle, self._idle = self._idle, []
        for child in idle:
            child.close()

    def _forget(self) -> None:
        """In a forked process, drop the parent's processes without touching them."""
        for child in self._idle:
            child.proc.stdin.close()  # our copies of the pipes; the parent keeps its own
            child.proc.stdout.close()
        _INHERITED.extend(self._idle)  # never collected: their Popen would warn "still running"
        self._idle, self._busy, self._cond = [], 0, threading.Condition()


_INHERITED: list[_Child] = []


POOL = Pool()
atexit.register(POOL.close)
os.register_at_fork(after_in_child=POOL._forget)


def rebuild(reply: dict, what: str, limits: Limits) -> Exception:
    """Return the exception a failed reply stands for, with the script line as script_line."""
    kind, message, limit = reply.get("type", "Error"), reply.get("message", ""), reply.get("limit")
    if limit in ("wall", "cpu"):
        error = ScriptTimeout(message, limit)
    elif limit:
        error = ScriptLimit(message, limit)
    elif kind == "ScriptRefused":
        return ScriptRefused(message)
    else:
        error = _builtin_error(kind, message)
    error.script_line = reply.get("line")
    return error


def _builtin_error(kind: str, message: str) -> Exception:
    """Rebuild a builtin exception by name (KeyError, NameError...), or name a ScriptError."""
    cls = getattr(builtins, kind, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except TypeError:  # e.g. UnicodeDecodeError wants five arguments
            pass
    return ScriptError(kind, f"{kind}: {message}" if message else kind)
