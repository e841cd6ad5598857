"""OpenAPI links: how one answer's values feed the next call of the main flows.

Clients (and schemathesis' stateful tests) follow them: list processes -> start an instance ->
read it, its events and its first task -> claim and complete the task; deploy -> read the
process and the XML of the new version; create a customer -> read it, add to its record.
"""

from apispec import BasePlugin


def _ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _to(path: str, method: str, description: str, parameters=None, body=None) -> dict:
    link = {"operationRef": _ref(f"/api/v1{path}", method), "description": description}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    return link


def _instance_links(source: str) -> dict:
    """Links from an instance in the body at `source` (a JSON pointer prefix)."""
    instance = {"instance_id": f"$response.body#{source}/id"}
    task = {"task_id": f"$response.body#{source}/tasks/0/id"}
    return {
        "GetInstance": _to("/instances/{instance_id}", "get", "Read the instance", instance),
        "InstanceEvents": _to("/instances/{instance_id}/events", "get", "Its audit log",
                              instance),
        "SuspendInstance": _to("/instances/{instance_id}/suspend", "post", "Suspend it",
                               instance),
        "GetFirstTask": _to("/tasks/{task_id}", "get", "Its first open task", task),
        "ClaimFirstTask": _to("/tasks/{task_id}/claim", "post", "Claim its first task", task),
        "CompleteFirstTask": _to("/tasks/{task_id}/complete", "post", "Complete it", task),
    }


def _task_links() -> dict:
    task = {"task_id": "$response.body#/id"}
    return {
        "ClaimTask": _to("/tasks/{task_id}/claim", "post", "Claim the task", task),
        "UnclaimTask": _to("/tasks/{task_id}/unclaim", "post", "Give it back", task),
        "CompleteTask": _to("/tasks/{task_id}/complete", "post", "Complete it", task),
        "TaskInstance": _to("/instances/{instance_id}", "get", "Its instance",
                            {"instance_id": "$response.body#/instance_id"}),
    }


def _customer_links() -> dict:
    customer = {"customer_id": "$response.body#/id"}
    return {
        "GetCustomer": _to("/customers/{customer_id}", "get", "Read the customer", customer),
        "AddContact": _to("/customers/{customer_id}/contacts", "post", "Add a contact",
                          customer),
        "AddCommunication": _to("/customers/{customer_id}/communications", "post",
                                "Record a communication", customer),
        "CustomerEngagements": _to("/customers/{customer_id}/engagements", "get",
                                   "Its engagements", customer),
    }


# (path, method, status) -> links of that response.
LINKS = {
    ("/api/v1/processes", "get", "200"): {
        "StartInstance": _to("/instances", "post", "Start the first listed process", body={
            "process": "$response.body#/0/key"}),
        "GetProcess": _to("/processes/{key}", "get", "Its versions",
                          {"key": "$response.body#/0/key"}),
    },
    ("/api/v1/processes", "post", "201"): {
        "GetProcess": _to("/processes/{key}", "get", "The deployed process's versions",
                          {"key": "$response.body#/key"}),
        "GetVersionXml": _to("/processes/{key}/versions/{number}/bpmn", "get",
                             "The XML of the new version",
                             {"key": "$response.body#/key", "number": "$response.body#/version"}),
    },
    ("/api/v1/instances", "post", "201"): _instance_links(""),
    ("/api/v1/instances", "get", "200"): {
        "GetListedInstance": _to("/instances/{instance_id}", "get", "Read the first one",
                                 {"instance_id": "$response.body#/items/0/id"}),
    },
    ("/api/v1/instances/{instance_id}", "get", "200"): {
        **_instance_links(""),
        "ResumeInstance": _to("/instances/{instance_id}/resume", "post", "Resume it",
                              {"instance_id": "$response.body#/id"}),
    },
    ("/api/v1/tasks", "get", "200"): {
        "GetListedTask": _to("/tasks/{task_id}", "get", "Read the first one",
                             {"task_id": "$response.body#/items/0/id"}),
    },
    ("/api/v1/tasks/{task_id}", "get", "200"): _task_links(),
    ("/api/v1/tasks/{task_id}/claim", "post", "200"): _task_links(),
    ("/api/v1/customers", "post", "201"): _customer_links(),
    ("/api/v1/customers", "get", "200"): {
        "GetListedCustomer": _to("/customers/{customer_id}", "get", "Read the first one",
                                 {"customer_id": "$response.body#/items/0/id"}),
    },
}


class LinksPlugin(BasePlugin):
    """Attach LINKS to their responses."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            for status, response in operation.get("responses", {}).items():
                links = LINKS.get((path, method, str(status)))
                if links and isinstance(response, dict):
                    response.setdefault("links", {}).update(links)
