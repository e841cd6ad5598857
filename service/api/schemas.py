"""Marshmallow schemas of the REST API (module-level instances below each class)."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

# An id or version number as the database stores it (a 32-bit INTEGER column).
ROW_NUMBER = validate.Range(min=1, max=2**31 - 1)


class ErrorSchema(Schema):
    """The one error envelope every 4xx (and the odd 5xx) answer carries."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(required=True, metadata={"type": "object"})


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class UploadSchema(Schema):
    file = Upload(required=True)


class ProcessSchema(Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    version = fields.Integer()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    user_tasks = fields.List(fields.Dict())
    message_starts = fields.List(fields.String())


class VersionSchema(Schema):
    version = fields.Integer()
    content_hash = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    running_instances = fields.Integer()


class ProcessDetailSchema(Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    versions = fields.List(fields.Nested(VersionSchema))


class DeployedSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    kind = fields.String()
    created = fields.Boolean()


class InstanceStartSchema(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=120))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    business_key = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=200))
    center = fields.String(load_default=None, allow_none=True)


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String()
    bpmn_id = fields.String()
    instance_id = fields.Integer()
    process = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    center = fields.String()
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class TaskDetailSchema(TaskSchema):
    form = fields.Dict()
    data = fields.Dict()


class IncidentSchema(Schema):
    id = fields.Integer()
    element_id = fields.String(allow_none=True)
    message = fields.String()
    line = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class InstanceSchema(Schema):
    id = fields.Integer()
    process = fields.String()
    version = fields.Integer()
    status = fields.String()
    business_key = fields.String(allow_none=True)
    center = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    tasks = fields.List(fields.Nested(TaskSchema))
    incidents = fields.List(fields.Nested(IncidentSchema))


class InstanceSummarySchema(InstanceSchema):
    class Meta:
        exclude = ("tasks", "incidents", "data")


def page_of(item_schema):
    """Return a page schema class wrapping items of the given schema."""
    return type(f"{item_schema.__name__}Page", (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "total": fields.Integer(),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
    })


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class InstanceQuerySchema(PageQuerySchema):
    process = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("running", "waiting", "suspended", "error", "completed", "terminated")))


class TaskQuerySchema(PageQuerySchema):
    scope = fields.String(load_default="all", validate=validate.OneOf(
        ("mine", "candidate", "all")))
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("ready", "claimed", "completed", "cancelled")))


class EventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.String()
    task_id = fields.String(allow_none=True)
    details = fields.Dict()
    created_at = fields.DateTime()


class AssignSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class CompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class RetrySchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TerminateSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class MigrateSchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True, validate=ROW_NUMBER)


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    correlation_key = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=200))
    payload = fields.Raw(load_default=None, allow_none=True)


class DeliveredSchema(Schema):
    instances = fields.List(fields.Nested(InstanceSummarySchema))
