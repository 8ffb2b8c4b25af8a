"""Rules of the inspection and hidden-danger tasks that a JSON Schema cannot express, enforced on completion."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...core.errors import ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..rectification.operations import end_of_day
from ..users.units import require_two_officers
from .models import InspectionPhoto, Measure
from .operations import (HAZARD_PROCESS, INSPECTION_PROCESS, checklist_for, inspection_for_instance,
                         require_certified_officers)

# Connected by create_app (wiring.py).
DECLARED = Declarations()


# A deadline set on site is months away, not decades: past this the date is a slip of the pen.
LONGEST_DEADLINE = timedelta(days=3 * 366)


def _when(field: str, value, not_before: datetime | None = None) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("时间无效 (not a valid time)", {field: ["时间无效"]}) from None
    if moment > clock().now():
        raise ValidationFailed("时间不能晚于当前时间 (a time in the future)", {field: ["不能晚于当前时间"]})
    if not_before is not None and moment < not_before:
        raise ValidationFailed("时间早于检查任务下达 (before the inspection was assigned)",
                               {field: ["不能早于下达检查任务的时间"]})
    return moment


def _deadline(field: str, value, errors: dict) -> date | None:
    """A deadline date after today and within LONGEST_DEADLINE, else a message at `field`."""
    today = clock().now().astimezone(SHANGHAI).date()
    try:
        day = date.fromisoformat(str(value)) if value else None
    except ValueError:
        day = None
    if day is None or day <= today or day > today + LONGEST_DEADLINE:
        # 司法解释(二) Art 3: a reasonable deadline is part of an order that can be enforced.
        errors[field] = [f"整改期限须晚于今日（{today.isoformat()}），且不超过三年"]
        return None
    return day


@DECLARED.task_rule(INSPECTION_PROCESS, "record_inspection")
def _a_complete_record(actor, task, data, current):
    """现场检查记录: two certified officers, every item of the industry's checklist, and for each hidden danger a
    measure that can be carried out (a deadline after today unless corrected on the spot; what was done on the
    spot for an on-site measure); photos of this inspection only."""
    inspection = inspection_for_instance(task.instance_id)
    _when("inspected_at", data["inspected_at"], inspection.created_at)
    # 行政处罚法 Art 42 / 安全生产法 Art 65: the inspection is done by at least two certified officers.
    require_certified_officers(data.get("inspectors"), task.unit_id, field="inspectors")
    errors: dict[str, list[str]] = {}
    expected = [i["id"] for i in checklist_for(inspection.industry)["items"]]
    answered = [row["item"] for row in data.get("checklist") or []]
    missing = [i for i in expected if i not in answered]
    unknown = [i for i in answered if i not in expected]
    if missing or unknown or len(answered) != len(set(answered)):
        errors["checklist"] = [f"逐项填写本行业检查表：缺 {'、'.join(missing) or '无'}；多余或重复 "
                               f"{'、'.join(unknown) or ('有' if len(answered) != len(set(answered)) else '无')}"]
    photos = set(db.session.scalars(sa.select(InspectionPhoto.id).where(
        InspectionPhoto.inspection_id == inspection.id)))
    for n, hazard in enumerate(data.get("hidden_dangers") or []):
        field = f"hidden_dangers.{n}"
        measure = hazard["measure"]
        if measure == Measure.corrected_on_site.value:
            if hazard.get("rectify_by"):
                errors[f"{field}.rectify_by"] = ["当场整改的隐患不设整改期限"]
        else:
            _deadline(f"{field}.rectify_by", hazard.get("rectify_by"), errors)
        if measure == Measure.on_site_measure.value and not hazard.get("onsite_measure"):
            errors[f"{field}.onsite_measure"] = ["写明采取的现场处理措施及其范围"]
        if set(hazard.get("photo_ids") or []) - photos:
            errors[f"{field}.photo_ids"] = ["照片须为本次检查上传的现场照片"]
    for n, violation in enumerate(data.get("violations") or []):
        if set(violation.get("photo_ids") or []) - photos:
            errors[f"violations.{n}.photo_ids"] = ["照片须为本次检查上传的现场照片"]
    if errors:
        raise ValidationFailed("现场检查记录不完整 (the inspection record is incomplete)", errors)
    return data


@DECLARED.task_rule(HAZARD_PROCESS, "reinspect_hidden_danger")
def _reinspection_by_two_with_a_new_deadline(actor, task, data, current):
    reinspected_at = _when("reinspected_at", data["reinspected_at"])
    require_two_officers(data.get("reinspectors"), task.unit_id, field="reinspectors",
                         message="复查人员不少于两名本单位执法人员 (two officers of this unit re-inspect)")
    if data["reinspection_result"] == "rectified":
        return {**data, "rectified_at": reinspected_at.isoformat()}
    errors: dict[str, list[str]] = {}
    day = _deadline("new_rectify_date", data.get("new_rectify_date"), errors)
    if errors:
        raise ValidationFailed("未整改到位须重新限定整改期限 (set a new deadline after today)", errors)
    return {**data, "new_rectify_by": end_of_day(day).isoformat()}
