"""The sandbox's budget: C-level work, memory, output size; processes killed and replaced."""

import os
import signal
import time
from pathlib import Path

import pytest

from service.engine import script_data
from service.engine.sandbox import Limits, SandboxEnvironment, ScriptLimit, ScriptTimeout
from service.engine.sandbox_pool import POOL

MB = 2**20
SMALL = Limits(wall=1.0, cpu=0.3, memory=64 * MB, result=64 * 1024, data=64 * 1024)


@pytest.fixture
def env():
    return SandboxEnvironment(SMALL)


# The bombs of the issue: each stopped by a named limit, even inside one C call.
BOMBS = [
    ("'ab' * 15 * 10**8", {"memory"}),  # 3 GB in one repetition
    ("list(range(4 * 10**7))", {"memory"}),  # 1.7 GB in one C call
    ("re.match('(a+)+$', 'a' * 26 + 'b')", {"cpu", "wall"}),  # backtracking, in C
    ("f'{1:>{10**9}}'", {"memory"}),  # a 1 GB string from a format spec
    ("'a' * 10**8", {"memory", "result"}),  # 100 MB of value
    ("10 ** 10 ** 8", {"cpu", "wall"}),  # a bignum power
    ("math.factorial(10 ** 7)", {"cpu", "wall"}),
    ("'x' * 10**6", {"result"}),  # 1 MB: fits in memory, not in the result
]


@pytest.mark.parametrize(("source", "limits"), BOMBS)
def test_a_bomb_in_an_expression_is_stopped_and_named(env, source, limits):
    with pytest.raises(ScriptLimit) as info:
        env.evaluate(source, {})
    assert info.value.limit in limits, info.value
    assert "the expression" in str(info.value) and "limit" in str(info.value)


@pytest.mark.parametrize(("source", "limits"), BOMBS)
def test_a_bomb_in_a_script_is_stopped_named_and_changes_nothing(env, source, limits):
    data = {"kept": [1, 2]}
    with pytest.raises(ScriptLimit) as info:
        env.execute(f"kept.append(3)\nx = {source}", data)
    assert info.value.limit in limits | {"data"}, info.value
    assert data == {"kept": [1, 2]}


def test_the_limits_name_their_setting(env):
    cases = {"'ab' * 15 * 10**8": "64 MB memory limit (SCRIPT_MEMORY_MB)",
             "'x' * 10**6": "65,536 byte result limit (SCRIPT_RESULT_BYTES)"}
    for source, words in cases.items():
        with pytest.raises(ScriptLimit, match=words.replace("(", r"\(").replace(")", r"\)")):
            env.evaluate(source, {})
    with pytest.raises(ScriptLimit, match=r"65,536 byte limit \(TASK_DATA_MAX_BYTES\)"):
        env.execute("x = 'y' * 70000", {})


def test_a_process_past_its_wall_limit_is_killed_and_replaced():
    """The sandbox process is told it has 10 s; the server gives it 0.3: it is killed."""
    generous = Limits(wall=10.0, cpu=10.0).as_dict()
    body, tagged = script_data.encode({"op": "exec", "source": "while True:\n    pass",
                                       "limits": generous, "context": {}, "external": {}})
    started = POOL.started
    with pytest.raises(ScriptTimeout, match=r"0\.3 s time limit"):
        POOL.run(body.encode(), tagged, Limits(wall=0.3), "the script")
    assert POOL.started == started + 1  # replaced at once
    assert SandboxEnvironment(SMALL).evaluate("sum([1, 2])", {}) == 3


def test_a_memory_breach_replaces_the_process(env):
    env.evaluate("sum([1])", {})
    started = POOL.started
    with pytest.raises(ScriptLimit, match="memory"):
        env.evaluate("'ab' * 15 * 10**8", {})
    assert POOL.started == started + 1
    assert env.evaluate("sum([2, 3])", {}) == 5


def test_a_time_breach_of_python_code_keeps_the_process(env):
    env.evaluate("sum([1])", {})
    started = POOL.started
    with pytest.raises(ScriptTimeout):
        env.execute("while True:\n    pass", {})
    assert POOL.started == started  # stopped by its own alarm: nothing to replace


def test_pure_expressions_run_here_and_start_no_process(env):
    data = {"amount": 150, "approved": True, "tier": "gold", "items": [1, 2]}
    started = POOL.started
    assert env.evaluate("amount > 100 and approved", data) is True
    assert env.evaluate("(tier) == ('gold')", data) is True
    assert env.evaluate("len(items) + 1", data) == 3
    assert env.evaluate('"P3D"', data) == "P3D"
    assert POOL.started == started


def test_the_sandbox_process_has_none_of_the_servers_environment(env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "server-secret")
    POOL.close()  # the next evaluation starts a process after the variable was set
    env.evaluate("sum([1])", {})
    for pid in POOL.pids():
        assert Path(f"/proc/{pid}/environ").read_bytes() == b""


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("x = {1, 2}", "a set in 'x'"),
        ("x = Decimal('1.5')", "a Decimal in 'x'"),
        ("x = (i for i in [1])", "a generator in 'x'"),
        ("x = re.compile('a')", "a Pattern in 'x'"),
        ("x = ValueError('no')", "a ValueError in 'x'"),
        ("x = datetime(2024, 1, 1)", "a datetime in 'x'"),
        ("x = [float('nan')]", "a non-finite number in 'x'"),
        ("x = {(1, 2): 3}", "a dict with a tuple key in 'x'"),
        ("x = []\nfor i in range(100):\n    x = [x]", "nested more than 64 levels deep in 'x'"),
    ],
)
def test_a_script_leaving_what_is_not_json_fails_naming_key_and_type(env, script, words):
    data = {"a": 1}
    with pytest.raises(ScriptLimit, match="task data must be JSON") as info:
        env.execute(script, data)
    assert words in str(info.value)
    assert info.value.limit == "json"
    assert data == {"a": 1}


def test_an_expression_may_return_dates_decimals_and_truths(env):
    assert env.evaluate("date(2024, 1, 31) + timedelta(days=1)", {}).isoformat() == "2024-02-01"
    assert str(env.evaluate("Decimal('1.10') + 1", {})) == "2.10"
    assert bool(env.evaluate("re.match('a', 'abc')", {})) is True  # a condition's truth
    assert bool(env.evaluate("re.match('z', 'abc')", {})) is False


def test_a_sandbox_process_ended_while_idle_is_replaced_unnoticed(env):
    env.evaluate("sum([1])", {})
    for pid in POOL.pids():
        os.kill(pid, signal.SIGKILL)
        while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            time.sleep(0.01)  # until the kernel has ended it (a zombie until reaped)
    assert env.evaluate("sum([4, 5])", {}) == 9
