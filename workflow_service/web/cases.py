"""Case pages: the list, filing a case, and one case with its process diagram, deadlines and timeline."""
from __future__ import annotations

import re
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from ..core.services import clock, setting
from ..core.transaction import discard
from ..modules.cases import operations as case_ops
from ..modules.cases import queries
from ..modules.documents.queries import parties_with_progress
from ..modules.cases.schemas import (CaseListArgs, ExtensionArgs, ExtensionDecisionArgs, ExtensionRequestArgs,
                                       FileCaseArgs, ReasonArgs)
from ..modules.deadlines.queries import working_days_left
from ..modules.enterprises import operations as enterprise_ops
from ..modules.enterprises import queries as enterprise_queries
from ..modules.review import committee as committee_ops
from ..modules.review.legal import sign_off_status, sign_offs
from ..core.forms import load_form
from ..modules.transfers.queries import transfer_for_case
from ..modules.tasks.models import TaskStatus
from ..modules.users.models import Role
from ..modules.users.queries import display_names, unit_members_with_role, visible_units
from .common import CASE_STATUS_NAMES, SOURCE_NAMES, Pager, bp, chinese, is_supervisor, me, page_number
from .documents import documents_panel
from .evidence import evidence_panel

# What the timeline calls each audited action.
ACTION_NAMES = {
    "case_filed": "登记案件", "process_started": "流程启动", "process_completed": "流程结束",
    "task_created": "生成任务", "task_claimed": "认领任务", "task_released": "退回任务", "task_reassigned": "改派任务",
    "task_completed": "办结任务", "task_cancelled": "任务撤销", "timer_fired": "期限届满", "timer_failed": "定时执行失败",
    "timer_rescheduled": "期限调整", "timer_retried": "重试定时", "alert_raised": "发出预警/督办",
    "deadline_extended": "延期", "extension_requested": "申请延期", "extension_refused": "不予批准延期",
    "case_suspended": "中止", "case_resumed": "恢复",
    "ballot_opened": "提请集体讨论", "vote_cast": "委员表决", "ballot_recusal": "委员回避", "ballot_closed": "表决结束",
    "collective_discussion_recorded": "负责人集体讨论记录", "statements_reviewed": "陈述申辩复核",
    "seizure_released": "解除查封扣押", "seizure_extended": "延长查封扣押",
    "penalty_raised_on_new_facts": "因新的违法事实加重（重新告知）",
    "legal_review_signed": "法制审核签署", "evidence_uploaded": "上传证据", "transfer_opened": "移送公安机关",
}
# 法制审核: why a sign-off does not cover the case (modules/review/legal.py sign_off_status), and what changed.
SIGN_OFF_REASONS = {"not_reviewed": "未审核", "not_passed": "未通过", "changed_since_review": "审核后材料已变更"}
MATERIAL_NAMES = {"facts": "案件事实", "violations": "违法行为", "evidence": "证据清单", "proposals": "处理意见",
                  "evidence_files": "证据文件"}
OUTCOME_NAMES = {"pass": "通过", "return": "退回补充调查", "fail": "不通过"}
REVIEW_STAGES = {"legal_review": "法制审核", "legal_review_after_hearing": "再次法制审核"}


def task_groups(open_tasks) -> list[dict]:
    """当前环节: the open tasks, one line per step, with the names of the people it waits for (the six votes of
    a committee are one step: 案审会表决 · 案审委员 · 张委员、李委员 …, not six lines without names)."""
    usernames = {u for t in open_tasks if t.assignee is None for u in (t.candidate_usernames or [])}
    names = display_names(usernames)
    groups: dict[tuple, dict] = {}
    role_holders: dict[tuple, list[str]] = {}
    for task in open_tasks:
        group = groups.setdefault((task.bpmn_id, task.name, task.role, task.due_at),
                                  {"task": task, "tasks": [], "people": []})
        group["tasks"].append(task)
        if task.assignee is not None:
            people = [task.assignee.display_name]
        elif task.candidate_usernames:
            people = [names.get(u, u) for u in task.candidate_usernames]
        else:  # an unclaimed task of a role: whoever of the unit holds it may take it
            key = (task.unit_id, task.role)
            if key not in role_holders:
                role_holders[key] = [u.display_name for u in unit_members_with_role(task.unit_id, task.role, limit=8)]
            people = role_holders[key]
        group["people"].extend(p for p in people if p not in group["people"])
    return list(groups.values())


