"""Completions per second without persistence: plain SpiffWorkflow, then our Engine."""

import json

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from service.engine import Engine, SourceFile
from service.roles import lane_names

from .flows import LOOP_END, Flow
from .measure import Samples

LOOP_ROUNDS = 20  # rounds per loop instance: far from the library's depth limit


def _plan(flow: Flow, count: int):
    """Yield the data of each completion of one instance, or None to start a new one."""
    if flow.key == "loop":
        for _ in range(count):
            yield from [flow.data] * (LOOP_ROUNDS - 1) + [LOOP_END]
    else:
        for _ in range(count):
            yield from [flow.data] * 9


def spiff(flow: Flow, instances: int, warmup: int = 5) -> dict:
    """Time task.data.update, task.run() and do_engine_steps() on plain SpiffWorkflow."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(flow.path))
    spec, subprocess_specs = parser.get_spec(flow.key), parser.get_subprocess_specs(flow.key)
    samples = Samples()

    def complete(workflow, task, data):
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()

    for number in range(warmup + instances):
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        for data in _plan(flow, 1):
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            samples.time(complete, workflow, task, data, keep=number >= warmup)
    return samples.summary()


def _engine(flow: Flow):
    engine = Engine(lanes=lane_names())  # the default budget
    files = [SourceFile(flow.path.name, flow.path.read_bytes())]
    return engine, engine.bundle(1, flow.key, files, flow.form_schemas())


def engine(flow: Flow, instances: int, warmup: int = 5) -> dict:
    """Time Run.complete (sandboxed scripts, history compaction) with the run kept in memory."""
    eng, bundle = _engine(flow)
    samples = Samples()
    for number in range(warmup + instances):
        run = eng.start(bundle)
        run.advance()
        for data in _plan(flow, 1):
            samples.time(run.complete, run.user_tasks()[0].id, data, keep=number >= warmup)
    return samples.summary()


def round_trip(flow: Flow, instances: int, warmup: int = 5) -> dict:
    """Time what a completion costs the engine with state as JSON text between steps."""
    eng, bundle = _engine(flow)
    samples = Samples()

    def step(text: str, task_id: str, data: dict) -> tuple[str, list]:
        run = eng.restore(bundle, json.loads(text))
        run.complete(task_id, data)
        ready = run.user_tasks()
        return json.dumps(eng.dump(run)), ready

    for number in range(warmup + instances):
        run = eng.start(bundle)
        run.advance()
        text, ready = json.dumps(eng.dump(run)), run.user_tasks()
        for data in _plan(flow, 1):
            text, ready = samples.time(step, text, ready[0].id, data, keep=number >= warmup)
    return samples.summary()
