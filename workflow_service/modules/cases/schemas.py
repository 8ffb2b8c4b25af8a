from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..deadlines.schemas import NextDeadlineSchema
from ..tasks.schemas import TaskSchema
from .models import CaseSource, CaseStatus


class CoPartyArgs(Schema):
    """A party beside the case's own one (双罚: the unit's 主要负责人, 安全生产法 Art 94, 95)."""
    role = fields.String(required=True, validate=validate.OneOf(["unit", "principal", "other_head", "individual"]),
                         metadata={"description": "单位 unit / 主要负责人 principal / 其他负责人 other_head / 个人 individual"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(load_default=None, validate=validate.OneOf(["organisation", "individual"]))
    identification = fields.String(load_default=None, validate=validate.Length(max=32),
                                   metadata={"description": "统一社会信用代码 (unit) or 公民身份号码 (person)"})
    position = fields.String(load_default=None, validate=validate.Length(max=100), metadata={"description": "职务"})
    address = fields.String(load_default=None, validate=validate.Length(max=300))


class FileCaseArgs(Schema):
    """The party is named (`party_name`, `party_type`), or chosen from the enterprise registry (`enterprise_id`),
    or added to the registry with the case (`enterprise`: the fields of POST /api/v1/enterprises)."""
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in CaseSource]))
    party_name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    party_type = fields.String(load_default=None, validate=validate.OneOf(["organisation", "individual"]))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    enterprise_id = Id(load_default=None, metadata={"description": "the party from the enterprise registry"})
    enterprise = fields.Dict(load_default=None, metadata={"description": "a new registry entry for the party"})
    co_parties = fields.List(fields.Nested(CoPartyArgs), load_default=None, validate=validate.Length(max=19),
                             metadata={"description": "further parties of the case (其主要负责人 …), each decided on "
                                                      "its own"})

    @validates_schema
    def _one_party(self, data, **kwargs):
        registry = [k for k in ("enterprise_id", "enterprise") if data.get(k) is not None]
        if len(registry) > 1:
            raise ValidationError("只能选择名录中的单位或新增单位之一", "enterprise")
        if not registry:
            missing = {k: ["当事人须填写 (required)"] for k in ("party_name", "party_type") if not data.get(k)}
            if missing:
                raise ValidationError(missing)


class CaseListArgs(PageArgs):
    unit_id = Id(load_default=None)
    stage = fields.String(load_default=None, validate=validate.Length(max=100),
                          metadata={"description": "the id of an open task, e.g. legal_review"})
    overdue = fields.Boolean(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in CaseStatus]))
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "a case number (or its beginning) or part of the party's name"})
    filed_from = fields.Date(load_default=None, metadata={"description": "filed on or after this day"})
    filed_to = fields.Date(load_default=None, metadata={"description": "filed on or before this day"})


class ExtensionArgs(Schema):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ExtensionRequestArgs(Schema):
    extend_to_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650),
                                    metadata={"description": "延长至（自立案之日起）的日数，如 90 或 180"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ExtensionDecisionArgs(Schema):
    approved = fields.Boolean(required=True)
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ExtensionRequestSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda r: r.case.case_number)
    tier = fields.String()
    tier_name = fields.Function(lambda r: {"head": "本部门负责人批准", "superior": "上一级部门批准"}.get(r.tier, r.tier))
    approver_unit = fields.Function(lambda r: {"code": r.approver_unit.code, "name": r.approver_unit.name})
    limit_days_before = fields.Integer()
    extend_to_days = fields.Integer()
    cap_days = fields.Integer()
    reason = fields.String()
    status = fields.String()
    requested_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(metadata={"description": "审批期限 (extension_approval)"})
    decided_at = fields.AwareDateTime(allow_none=True)
    opinion = fields.String(allow_none=True)


class ExtensionListSchema(Schema):
    items = fields.List(fields.Nested(ExtensionRequestSchema))


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
    current_stages = fields.List(fields.String(), metadata={"description": "the steps the case stands at (list only)"})


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
    unverified = fields.Boolean(metadata={"description": "the rule version's confidence is L (未核实)"})
    status = fields.String(metadata={"description": "waiting: still running; fired: run out (its step may be open)"})


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
    paused_days = fields.Integer(metadata={"description": "days not counted while a reconsideration or lawsuit ran"})
    parties = fields.List(fields.Dict(), metadata={
        "description": "several parties: each fine still owed, accruing from its own party's payment deadline"})


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


class PartySchema(Schema):
    seq = fields.Integer(metadata={"description": "1: the case's own party"})
    role = fields.String()
    role_name = fields.String()
    name = fields.String()
    type = fields.String()
    identification = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    progress = fields.Dict(metadata={"description": "a case with several parties: where this party stands (outcome, "
                                                    "fine, hearing right, notice, statement window, decision number, "
                                                    "service, payment deadline, payment)"})


class CaseDetailSchema(CaseSchema):
    parties = fields.List(fields.Nested(PartySchema), metadata={
        "description": "当事人: the case's own party (seq 1) and the others filed with it, each decided on its own"})
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
    decision_number = fields.String(allow_none=True, dump_default=None, metadata={
        "description": "决定书文号: the number of the case's decision as issued (or reserved when its draft was "
                       "submitted); the system's number, never typed"})


class PreservationItemArgs(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    quantity = fields.String(load_default=None, validate=validate.Length(max=100))


class PreservationRequestArgs(Schema):
    items = fields.List(fields.Nested(PreservationItemArgs), required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "证据可能灭失或者以后难以取得的情形"})
