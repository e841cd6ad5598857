"""Marshmallow schemas of the CRM, certification bodies and the public forms."""

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

from service.usecases import credit_code
from service.usecases.crm_flow import CHANNELS, INDUSTRIES, SIZES
from service.usecases.documents import KINDS

from .schemas import PageQuerySchema


def _credit_code(value: str) -> None:
    if not credit_code.is_valid(value):
        raise ValidationError("not a valid unified social credit code (GB 32100-2015)")


class CustomerCreateSchema(Schema):
    center = fields.String(load_default=None, allow_none=True)
    credit_code = fields.String(required=True, validate=_credit_code)
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    industry = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(INDUSTRIES))
    size = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SIZES))


class CustomerUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=200))
    industry = fields.String(allow_none=True, validate=validate.OneOf(INDUSTRIES))
    size = fields.String(allow_none=True, validate=validate.OneOf(SIZES))


class CustomerQuerySchema(PageQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))


class ContactCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\+?[0-9 ()-]{5,40}$"))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class CommunicationCreateSchema(Schema):
    engagement_id = fields.Integer(load_default=None, allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    occurred_at = fields.DateTime(required=True)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    participants = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                               required=True, validate=validate.Length(min=1, max=50))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class DocumentUploadSchema(Schema):
    file = Upload(required=True)


class DocumentFormSchema(Schema):
    kind = fields.String(load_default="material", validate=validate.OneOf(KINDS))
    engagement_id = fields.Integer(load_default=None, allow_none=True)


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    title = fields.String(allow_none=True)


class CustomerSchema(Schema):
    id = fields.Integer()
    center = fields.String()
    credit_code = fields.String()
    name = fields.String()
    industry = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    contacts = fields.List(fields.Nested(ContactSchema))


class CustomerDetailSchema(CustomerSchema):
    communications = fields.List(fields.Dict())
    documents = fields.List(fields.Dict())
    engagements = fields.List(fields.Dict())


class EngagementSchema(Schema):
    id = fields.Integer()
    center = fields.String()
    customer_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    advisor = fields.String(allow_none=True)
    channel = fields.String()
    stage = fields.String()
    status = fields.String()
    read_only = fields.Boolean()
    inquiry = fields.Dict(allow_none=True)
    needs = fields.List(fields.String(), allow_none=True)
    expectations = fields.String(allow_none=True)
    certification_required = fields.Boolean()
    certification_outcome = fields.String(allow_none=True)
    opened_at = fields.String()
    closed_at = fields.String(allow_none=True)
    archived_at = fields.String(allow_none=True)
    archived_by = fields.String(allow_none=True)
    archive_summary = fields.String(allow_none=True)


class EngagementDetailSchema(EngagementSchema):
    plan_versions = fields.List(fields.Dict())
    execution_items = fields.List(fields.Dict())
    service_records = fields.List(fields.Dict())
    certifications = fields.List(fields.Dict())
    communications = fields.List(fields.Dict())
    documents = fields.List(fields.Dict())
    feedback = fields.Dict(allow_none=True)


class CommunicationSchema(Schema):
    id = fields.Integer()
    engagement_id = fields.Integer(allow_none=True)
    kind = fields.String()
    channel = fields.String(allow_none=True)
    occurred_at = fields.String()
    place = fields.String(allow_none=True)
    participants = fields.List(fields.String())
    summary = fields.String()
    recorded_by = fields.String()


class DocumentSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    engagement_id = fields.Integer(allow_none=True)
    service_record_id = fields.Integer(allow_none=True)
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    created_at = fields.String()


class BodyCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=40))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    contact_email = fields.Email(load_default=None, allow_none=True)


class BodyActiveSchema(Schema):
    active = fields.Boolean(required=True)


class BodySchema(Schema):
    code = fields.String()
    name = fields.String()
    contact_email = fields.String(allow_none=True)
    active = fields.Boolean()
    key_issued_at = fields.String(allow_none=True)
    api_key = fields.String(allow_none=True)  # only when just issued


class PublicFormSchema(Schema):
    """Any JSON object: the form in forms/ checks it, so that errors name its fields."""

    class Meta:
        unknown = "include"


class ReceivedSchema(Schema):
    status = fields.String()
    reference = fields.String()