def checklist_titles() -> dict:
    """The eight items' Chinese titles, from the legal review form (forms/case_legal_review.json)."""
    schema = load_form(setting("FORMS_DIR"), "case_legal_review")
    items = schema.get("properties", {}).get("legal_review_checklist", {}).get("properties", {})
    return {key: item.get("title", key) for key, item in items.items()}


@bp.route("/cases")
@login_required
def case_list():
    """案件: search by case number or party, filing dates, stage, unit, status, overdue; each row shows where
    the case stands. A filter that cannot be read is dropped with a message, never answered with an error."""
    user = me()
    now = clock().now()
    try:
        args = CaseListArgs().load({k: v for k, v in request.args.items()
                                    if k in ("q", "filed_from", "filed_to", "stage", "unit_id", "status") and v})
    except ValidationError as exc:
        flash("以下筛选条件无效，已忽略：" + "、".join(FILTER_LABELS.get(k, k) for k in exc.messages), "error")
        args = {k: v for k, v in (exc.valid_data or {}).items()}
    args = {k: args.get(k) for k in ("q", "filed_from", "filed_to", "stage", "unit_id", "status")}
    overdue = request.args.get("overdue") == "1" or None
    filed_from, filed_to = queries.filing_bounds(args["filed_from"], args["filed_to"])
    pager = Pager(page_number(), 0)
    cases, pager.total = queries.list_cases(user, status=args["status"], overdue=overdue, now=now,
                                            limit=pager.per_page, offset=pager.offset, q=args["q"],
                                            stage=args["stage"], unit_id=args["unit_id"], filed_from=filed_from,
                                            filed_to=filed_to)
    return render_template("cases.html", cases=cases, pager=pager, status=args["status"], overdue=overdue,
                           filters=args, stages=queries.current_stages(cases),
                           stage_choices=queries.open_stage_names(user), unit_choices=visible_units(user),
                           status_names=CASE_STATUS_NAMES, source_names=SOURCE_NAMES)


FILTER_LABELS = {"q": "案件编号或当事人", "filed_from": "登记日期（起）", "filed_to": "登记日期（止）", "stage": "当前环节",
                 "unit_id": "办案单位", "status": "状态"}


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def file_case():
    errors, values = {}, {}
    # The party chosen from the enterprise registry (生产经营单位): the company page's "登记案件" link.
    enterprise_id = (request.form.get("enterprise_id") or request.args.get("enterprise_id") or "").strip()
    enterprise = None
    if enterprise_id.isdigit():
        try:
            enterprise = enterprise_queries.visible_enterprise(me(), int(enterprise_id))
        except (NotFound, Forbidden):
            enterprise = None
    if request.method == "POST":
        keys = ("source", "summary") if enterprise else ("source", "party_name", "party_type", "summary")
        values = {k: request.form.get(k, "").strip() for k in keys}
        if enterprise:
            values["enterprise_id"] = enterprise.id
        co_parties = _co_parties_from_form(values)
        try:
            args = FileCaseArgs().load({k: v for k, v in values.items() if not k.startswith("co_")})
        except ValidationError as exc:
            errors = exc.messages
        else:
            try:
                if enterprise:
                    case = enterprise_ops.file_case_for_enterprise(me(), source=args["source"], summary=args["summary"],
                                                                   enterprise_id=enterprise.id, co_parties=co_parties)
                else:
                    case = case_ops.file_case(me(), source=args["source"], party_name=args["party_name"],
                                              party_type=args["party_type"], summary=args["summary"],
                                              co_parties=co_parties)
            except ValidationFailed as exc:
                discard()
                errors = {**(exc.details or {}), "_message": [exc.message]}
            else:
                flash(f"案件 {case.case_number} 已登记，请办理立案登记。", "success")
                return redirect(url_for("web.case_page", case_id=case.id))
    return render_template("case_new.html", errors=errors, values=values, source_names=SOURCE_NAMES,
                           enterprise=enterprise, co_rows=CO_PARTY_ROWS, co_roles=CO_PARTY_ROLES), (422 if errors else 200)


# The filing page offers two further parties (其主要负责人 and one more); the API takes any number.
CO_PARTY_ROWS = 2
CO_PARTY_ROLES = {"principal": "主要负责人", "other_head": "其他负责人", "unit": "单位", "individual": "个人"}
_CO_FIELDS = ("role", "name", "identification", "position", "address")


