"""What the studio pages share: the blueprint, the owner guard, the editor's strings."""

from functools import wraps

from flask import Blueprint, request
from flask_babel import gettext as _

from service.errors import Forbidden, Unauthorized
from service.roles import ROLES
from service.usecases.studio import OWNERS

from .common import login_required, page_actor

bp = Blueprint("studio", __name__, url_prefix="/studio")


def owner_required(view):
    """Let process owners (and admins) in; everyone else gets 403 (401 on the JSON API)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        actor = page_actor()
        if actor is None and request.path.startswith("/studio/api/"):
            raise Unauthorized("sign in first")
        if actor is not None and not actor.roles & OWNERS:
            raise Forbidden("only a process owner may use the studio")
        return view(*args, **kwargs)

    return login_required(wrapper)


def role_choices(lang: str) -> list[dict]:
    """Return the roles a lane may name, labelled in the page's language."""
    return [{"key": r.key, "label": r.name_zh if lang == "zh_CN" else r.name_en,
             "names": [r.key, r.name_zh, r.name_en]}
            for r in ROLES if r.scope != "any"]


def editor_strings() -> dict[str, str]:
    """Return the editor's interface strings, translated."""
    return {
        "process": _("Process"), "processKey": _("Process key"),
        "processKeyHelp": _("The id instances and the API use; fixed once deployed."),
        "processName": _("Process name"), "executable": _("Executable"),
        "general": _("General"), "id": _("Id"), "name": _("Element name"),
        "laneRole": _("Lane role"), "role": _("Role"), "chooseRole": _("Choose a role…"),
        "unknownRole": _("Unknown role"),
        "roleHelp": _("Tasks in this lane are offered to users holding this role."),
        "lane": _("Lane"), "noLane": _("No lane (goes to the starter)"),
        "laneHelp": _("Moves the element into the lane: its tasks go to that lane's role."),
        "userTask": _("User task"), "form": _("Form"),
        "genericForm": _("Generic form (comment + done)"), "missingForm": _("Missing form"),
        "editForm": _("Edit form"), "newForm": _("New form"),
        "dueIn": _("Due in"),
        "dueInHelp": _("ISO 8601 duration, e.g. P3D (3 days), PT4H (4 hours)."),
        "dueInInvalid": _("Not an ISO 8601 duration such as P3D."),
        "assignee": _("Assignee expression"),
        "assigneeHelp": _("Optional: a Python expression giving one username."),
        "script": _("Script"),
        "scriptHelp": _("Python, checked by the sandbox on validate: no imports but datetime, "
                        "decimal, math, re, json; no names starting with _."),
        "conditions": _("Outgoing conditions"), "condition": _("Condition"),
        "conditionHelp": _("A Python expression over the task data, e.g. amount > 100."),
        "defaultFlow": _("Default flow"), "noDefault": _("No default flow"),
        "defaultHelp": _("Taken when no condition holds."),
        "isDefault": _("This is the gateway's default flow: it needs no condition."),
        "timer": _("Timer"), "timerKind": _("Kind"), "timeDuration": _("Duration"),
        "timeDate": _("Date"), "timeCycle": _("Cycle"), "timerValue": _("Expression"),
        "timerHelp": _("A quoted Python string: \"P30D\", \"2026-12-01T09:00:00+08:00\", "
                       "\"R3/PT1H\"."),
        "message": _("Message"), "messageName": _("Message name"),
        "messageHelp": _("Pick an existing message or type a new name."),
        "messageVariable": _("Payload variable"), "correlationKey": _("Correlation key"),
        "correlationHelp": _("An expression matched against the message's correlation_key "
                             "(default: the business key)."),
        "messagePayload": _("Payload expression"),
        "callActivity": _("Call activity"), "calledElement": _("Called process"),
        "calledHelp": _("The key of a deployed process; its latest version is bundled at deploy."),
        "decision": _("Decision table"), "decisionId": _("Decision id"),
        "service": _("Service task"), "operator": _("Operation"),
        "multiInstance": _("Multi-instance"), "repeat": _("Repeat"), "once": _("Once"),
        "parallel": _("For each item, in parallel"),
        "sequential": _("For each item, one after another"),
        "collection": _("Collection"), "collectionHelp": _("The list variable to iterate over."),
        "elementVariable": _("Element variable"), "outputCollection": _("Result collection"),
        "outputItem": _("Result variable"),
        "prePostScripts": _("Pre- and post-scripts"), "preScript": _("Pre-script"),
        "postScript": _("Post-script"),
        "unsaved": _("Unsaved changes"), "draftSaved": _("Draft saved"),
        "draftSavedAt": _("Draft saved at"), "failed": _("The request failed."),
        "noProblems": _("No problems found: ready to deploy."),
        "problemsFound": _("Problems found: see the markers on the diagram."),
        "wholeDiagram": _("Whole diagram"),
        "deployRefused": _("Deploy refused: fix the marked problems first."),
        "deployed": _("Version {version} deployed."),
        "unchanged": _("Nothing changed: version {version} stays current."),
        "version": _("Version"),
        **{f"type:bpmn:{name}": label for name, label in type_labels().items()},
    }


def type_labels() -> dict[str, str]:
    """Return the BPMN element types in the page's language."""
    return {
        "Process": _("Process"), "Collaboration": _("Process"), "Participant": _("Pool"),
        "Lane": _("Lane"), "UserTask": _("User task"), "ManualTask": _("Manual task"),
        "ScriptTask": _("Script task"), "ServiceTask": _("Service task"),
        "BusinessRuleTask": _("Business rule task"), "CallActivity": _("Call activity"),
        "SubProcess": _("Subprocess"), "Task": _("Task"), "SendTask": _("Send task"),
        "ReceiveTask": _("Receive task"), "ExclusiveGateway": _("Exclusive gateway"),
        "ParallelGateway": _("Parallel gateway"), "InclusiveGateway": _("Inclusive gateway"),
        "EventBasedGateway": _("Event-based gateway"), "StartEvent": _("Start event"),
        "EndEvent": _("End event"), "IntermediateCatchEvent": _("Intermediate catch event"),
        "IntermediateThrowEvent": _("Intermediate throw event"),
        "BoundaryEvent": _("Boundary event"), "SequenceFlow": _("Sequence flow"),
    }


def field_labels() -> dict[str, str]:
    """Return what a version comparison reports as changed, in the page's language."""
    return {
        "bpmn_name": _("name"), "name": _("name"), "lane": _("lane"),
        "cond_task_specs": _("conditions"), "default_task_spec": _("default flow"),
        "condition": _("condition"), "extensions": _("properties (form, due time…)"),
        "script": _("script"), "prescript": _("pre-script"), "postscript": _("post-script"),
        "inputs": _("incoming flows"), "outputs": _("outgoing flows"), "source": _("source"),
        "target": _("target"), "members": _("elements in the lane"),
        "typename": _("element type"), "event_definition": _("event"),
        "documentation": _("documentation"), "data_input": _("collection"),
        "data_output": _("result collection"), "input_item": _("element variable"),
        "output_item": _("result variable"), "cardinality": _("count"),
    }
