"""Marshmallow schemas of the admin monitor's API (/api/v1/admin/...)."""

from marshmallow import Schema, fields, validate

from .schemas import (
    ROW_NUMBER,
    IncidentSchema,
    InstanceSchema,
    InstanceSummarySchema,
    PageQuerySchema,
    TaskSchema,
)

STATUSES = ("running", "waiting", "suspended", "error", "completed", "terminated")


class InstanceFilterSchema(Schema):
    process = fields.String(load_default=None, validate=validate.Length(max=120))
    version = fields.Integer(load_default=None, validate=ROW_NUMBER)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    center = fields.String(load_default=None, validate=validate.Length(max=32))
    client = fields.String(load_default=None, validate=validate.Length(max=200))
    business_key = fields.String(load_default=None, validate=validate.Length(max=200))
    started_from = fields.Date(load_default=None)
    started_to = fields.Date(load_default=None)
    ended_from = fields.Date(load_default=None)
    ended_to = fields.Date(load_default=None)
    has_incident = fields.Boolean(load_default=None)
    field = fields.String(load_default=None, validate=validate.Length(max=300))
    value = fields.String(load_default=None, validate=validate.Length(max=500))


class InstanceSearchSchema(InstanceFilterSchema, PageQuerySchema):
    sort = fields.String(load_default="id", validate=validate.OneOf(
        ("id", "process", "status", "started", "ended", "updated", "business_key")))
    order = fields.String(load_default="desc", validate=validate.OneOf(("asc", "desc")))


class MonitorInstanceSchema(InstanceSummarySchema):
    open_incidents = fields.Integer()


class ElementCountSchema(Schema):
    completed = fields.Integer()
    active = fields.Integer()
    failed = fields.Integer()


class ResetPointSchema(Schema):
    task_id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()


class MonitorEventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.String()
    task_id = fields.String(allow_none=True)
    details = fields.Dict()
    created_at = fields.DateTime()


class MonitorIncidentSchema(IncidentSchema):
    task_id = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)


class InstanceViewSchema(InstanceSchema):
    incidents = fields.List(fields.Nested(MonitorIncidentSchema))
    events = fields.List(fields.Nested(MonitorEventSchema))
    elements = fields.Dict(keys=fields.String(), values=fields.Nested(ElementCountSchema))
    reset_points = fields.List(fields.Nested(ResetPointSchema))
    newer_versions = fields.List(fields.Integer())
    can_operate = fields.Boolean()


class DataEditSchema(Schema):
    data = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=120)),
                       required=True)


class SkipSchema(Schema):
    task_id = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=36))


class ResetSchema(Schema):
    task_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class VersionArgSchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True, validate=ROW_NUMBER)


class MigrationCheckSchema(Schema):
    instance_id = fields.Integer()
    from_version = fields.Integer()
    to_version = fields.Integer(allow_none=True)
    ok = fields.Boolean()
    reasons = fields.List(fields.String())


class ReassignSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class BulkSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(
        ("suspend", "resume", "terminate", "retry", "migrate")))
    ids = fields.List(fields.Integer(validate=ROW_NUMBER), load_default=None,
                      validate=validate.Length(max=1000))
    filter = fields.Nested(InstanceFilterSchema, load_default=None)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    version = fields.Integer(load_default=None, allow_none=True, validate=ROW_NUMBER)
    dry_run = fields.Boolean(load_default=False)


class OutcomeSchema(Schema):
    instance_id = fields.Integer()
    ok = fields.Boolean()
    status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class BulkResultSchema(Schema):
    action = fields.String()
    dry_run = fields.Boolean()
    succeeded = fields.Integer()
    failed = fields.Integer()
    outcomes = fields.List(fields.Nested(OutcomeSchema))


class HeatmapQuerySchema(Schema):
    version = fields.Integer(load_default=None, validate=ROW_NUMBER)
    all_versions = fields.Boolean(load_default=True)


class HeatmapElementSchema(Schema):
    name = fields.String()
    count = fields.Integer()
    avg_seconds = fields.Float()
    max_seconds = fields.Float()
    open = fields.Integer()


class HeatmapSchema(Schema):
    process = fields.String()
    version = fields.Integer()
    elements = fields.Dict(keys=fields.String(), values=fields.Nested(HeatmapElementSchema))


class DashboardSchema(Schema):
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_process = fields.List(fields.Dict())
    open_tasks = fields.List(fields.Dict())
    overdue_count = fields.Integer()
    overdue = fields.List(fields.Nested(TaskSchema))
    incident_count = fields.Integer()
    incidents = fields.List(fields.Dict())
    completed_per_day = fields.List(fields.Dict())