def _co_parties_from_form(values: dict) -> list[dict]:
    """The filled rows of the further-parties fieldset (an empty row is no party); kept in `values` for
    re-rendering."""
    rows = []
    for i in range(CO_PARTY_ROWS):
        row = {f: request.form.get(f"co_{f}_{i}", "").strip() for f in _CO_FIELDS}
        values.update({f"co_{f}_{i}": v for f, v in row.items()})
        if row["name"] or row["identification"]:
            rows.append({k: v or None for k, v in row.items()})
    return rows


def _page_parties(case) -> list[dict]:
    """The parties with where each stands, their times as the page's filters take them (datetimes)."""
    parties = parties_with_progress(case)
    for party in parties:
        progress = party.get("progress") or {}
        for key in ("notified_at", "served_at", "payment_due_at"):
            if isinstance(progress.get(key), str):
                progress[key] = datetime.fromisoformat(progress[key])
    return parties


@bp.route("/cases/<int:case_id>")
@login_required
def case_page(case_id):
    user = me()
    case = queries.get_case(user, case_id)
    now = clock().now()
    tasks = queries.case_tasks(case)
    open_tasks = [t for t in tasks if t.status == TaskStatus.ready.value]
    fired = queries.fired_timer_steps(case)
    waiting = queries.waiting_steps(case)
    # The diagram's markers: steps done, steps open now, open steps past their deadline.
    markers = {
        "completed": sorted({t.bpmn_id for t in tasks if t.status == TaskStatus.completed.value} | set(fired)),
        "active": sorted({t.bpmn_id for t in open_tasks} | {w["bpmn_id"] for w in waiting}),
        "overdue": sorted({t.bpmn_id for t in open_tasks if t.due_at and t.due_at <= now}),
    }
    deadlines = queries.deadlines(case, include_fired=True)
    for d in deadlines:
        d["days_left"] = working_days_left(d["due_at"], now)
    timeline_pager = Pager(page_number("timeline_page"), queries.timeline_count(case), per_page=50,
                           arg="timeline_page")
    try:
        decision_version = case_ops.decision_rule_version(case)
    except ServiceError:
        decision_version = None
    extensions = case_ops.extension_requests(user, scope="case", case_id=case.id, visible=True)
    return render_template(
        "case.html", case=case, parties=_page_parties(case), tasks=tasks, open_tasks=open_tasks, waiting=waiting, deadlines=deadlines, now=now,
        timeline=queries.timeline(case, limit=timeline_pager.per_page, offset=timeline_pager.offset),
        timeline_pager=timeline_pager, surcharge=queries.surcharge(case, now), markers=markers,
        data=case.instance.data or {}, handler_names=display_names((case.instance.data or {}).get("handlers") or []),
        task_groups=task_groups(open_tasks), status_names=CASE_STATUS_NAMES, source_names=SOURCE_NAMES,
        action_names=ACTION_NAMES, days_left={t.id: working_days_left(t.due_at, now) for t in open_tasks},
        may_extend=user.has_role(Role.principal_head) and not (decision_version and decision_version.extension_tiers),
        decision_version=decision_version, extensions=extensions,
        may_decide_extension={r.id: case_ops.may_decide_extension(user, r) for r in extensions},
        may_request_extension=(bool(decision_version and decision_version.extension_tiers)
                               and not any(r.status == "pending" for r in extensions)
                               and user.unit_id == case.unit_id
                               and (user.has_role(Role.case_handler) or user.has_role(Role.supervisor))),
        may_suspend=is_supervisor(user),
        decision_deadline_running=any(d["rule_id"] == case_ops.DECISION_RULE and d["status"] == "waiting"
                                      for d in deadlines),
        ballots=committee_ops.case_ballots(user, case), ballot_results=committee_ops.RESULT_LABELS,
        sign_off=sign_off_status(case), reviews=sign_offs(case), sign_off_reasons=SIGN_OFF_REASONS,
        material_names=MATERIAL_NAMES, outcome_names=OUTCOME_NAMES, review_stages=REVIEW_STAGES,
        checklist_titles=checklist_titles(), transfer=transfer_for_case(case), **evidence_panel(user, case),
        **documents_panel(user, case),
        may_screen=(user.has_role(Role.case_handler) and user.unit_id == case.unit_id and case.status != "closed"))


