"""Document every operation's error answers with the {code, message, details} envelope.

The OpenAPI document lists no catch-all `default` response: each operation names the 4xx
statuses it can answer, so a client (and schemathesis' status-code check) can rely on them.
Most follow from the operation's shape; the rest are listed below by operation.
"""

from http import HTTPStatus

from apispec import BasePlugin

# Signed-in operations that check nothing beyond the token: what the caller may not see is
# answered 404 (access.py scopes every query), never 403.
NO_ROLE_CHECK = {
    ("get", "/api/v1/processes"), ("get", "/api/v1/processes/{key}"),
    ("get", "/api/v1/processes/{key}/versions/{number}/bpmn"),
    ("get", "/api/v1/instances"), ("get", "/api/v1/instances/{instance_id}"),
    ("get", "/api/v1/instances/{instance_id}/events"),
    ("get", "/api/v1/tasks"), ("get", "/api/v1/tasks/{task_id}"),
    ("get", "/api/v1/org/roles"), ("get", "/api/v1/org/tokens"),
    ("post", "/api/v1/org/tokens/{token_id}/revoke"), ("post", "/api/v1/org/password"),
    ("get", "/api/v1/customers"), ("get", "/api/v1/customers/{customer_id}"),
    ("get", "/api/v1/customers/{customer_id}/engagements"),
    ("get", "/api/v1/customers/{customer_id}/engagements/{engagement_id}"),
    ("get", "/api/v1/customers/{customer_id}/documents/{document_id}"),
    ("get", "/api/v1/certification-bodies"),
}

# Statuses the shape does not imply: 404 for a named object in the body, 409 for a state that
# forbids the change (or a lost race on the instance's version column), 429 for throttling.
EXTRA = {
    ("post", "/api/v1/auth/token"): (401, 429),
    ("post", "/api/v1/processes"): (409,),
    ("post", "/api/v1/instances"): (404,),
    ("post", "/api/v1/messages"): (404, 409),
    ("post", "/api/v1/org/password/reset"): (404,),
    ("post", "/api/v1/org/invitations/accept"): (404,),
    ("post", "/api/v1/org/centers"): (409,),
    ("post", "/api/v1/org/users"): (404, 409),
    ("patch", "/api/v1/org/users/{username}"): (409,),
    ("post", "/api/v1/org/users/import"): (409,),
    ("post", "/api/v1/admin/instances/bulk"): (409,),
    ("post", "/api/v1/customers"): (409,),
    ("post", "/api/v1/certification-bodies"): (409,),
    ("post", "/api/v1/public/inquiries"): (429,),
    ("post", "/api/v1/public/center-applications"): (429,),
}
# Path fragments of operations that change an instance, a task, a user or a center in place:
# their state may forbid it (409).
CHANGES_STATE = ("/suspend", "/resume", "/terminate", "/retry", "/migrate", "/claim",
                 "/unclaim", "/assign", "/complete", "/data", "/skip", "/reset", "/reassign",
                 "/deactivate", "/invite", "/status", "/contacts",
                 "/communications", "/documents")


def error_statuses(method: str, path: str, operation: dict) -> set[int]:
    """Return the 4xx statuses an operation can answer."""
    statuses = set(EXTRA.get((method, path), ()))
    parameters = operation.get("parameters", [])
    if "{" in path:
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {400, 413, 422}  # unreadable, too large, invalid
    if any(isinstance(p, dict) and p.get("in") == "query" for p in parameters):
        statuses.add(422)
    if operation.get("security"):
        statuses.add(401)
        if (method, path) not in NO_ROLE_CHECK:
            statuses.add(403)
    if method in ("post", "patch") and "{" in path and path.endswith(CHANGES_STATE):
        statuses.add(409)
    return statuses


class ErrorResponsesPlugin(BasePlugin):
    """Add each operation's error statuses, referring to the envelope responses."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, path, operation)):
                if str(status) not in responses and status not in responses:
                    responses[str(status)] = HTTPStatus(status).name
