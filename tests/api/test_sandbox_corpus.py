"""Every escape and bomb of the corpus, in every place the engine evaluates an expression.

Black box through the API: each payload is deployed in a diagram that evaluates it in one
place, then an instance is started. It must be refused at deploy (naming the element) or end
in `error` with an incident at that element; a bomb's incident names the budget that stopped
it. Nothing may escape: no payload runs to completion, the canary file is never written, and
the server's shared sandbox objects are intact afterwards. Budgets are small, so bombs stop
fast; the suite does not assert how fast.
"""

import io
from pathlib import Path

import pytest
from sandbox_corpus import PAYLOADS, PLACES

from service.engine import restricted

CANARY = Path("/tmp/linkpass-canary")
BUDGET = {"SCRIPT_TIMEOUT": 0.25, "SCRIPT_CPU_SECONDS": 0.2, "SCRIPT_MEMORY_MB": 48,
          "SCRIPT_RESULT_BYTES": 32 * 1024, "TASK_DATA_MAX_BYTES": 32 * 1024}
# What an incident says for each budget (engine/script_limits.py).
WORDS = {"wall": "s time limit (SCRIPT_TIMEOUT)", "cpu": "CPU time limit (SCRIPT_CPU_SECONDS)",
         "memory": "memory limit (SCRIPT_MEMORY_MB)",
         "result": "result limit (SCRIPT_RESULT_BYTES)", "data": "(TASK_DATA_MAX_BYTES)"}


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 60 and len({source for source, _ in PAYLOADS}) == len(PAYLOADS)
    assert sum(1 for _, limits in PAYLOADS if limits) >= 25


def _deploy(owner, name: str, text: str):
    return owner.post("/api/v1/processes", data={"file": (io.BytesIO(text.encode()), name)},
                      content_type="multipart/form-data")


def _outcome(owner, advisor, place: str, number: int, source: str) -> str | dict:
    """Return "refused" (deploy 422 naming the element) or the started instance's incident."""
    diagram, decision, element = PLACES[place]
    key = f"corpus_{place.replace(' ', '_').replace('-', '_').lower()}_{number}"
    if decision is not None:
        answer = _deploy(owner, f"{key}_table.dmn", decision(key, source))
        if answer.status_code == 422:
            ids = {f["element_id"] for f in answer.json["details"]["findings"]}
            return "refused" if ids & {f"input_{key}", f"cell_{key}"} else answer.json
        assert answer.status_code in (200, 201), answer.json
    answer = _deploy(owner, f"{key}.bpmn", diagram(key, source))
    if answer.status_code == 422:
        ids = {f["element_id"] for f in answer.json["details"]["findings"]}
        return "refused" if ids & {element, "f1"} else answer.json  # f1: a condition's flow
    assert answer.status_code in (200, 201), answer.json
    started = advisor.post("/api/v1/instances", json={"process": key})
    if started.status_code != 201:
        return {"start": started.status_code, "body": started.get_data(as_text=True)}
    instance = advisor.instance(started.json["id"])
    waiting = [t for t in instance["tasks"] if t["bpmn_id"] == "place" and t["status"] == "ready"]
    if place == "post-script" and waiting:  # the post-script runs as the task completes
        advisor.complete(waiting[0]["id"])
        instance = advisor.instance(started.json["id"])
    if instance["status"] != "error" or not instance["incidents"]:
        return {"status": instance["status"], "data": instance.get("data")}
    return instance["incidents"][0]


@pytest.mark.parametrize("place", list(PLACES))
def test_every_payload_is_refused_or_an_incident_naming_its_limit(seeded_app, as_user, place):
    app = seeded_app(**BUDGET)
    client = app.test_client()
    owner, advisor = (type(as_user("owner"))(client, name) for name in ("owner", "sh.advisor"))
    CANARY.unlink(missing_ok=True)
    wrong, element = [], PLACES[place][2]
    for number, (source, limits) in enumerate(PAYLOADS):
        outcome = _outcome(owner, advisor, place, number, source)
        if outcome == "refused":
            continue
        if not (isinstance(outcome, dict) and outcome.get("element_id") == element):
            wrong.append((source, outcome))
        elif limits and not any(WORDS[limit] in outcome["message"] for limit in limits):
            wrong.append((source, f"no limit of {sorted(limits)} named: {outcome['message']}"))
    assert not wrong, "\n".join(f"{source!r}: {outcome}" for source, outcome in wrong)
    assert not CANARY.exists()
    # The server's own copies of what scripts see are untouched.
    assert restricted.MODULES["math"].pi > 3.14
    assert restricted.GLOBALS["_getattr_"] is restricted.GUARDS["_getattr_"]
    health = client.get("/healthz")
    assert health.status_code in (200, 503)  # the server still answers (503: no worker beat)
