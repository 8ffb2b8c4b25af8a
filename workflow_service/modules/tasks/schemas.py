from flask import g
from marshmallow import Schema, fields, validate

from ...core.schemas import PageArgs
from ..deadlines.operations import find_rule
from ..users.provinces import province_code


class TaskListArgs(PageArgs):
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "available"]))


class VersionArgs(Schema):
    version = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "the task version you loaded; a stale one is refused with 409"})


class ReassignArgs(VersionArgs):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CompleteArgs(VersionArgs):
    data = fields.Dict(required=True, keys=fields.String(), metadata={"description": "the form's data"})


class TaskSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    instance_id = fields.Integer()
    case_title = fields.Function(lambda t: t.instance.title)
    bpmn_id = fields.String()
    name = fields.String()
    role = fields.String()
    unit_id = fields.Integer()
    form_id = fields.String()
    status = fields.String()
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    due_at = fields.AwareDateTime(allow_none=True)
    due_provisional = fields.Boolean(metadata={"description": "counted without a year's official holiday data"})
    due_rule = fields.Method("_due_rule", metadata={"description": "the deadline rule and its legal basis"})
    created_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)
    missed_deadline_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "the deadline this task missed (its due time stays there)"})
    late = fields.Method("_late", metadata={"description": "completed after its deadline: how late, as its rule counts"})

    def _late(self, task):
        if not task.late_amount:
            return None
        return {"amount": task.late_amount, "unit": task.late_unit, "label": task.late_label}

    def _due_rule(self, task):
        if not task.due_rule_id:
            return None
        # One lookup per rule and province per request, not one per task row of a queue page; the
        # province's own version of a rule is the one that computed the date.
        # The province per unit, once per request too: the province's Unit row is not held by anything, so the
        # session's weak identity map forgets it and each row would query it again (found by profiling).
        provinces = g.setdefault("unit_provinces", {})
        if task.unit_id not in provinces:
            provinces[task.unit_id] = province_code(task.unit)
        province = provinces[task.unit_id]
        cache = g.setdefault("due_rules", {})
        version_id = getattr(task, "due_rule_version_id", None)
        key = (task.due_rule_id, province, version_id)
        if key not in cache:
            try:
                rule = find_rule(task.due_rule_id, province, version_id=version_id)
                cache[key] = {"rule_id": rule.rule_id, "name": rule.name, "legal_basis": rule.legal_basis,
                              "period": f"{rule.amount} {rule.unit}", "jurisdiction": rule.jurisdiction,
                              "unverified": rule.confidence == "L"}
            except Exception:  # noqa: BLE001 - a rule removed since: show the id alone
                cache[key] = {"rule_id": task.due_rule_id}
        return cache[key]


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(metadata={"description": "the form's JSON Schema"})
    data = fields.Dict(metadata={"description": "the current data of the task"})
    documents = fields.List(fields.Dict(), dump_default=list, metadata={
        "description": "the documents this task drafts or approves, as they will be issued: title, `number` "
                       "(`number_reserved`: the number is the document's own already), `items` (what it says, "
                       "e.g. the six items of a decision), `preview_url` (the PDF)"})
    returned = fields.Dict(allow_none=True, dump_default=None, metadata={
        "description": "a draft sent back by its approver: the approval step, `opinion`, `by`, `at`"})
