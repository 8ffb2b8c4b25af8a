from marshmallow import Schema, fields, validate

from .models import PeriodUnit


class DeadlineRuleVersionSchema(Schema):
    """One version of a rule: in force from effective_from (inclusive) to effective_to (exclusive)."""

    id = fields.Integer()
    amount = fields.Integer()
    unit = fields.String()
    runs_from = fields.String()
    legal_basis = fields.String()
    confidence = fields.String()
    unverified = fields.Function(lambda r: r.confidence == "L",
                                 metadata={"description": "confidence L: not yet checked against the text (未核实)"})
    jurisdiction = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    extension_tiers = fields.Raw(allow_none=True)
    warning_lead_hours = fields.Integer()
    escalation2_after_hours = fields.Integer()
    note = fields.String(allow_none=True)


class DeadlineRuleSchema(Schema):
    """A rule as in force today (national), with every version by date and jurisdiction."""

    rule_id = fields.String()
    name = fields.String()
    amount = fields.Integer()
    unit = fields.String()
    runs_from = fields.String()
    legal_basis = fields.String()
    confidence = fields.String()
    jurisdiction = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    warning_lead_hours = fields.Integer()
    escalation2_after_hours = fields.Integer()
    note = fields.String(allow_none=True)
    unverified = fields.Function(lambda r: r.confidence == "L")
    extension_tiers = fields.Raw(allow_none=True)
    versions = fields.List(fields.Nested(DeadlineRuleVersionSchema))


class RuleUpdateArgs(Schema):
    amount = fields.Integer(validate=validate.Range(min=1, max=1000))
    unit = fields.String(validate=validate.OneOf([u.value for u in PeriodUnit]))
    warning_lead_hours = fields.Integer(validate=validate.Range(min=0, max=24 * 365))
    escalation2_after_hours = fields.Integer(validate=validate.Range(min=0, max=24 * 365))
    legal_basis = fields.String(validate=validate.Length(min=1, max=500))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class RuleScopeArgs(Schema):
    jurisdiction = fields.String(load_default="national", validate=validate.Regexp(r"^(national|\d{6})$"))


class ComputeArgs(Schema):
    rule = fields.String(required=True, validate=validate.Length(min=1, max=64))
    from_ = fields.AwareDateTime(required=True, data_key="from")
    jurisdiction = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))


class ComputeSchema(Schema):
    rule = fields.String()
    name = fields.String()
    period = fields.String()
    runs_from = fields.String()
    basis = fields.String()
    confidence = fields.String()
    unverified = fields.Boolean(metadata={"description": "the version's confidence is L (未核实)"})
    version = fields.Nested(DeadlineRuleVersionSchema, metadata={"description": "the version in force on the start day"})
    start = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    due_at_local = fields.String(metadata={"description": "the due time in Asia/Shanghai"})
    last_day = fields.Date(allow_none=True)
    provisional = fields.Boolean(metadata={"description": "computed without the official holiday data of a year"})
    warning_at = fields.AwareDateTime()
    escalation2_at = fields.AwareDateTime()


class CalendarEntryArgs(Schema):
    date = fields.Date(required=True)
    name = fields.String(load_default=None, validate=validate.Length(max=100))


class CalendarImportArgs(Schema):
    source = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "the notice, e.g. 国办发明电〔2026〕X号"})
    holidays = fields.List(fields.Nested(CalendarEntryArgs), required=True)
    workdays = fields.List(fields.Nested(CalendarEntryArgs), load_default=list,
                           metadata={"description": "make-up working days (调休上班) on weekends"})


class CalendarImportSchema(Schema):
    year = fields.Integer()
    source = fields.String()
    recomputed_timers = fields.Integer()


class CalendarDaySchema(Schema):
    date = fields.Date(attribute="day")
    is_working_day = fields.Boolean()
    name = fields.String(allow_none=True)


class CalendarYearSchema(Schema):
    year = fields.Integer()
    official = fields.Boolean()
    source = fields.String(allow_none=True)
    days = fields.List(fields.Nested(CalendarDaySchema))


class NextDeadlineSchema(Schema):
    """The next running deadline of something waiting (a transfer, a case waiting for it)."""

    due_at = fields.AwareDateTime()
    rule_id = fields.String(allow_none=True)
    name = fields.String()
    rule_name = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True)
    provisional = fields.Boolean()
