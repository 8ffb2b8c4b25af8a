"""Starting a process by hand (POST /api/v1/process-instances). Domain processes — a case, a transfer, a
rectification order, a disclosure's withdrawal — start only through their domain's operation, which creates the
row they belong to and checks what the process will act on; the generic start takes only definitions whose start
event names a start form, and validates the data against it. Process data is never an authority."""
from __future__ import annotations

from ...core.errors import Forbidden, ValidationFailed
from ...core.forms import load_form, validate_submission
from ...core.services import setting
from ..processes.definitions import latest_definition
from ..processes.models import ProcessInstance
from ..users.models import Role
from . import pipeline

STARTERS = (Role.case_handler, Role.supervisor, Role.admin)


def start_by_hand(actor, *, process_id: str, title: str, data: dict | None, business_key: str | None = None
                  ) -> ProcessInstance:
    if not any(actor.has_role(r) for r in STARTERS):
        raise Forbidden("无权启动流程 (only handlers, supervisors and administrators start processes)")
    definition = latest_definition(process_id)
    if not definition.start_form_id:
        raise Forbidden("该流程只能通过其业务办理发起（如登记案件、发起移送、撤回公示），不能直接启动 "
                        "(this process starts only through its own operation)", code="not_user_startable")
    try:
        data = validate_submission(load_form(setting("FORMS_DIR"), definition.start_form_id), data or {})
    except ValidationFailed as exc:
        raise ValidationFailed("发起数据校验未通过 (the start data has errors)",
                               {"data": [f"{k}: {'；'.join(v)}" for k, v in exc.details.items()]}) from None
    return pipeline.start(actor, process_id=process_id, unit=actor.unit, title=title, data=data,
                          business_key=business_key)
