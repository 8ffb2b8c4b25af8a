from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..deadlines.schemas import NextDeadlineSchema
from ..tasks.schemas import TaskSchema
from .models import CaseSource, CaseStatus


class FileCaseArgs(Schema):
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in CaseSource]))
    party_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    party_type = fields.String(required=True, validate=validate.OneOf(["organisation", "individual"]))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CaseListArgs(PageArgs):
    unit_id = Id(load_default=None)
    stage = fields.String(load_default=None, validate=validate.Length(max=100),
                          metadata={"description": "the id of an open task, e.g. legal_review"})
    overdue = fields.Boolean(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in CaseStatus]))


class ExtensionArgs(Schema):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReasonArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CaseSchema(Schema):
    id = fields.Integer()
    case_number = fields.String()
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda c: c.unit.name)
    source = fields.String()
    party_name = fields.String()
    party_type = fields.String()
    summary = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    total = fields.Integer()


class DeadlineSchema(Schema):
    timer = fields.String()
    name = fields.String()
    kind = fields.String()
    due_at = fields.AwareDateTime()
    rule_id = fields.String(allow_none=True)
    rule_name = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True)
    provisional = fields.Boolean()


class TimelineTaskSchema(Schema):
    id = fields.Integer()
    bpmn_id = fields.String()
    name = fields.String()


class TimelineDocumentSchema(Schema):
    name = fields.String(metadata={"description": "the document (文书) the step produced"})
    number = fields.String(allow_none=True)


class TimelineEvidenceSchema(Schema):
    evidence_id = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    sha256 = fields.String(allow_none=True)


class TimelineEventSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer(metadata={"description": "place in the case's audit hash chain"})
    occurred_at = fields.AwareDateTime()
    actor = fields.String(attribute="actor_name", metadata={"description": "username, or 'system'"})
    actor_display_name = fields.String()
    action = fields.String()
    action_label = fields.String(metadata={"description": "the action in Chinese"})
    late_label = fields.String(allow_none=True, metadata={"description": "超期 N 日办结: a completion after its deadline, as its rule counts"})
    task_id = fields.Integer(allow_none=True)
    task = fields.Nested(TimelineTaskSchema, allow_none=True)
    document = fields.Nested(TimelineDocumentSchema, allow_none=True)
    evidence = fields.Nested(TimelineEvidenceSchema, allow_none=True)
    details = fields.Dict()
    hash = fields.String()


class TimelineSchema(Schema):
    items = fields.List(fields.Nested(TimelineEventSchema))


class SurchargeSchema(Schema):
    fine = fields.Float()
    payment_due_at = fields.AwareDateTime()
    days_late = fields.Integer()
    amount = fields.Float()
    capped = fields.Boolean()
    basis = fields.String()


class WaitingStepSchema(Schema):
    bpmn_id = fields.String()
    name = fields.String(metadata={"description": "e.g. 等待移送结果"})
    message = fields.String(metadata={"description": "the BPMN message the case waits for"})
    transfer_id = fields.Integer(metadata={"description": "for transfer_result: the criminal transfer"})
    transfer_number = fields.String()
    transfer_stage = fields.String()
    transfer_stage_label = fields.String()
    next_deadline = fields.Nested(NextDeadlineSchema, allow_none=True,
                                  metadata={"description": "the transfer's next deadline, with its rule and basis"})


class CaseDetailSchema(CaseSchema):
    surcharge = fields.Nested(SurchargeSchema, allow_none=True,
                              metadata={"description": "late-payment surcharge accrued so far (行政处罚法 Art 72)"})
    violations = fields.List(fields.Dict())
    stage = fields.List(fields.String(), metadata={"description": "names of the open steps"})
    open_tasks = fields.List(fields.Nested(TaskSchema))
    waiting = fields.List(fields.Nested(WaitingStepSchema), metadata={
        "description": "where the case stands waiting for a message, not a person (等待移送结果)"})
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    timeline = fields.List(fields.Nested(TimelineEventSchema))
    data = fields.Dict(metadata={"description": "the case's process data"})


class PreservationItemArgs(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    quantity = fields.String(load_default=None, validate=validate.Length(max=100))


class PreservationRequestArgs(Schema):
    items = fields.List(fields.Nested(PreservationItemArgs), required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "证据可能灭失或者以后难以取得的情形"})
