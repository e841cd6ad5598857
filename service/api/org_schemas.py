"""Marshmallow schemas of the organisation API (/api/v1/org/...)."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from .schemas import PageQuerySchema


class RoleSchema(Schema):
    key = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    scope = fields.String()
    grantable = fields.Boolean()


class CenterSchema(Schema):
    code = fields.String()
    kind = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    region = fields.String(allow_none=True)
    status = fields.String()
    presidents = fields.List(fields.String())
    users = fields.Integer()


class CenterCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=32))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=100))
    region = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=100))


class CenterUpdateSchema(Schema):
    name_zh = fields.String(validate=validate.Length(min=1, max=100))
    name_en = fields.String(validate=validate.Length(min=1, max=100))
    region = fields.String(allow_none=True, validate=validate.Length(max=100))


class CenterStatusSchema(Schema):
    status = fields.String(required=True,
                           validate=validate.OneOf(("active", "suspended", "closed")))


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    center = fields.String()
    roles = fields.List(fields.String())
    active = fields.Boolean()
    invited = fields.Boolean()
    locked = fields.Boolean()
    sso = fields.Boolean()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=2, max=80))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.String(required=True, validate=validate.Length(min=3, max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    center = fields.String(required=True, validate=validate.Length(min=1, max=32))
    roles = fields.List(fields.String(validate=validate.Length(max=40)), required=True,
                        validate=validate.Length(min=1, max=11))
    password = fields.String(load_default=None, allow_none=True, load_only=True,
                             validate=validate.Length(max=200))


class UserUpdateSchema(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    email = fields.String(validate=validate.Length(min=3, max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    roles = fields.List(fields.String(validate=validate.Length(max=40)),
                        validate=validate.Length(min=1, max=11))


class UserQuerySchema(PageQuerySchema):
    center = fields.String(load_default=None, validate=validate.Length(max=32))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    active = fields.Boolean(load_default=None, allow_none=True)


class EventQuerySchema(PageQuerySchema):
    sign_ins = fields.Boolean(load_default=False)  # the sign-ins instead of the changes


class DeactivateSchema(Schema):
    tasks_to = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=80))
    engagements_to = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=80))


class ChangeSchema(Schema):
    """An audited change of the organisation, with what moved."""

    id = fields.Integer()
    action = fields.String()
    actor = fields.String()
    details = fields.Dict()
    created_at = fields.DateTime()


class OrgTaskSchema(Schema):
    id = fields.String()
    name = fields.String()
    instance_id = fields.Integer()
    process = fields.String()
    role = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)


class ImportSchema(Schema):
    file = Upload(required=True)


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class ImportRowSchema(Schema):
    line = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    email = fields.String()
    phone = fields.String()
    center = fields.String()
    roles = fields.String()
    ok = fields.Boolean()


class ImportErrorSchema(Schema):
    line = fields.Integer()
    field = fields.String()
    message = fields.String()
    detail = fields.String()


class ImportResultSchema(Schema):
    total = fields.Integer()
    imported = fields.Integer()
    rows = fields.List(fields.Nested(ImportRowSchema))
    errors = fields.List(fields.Nested(ImportErrorSchema))


class TokenInfoSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    live = fields.Boolean()
    current = fields.Boolean()


class ForgotSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LinkPasswordSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True,
                                     validate=validate.Length(max=200))
    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(max=200))