@bp.route("/cases/<int:case_id>/diagram.bpmn")
@login_required
def case_diagram(case_id):
    """The BPMN file of the version the case runs on (the definition stores its source files)."""
    case = queries.get_case(me(), case_id)
    definition = case.instance.definition
    pattern = re.compile(rf'<(?:bpmn:)?process[^>]*\bid="{re.escape(definition.process_id)}"')
    for name, text in sorted((definition.source_files or {}).items()):
        if name.endswith(".bpmn") and pattern.search(text):
            return Response(text, mimetype="application/xml")
    abort(404)


def _case_action(operation, case_id, schema, *fields):
    try:
        args = schema().load({k: request.form.get(k, "").strip() for k in fields})
    except ValidationError as exc:
        labels = {"days": "延长天数（1 至 365）", "reason": "理由"}
        flash("请检查：" + "、".join(labels.get(k, k) for k in exc.messages), "error")
        return redirect(url_for("web.case_page", case_id=case_id) + "#case-actions")
    try:
        operation(me(), case_id, *(args[k] for k in fields))
    except (Conflict, ValidationFailed) as exc:
        # The real reason, on the case page where the action was asked ("该案件没有进行中的决定期限"), not a
        # conflict page telling the user that someone else changed the case.
        discard()
        flash(exc.message, "error")
        return redirect(url_for("web.case_page", case_id=case_id) + "#case-actions")
    return None


@bp.route("/cases/<int:case_id>/extension", methods=["POST"])
@login_required
def extend_case(case_id):
    """延期 at once by the principal head where the decision limit's version names no extension tiers; a
    version with tiers (令77号 Art 31) is extended by a request (API `POST /cases/{id}/extension-requests`)."""
    refused = _case_action(case_ops.extend_decision_deadline, case_id, ExtensionArgs, "days", "reason")
    if refused is None:
        flash("已批准延期，决定期限已顺延。", "success")
    return refused or redirect(url_for("web.case_page", case_id=case_id))


@bp.route("/cases/<int:case_id>/extension-requests", methods=["POST"])
@login_required
def request_extension(case_id):
    """延期申请: goes to the head of the unit, or the next-higher department, as the limit's tiers say."""
    try:
        args = ExtensionRequestArgs().load({k: request.form.get(k, "").strip() for k in ("extend_to_days", "reason")})
        request_row = case_ops.request_extension(me(), case_id, args["extend_to_days"], args["reason"])
    except ValidationError as exc:
        labels = {"extend_to_days": "延长至（日）", "reason": "理由"}
        flash("请检查：" + "、".join(labels.get(k, k) for k in exc.messages), "error")
        return redirect(url_for("web.case_page", case_id=case_id) + "#case-actions")
    except ServiceError as exc:
        discard()
        flash(chinese(exc.message), "error")
        return redirect(url_for("web.case_page", case_id=case_id) + "#case-actions")
    flash(f"延期申请已提交，待{request_row.approver_unit.name}负责人审批。", "success")
    return redirect(url_for("web.case_page", case_id=case_id) + "#case-actions")


@bp.route("/extension-requests/<int:request_id>/decision", methods=["POST"])
@login_required
def decide_extension(request_id):
    """审批延期申请 from the case page or the inbox."""
    back = request.form.get("back", "")
    try:
        args = ExtensionDecisionArgs().load({"approved": request.form.get("approved", ""),
                                             "opinion": request.form.get("opinion", "").strip()})
        row = case_ops.decide_extension(me(), request_id, args["approved"], args["opinion"])
    except ValidationError:
        flash("请填写审批意见。", "error")
        return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("web.inbox"))
    except ServiceError as exc:
        discard()
        flash(chinese(exc.message), "error")
        return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("web.inbox"))
    flash("已批准延期，决定期限已顺延。" if args["approved"] else "已不予批准延期。", "success")
    return redirect(url_for("web.case_page", case_id=row.case_id) + "#case-actions")


@bp.route("/cases/<int:case_id>/suspend", methods=["POST"])
@login_required
def suspend_case(case_id):
    refused = _case_action(case_ops.suspend_case, case_id, ReasonArgs, "reason")
    if refused is None:
        flash("案件已中止，决定期限暂停计算。", "success")
    return refused or redirect(url_for("web.case_page", case_id=case_id))


@bp.route("/cases/<int:case_id>/resume", methods=["POST"])
@login_required
def resume_case(case_id):
    refused = _case_action(case_ops.resume_case, case_id, ReasonArgs, "reason")
    if refused is None:
        flash("案件已恢复办理，决定期限按中止时长顺延。", "success")
    return refused or redirect(url_for("web.case_page", case_id=case_id))
