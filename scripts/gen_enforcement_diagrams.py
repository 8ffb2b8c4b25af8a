"""Generate bpmn/rectification.bpmn, bpmn/criminal_transfer.bpmn and bpmn/crime_screening.bpmn (run once:
`python scripts/gen_enforcement_diagrams.py`; afterwards edit the files in a modeler or by hand)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bpmn_writer import Diagram  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HANDLER, HEAD, FOLLOW = 0, 1, 2


def rectification() -> Diagram:
    d = Diagram("rectification", "责令限期整改与复查", [("lane_handler", "承办人")],
                "责令限期整改（《安全生产法》第六十五条、第一百一十二条；现场检查发现的事故隐患责令限期整改）→ 企业申请复查或整改期限届满 → "
                "复查（期限规则 reinspection，可配置）→ 通过则结案；未通过则督办、自动立案并从重处罚。责令停产停业、停止施工、停止使用设备的决定记录在案，"
                "是《刑法》第一百三十四条之一第（二）项的证据。")
    d.start("start_rectification", "下达整改指令", HANDLER, 0)
    d.user("await_rectification", "整改期间（记录复查申请）", HANDLER, 1, "rectification_record_application")
    d.timer("rectification_deadline_passed", "整改期限届满", "await_rectification", "rectify_by", slot=0)
    d.script("deadline_passed", "逾期未申请复查", HANDLER, 1, row=2,
             code="# the deadline passed without an application: the re-inspection is due from the deadline\n"
                  "reinspection_from = rectify_by\napplied_for_reinspection = False\nrectification_stage = 'reinspection_overdue_order'")
    d.node("escalate_overdue_order", "intermediateThrowEvent", "逾期未整改督办", HANDLER, 1.95, row=2,
           ext='<spiffworkflow:properties><spiffworkflow:property name="alertLevel" value="escalation1" />'
               '<spiffworkflow:property name="alertTarget" value="supervisors" /></spiffworkflow:properties>',
           body='<bpmn:escalationEventDefinition id="escalate_overdue_order_def" escalationRef="esc_overdue" />')
    d.script("application_received", "收到复查申请", HANDLER, 2,
             code="# 复查 runs from the company's application\nreinspection_from = applied_at\n"
                  "applied_for_reinspection = True\nrectification_stage = 'reinspection'")
    d.gateway("reinspection_join", "待复查", HANDLER, 3)
    d.user("reinspect", "复查", HANDLER, 4, "rectification_reinspect")
    d.deadline_timers("reinspect", '"reinspection"', "reinspection_from", "复查期限")
    d.gateway("reinspection_result_gateway", "复查合格？", HANDLER, 5, default="flow_reinspection_failed")
    d.end("end_rectified", "整改完成", HANDLER, 6)
    d.node("escalate_failed", "intermediateThrowEvent", "复查不合格督办", HANDLER, 5.9, row=1.6,
           ext='<spiffworkflow:properties><spiffworkflow:property name="alertLevel" value="escalation1" />'
               '<spiffworkflow:property name="alertTarget" value="supervisors" /></spiffworkflow:properties>',
           body='<bpmn:escalationEventDefinition id="escalate_failed_def" escalationRef="esc_overdue" />')
    d.end("end_case_opened", "已立案查处（从重）", HANDLER, 6.7, row=1.6)
    d.chain("start_rectification", "await_rectification", "application_received", "reinspection_join", "reinspect",
            "reinspection_result_gateway")
    d.flow("rectification_deadline_passed", "deadline_passed")
    d.flow("deadline_passed", "escalate_overdue_order")
    d.flow("escalate_overdue_order", "reinspection_join")
    d.flow("reinspection_result_gateway", "end_rectified", "合格", 'reinspection_result == "passed"')
    d.flow("reinspection_result_gateway", "escalate_failed", "不合格", id="flow_reinspection_failed")
    d.flow("escalate_failed", "end_case_opened")
    return d


def _after(d, source, target, name, condition):
    d.flow(source, target, name, condition, id=f"flow_{source}_{target}")


def criminal_transfer() -> Diagram:
    d = Diagram("criminal_transfer", "涉嫌犯罪案件移送（行刑衔接）", [("lane_handler", "承办人"), ("lane_principal", "正职负责人"),
                                                       ("lane_not_opened", "案件承办人")],
                "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）：两名以上执法人员组成专案组写出移送报告（第五条）→ 正职负责人3日内批准或不批准"
                "（不批准须说明理由）→ 批准后24小时内向同级公安机关移送并抄送同级人民检察院，附移送材料（第六条）→ 公安机关受理、补充材料、立案或不予立案"
                "（第八条、第九条）→ 立案的3日内移交涉案物品（第十二条）→ 定期跟踪至判决。公安机关的答复以消息 police_answer 送达。")
    d.start("start_transfer", "发现涉嫌犯罪", HANDLER, 0)
    d.user("draft_transfer_report", "组成专案组、写出移送报告", HANDLER, 1, "transfer_draft_report")
    d.script("submit_transfer_report", "报送正职负责人", HANDLER, 2,
             code="# 国务院令310 Art 5: the principal head decides within 3 days of the report\n"
                  "report_submitted_at = now_iso()\ntransfer_stage = 'approval'")
    d.user("approve_transfer", "审批移送", HEAD, 3, "transfer_approve")
    d.deadline_timers("approve_transfer", '"transfer_approval"', "report_submitted_at", "移送审批期限")
    d.gateway("approval_gateway", "批准移送？", HEAD, 4, default="flow_transfer_refused")
    d.script("record_refusal", "不批准移送", HEAD, 5,
             code="# 国务院令310 Art 5: the reasons are recorded and the department handles the case itself\n"
                  "transfer_stage = 'refused'\ntransfer_outcome = 'refused'")
    d.end("end_refused", "不予移送", HEAD, 6)
    d.script("record_approval", "记录批准时间", HANDLER, 5,
             code="# the 24 hours of the hand-over run from the approval\napproved_at = now_iso()\ntransfer_stage = 'handover'")
    d.user("hand_over", "移送公安机关并抄送检察院", HANDLER, 6, "transfer_hand_over")
    d.deadline_timers("hand_over", '"transfer_handover"', "approved_at", "移送期限")
    d.script("record_handover", "记录移送时间", HANDLER, 7,
             code="# the police review the case (国务院令310 Art 8): 3 days from acceptance\n"
                  "police_due_rule = 'police_decision'\npolice_due_from = handed_over_at\n"
                  "transfer_stage = 'police_review'")
    d.gateway("police_join", "等待公安机关", HANDLER, 8)
    d.receive("await_police", "等待公安机关答复", HANDLER, 9, "police_answer", "police_answer")
    d.deadline_timers("await_police", "police_due_rule", "police_due_from", "公安机关答复期限", for_task=False,
                      police_side=True)
    d.script("apply_police_answer", "登记公安机关答复", HANDLER, 10,
             code="police_kind = police_answer['kind']\nanswered_at = police_answer['answered_at']\n"
                  "if police_kind == 'received':\n"
                  "    # accepted: the 3 days to decide on opening a case run from acceptance\n"
                  "    police_accepted_at = answered_at\n    police_due_rule = 'police_decision'\n"
                  "    police_due_from = answered_at\n    transfer_stage = 'police_review'\n"
                  "elif police_kind == 'materials_missing':\n    supplement_requested_at = answered_at\n"
                  "    transfer_stage = 'materials_supplement'\n"
                  "elif police_kind == 'case_opened':\n    case_opened_at = answered_at\n    transfer_stage = 'evidence_handover'\n"
                  "elif police_kind == 'not_opened':\n    not_opened_at = answered_at\n    transfer_stage = 'not_opened'\n"
                  "elif police_kind == 'reconsideration_upheld':\n    reconsideration_decided_at = answered_at\n"
                  "    transfer_stage = 'reconsideration_upheld'\n"
                  "elif police_kind == 'returned':\n    transfer_stage = 'returned'\n    transfer_outcome = 'returned'")
    d.gateway("police_answer_gateway", "答复类型？", HANDLER, 11, default="flow_police_answer_gateway_police_join")
    # materials missing: 3 days to supplement, then the police review again
    d.user("supplement_materials", "补充移送材料", HANDLER, 12, "transfer_supplement_materials")
    d.deadline_timers("supplement_materials", '"materials_supplement"', "supplement_requested_at", "补充材料期限")
    d.script("record_supplement", "记录补充时间", HANDLER, 13,
             code="police_due_rule = 'police_decision'\npolice_due_from = now_iso()\ntransfer_stage = 'police_review'")
    # case opened: evidence within 3 days, then follow-up until judgment
    d.user("hand_over_evidence", "移交涉案物品及材料", HANDLER, 14, "transfer_hand_over_evidence")
    d.deadline_timers("hand_over_evidence", '"evidence_handover"', "case_opened_at", "移交涉案物品期限")
    d.script("start_follow_up", "进入刑事诉讼跟踪", HANDLER, 15,
             code="followup_from = now_iso()\ntransfer_stage = 'criminal_proceedings'")
    d.gateway("progress_join", "跟踪", HANDLER, 16)
    d.receive("await_progress", "跟踪刑事案件进展", HANDLER, 17, "police_answer", "progress_answer")
    d.timer("followup_due", "定期跟踪", "await_progress", 'deadline("police_followup", followup_from)', slot=0)
    d.user("follow_up", "跟踪了解案件进展", HANDLER, 17, "transfer_follow_up", row=2)
    d.script("apply_progress", "登记案件进展", HANDLER, 18,
             code="progress_kind = progress_answer['kind']\nfollowup_from = now_iso()\n"
                  "if progress_kind == 'judgment':\n    transfer_stage = 'concluded'\n    transfer_outcome = 'criminal'\n"
                  "elif progress_kind == 'returned':\n    transfer_stage = 'returned'\n    transfer_outcome = 'returned'\n"
                  "else:\n    transfer_stage = 'criminal_proceedings'")
    d.gateway("progress_gateway", "结案？", HANDLER, 19, default="flow_progress_gateway_progress_join")
    d.end("end_concluded", "刑事判决，移送结束", HANDLER, 20)
    d.end("end_returned", "退回行政处理", FOLLOW, 19)
    # not opened: within 3 days ask for reconsideration, the procuratorate's supervision, or accept
    d.user("decide_after_not_opened", "不予立案：复议、监督或接受", FOLLOW, 12, "transfer_decide_not_opened")
    d.deadline_timers("decide_after_not_opened", '"reconsideration_request"', "not_opened_at", "提请复议期限")
    d.gateway("not_opened_choice", "如何处理？", FOLLOW, 13, default="flow_not_opened_accept")
    d.script("request_reconsideration", "提请复议", FOLLOW, 13, row=1.4,
             code="# 国务院令310 Art 9: the police decide a reconsideration within 3 days\n"
                  "reconsideration_requested_at = now_iso()\npolice_due_rule = 'reconsideration_decision'\n"
                  "police_due_from = reconsideration_requested_at\ntransfer_stage = 'reconsideration'")
    d.user("decide_after_reconsideration", "复议维持：提请检察监督或接受", FOLLOW, 14,
           "transfer_decide_after_reconsideration")
    d.deadline_timers("decide_after_reconsideration", '"procuratorate_request"', "reconsideration_decided_at",
                      "提请检察监督期限")
    d.gateway("reconsideration_choice", "如何处理？", FOLLOW, 15, default="flow_reconsideration_accept")
    d.script("request_supervision", "提请检察机关立案监督", FOLLOW, 16,
             code="# 国务院令310 Art 9: the procuratorate supervises; followed up at the follow-up interval\n"
                  "procuratorate_requested_at = now_iso()\npolice_due_rule = 'police_followup'\n"
                  "police_due_from = procuratorate_requested_at\ntransfer_stage = 'procuratorate_supervision'")
    d.script("accept_not_opened", "接受，转行政处理", FOLLOW, 16, row=1.4,
             code="transfer_stage = 'returned'\ntransfer_outcome = 'returned'")
    d.gateway("returned_join", "退回", FOLLOW, 18)

    d.chain("start_transfer", "draft_transfer_report", "submit_transfer_report", "approve_transfer", "approval_gateway")
    _after(d, "approval_gateway", "record_approval", "批准", "transfer_approved == True")
    d.flow("approval_gateway", "record_refusal", "不批准", id="flow_transfer_refused")
    d.chain("record_refusal", "end_refused")
    d.chain("record_approval", "hand_over", "record_handover", "police_join", "await_police", "apply_police_answer",
            "police_answer_gateway")
    d.flow("police_answer_gateway", "police_join", "已受理", id="flow_police_answer_gateway_police_join")
    _after(d, "police_answer_gateway", "supplement_materials", "需补充材料", "police_kind == 'materials_missing'")
    d.chain("supplement_materials", "record_supplement")
    d.flow("record_supplement", "police_join")
    _after(d, "police_answer_gateway", "hand_over_evidence", "已立案", "police_kind == 'case_opened'")
    d.chain("hand_over_evidence", "start_follow_up", "progress_join", "await_progress", "apply_progress",
            "progress_gateway")
    d.flow("followup_due", "follow_up")
    d.flow("follow_up", "apply_progress")
    d.flow("progress_gateway", "progress_join", "继续跟踪", id="flow_progress_gateway_progress_join")
    _after(d, "progress_gateway", "end_concluded", "判决", "progress_kind == 'judgment'")
    _after(d, "progress_gateway", "returned_join", "退回", "progress_kind == 'returned'")
    _after(d, "police_answer_gateway", "decide_after_not_opened", "不予立案", "police_kind == 'not_opened'")
    _after(d, "police_answer_gateway", "decide_after_reconsideration", "复议维持", "police_kind == 'reconsideration_upheld'")
    _after(d, "police_answer_gateway", "returned_join", "退回行政处理", "police_kind == 'returned'")
    d.chain("decide_after_not_opened", "not_opened_choice")
    _after(d, "not_opened_choice", "request_reconsideration", "提请复议", "not_opened_choice == 'reconsideration'")
    _after(d, "not_opened_choice", "request_supervision", "提请检察监督", "not_opened_choice == 'procuratorate'")
    d.flow("not_opened_choice", "accept_not_opened", "接受", id="flow_not_opened_accept")
    d.flow("request_reconsideration", "police_join")
    d.flow("request_supervision", "police_join")
    d.chain("decide_after_reconsideration", "reconsideration_choice")
    _after(d, "reconsideration_choice", "request_supervision", "提请检察监督",
           "reconsideration_choice == 'procuratorate'")
    d.flow("reconsideration_choice", "accept_not_opened", "接受", id="flow_reconsideration_accept")
    d.chain("accept_not_opened", "returned_join", "end_returned")
    return d


def crime_screening() -> Diagram:
    d = Diagram("crime_screening", "涉嫌犯罪筛查", [("lane_handler", "承办人")],
                "按《刑法》第一百三十四条之一的三种情形（及造成伤亡事故的责任事故类犯罪）筛查已记录的事实；只提示，不决定。")
    d.start("start_screening", "已记录事实", HANDLER, 0)
    d.rule_task("screen", "筛查涉嫌犯罪情形", HANDLER, 1, "crime_screening")
    d.end("end_screening", "提示结果", HANDLER, 2)
    d.chain("start_screening", "screen", "end_screening")
    return d


if __name__ == "__main__":
    for diagram in (rectification(), criminal_transfer(), crime_screening()):
        path = ROOT / "bpmn" / f"{diagram.process_id}.bpmn"
        path.write_text(diagram.xml(), encoding="utf-8")
        print("wrote", path.relative_to(ROOT))
