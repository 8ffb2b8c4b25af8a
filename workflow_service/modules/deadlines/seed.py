"""The deadline rules of DOMAIN.md, with their legal basis and confidence; loaded once, then administered."""
from __future__ import annotations

from datetime import date

# (rule id, name, amount, unit, runs from, legal basis, confidence, warning lead h, level-2 after h, note[, version])
# A rule id listed more than once has versions by date: `version` gives effective_from / effective_to (exclusive)
# and, for a limit that may be extended, its extension tiers (who approves, up to how many days in all).
# A basis that no statute sets says so: "实践做法，可配置" (practice, configurable).
RULES = [
    ("evidence_preservation", "先行登记保存物品处理决定", 7, "working_days", "先行登记保存之日",
     "《行政处罚法》第五十六条、第八十五条", "H", 24, 48, None),
    ("decision_after_filing", "立案后作出处罚决定", 30, "calendar_days", "立案之日",
     "《安全生产违法行为行政处罚办法》（原国家安全监管总局令第77号）第三十一条", "M", 120, 72,
     "2026-02-01前立案的案件：30日内作出决定；案情复杂的经本部门负责人批准可延长至90日，"
     "特殊情况经上一级部门批准可延长至180日；中止期间不计入",
     {"effective_from": date(2015, 5, 1), "effective_to": date(2026, 2, 1),
      "extension_tiers": [{"tier": "head", "approver": "本部门负责人", "cap_days": 90},
                          {"tier": "superior", "approver": "上一级部门", "cap_days": 180}]}),
    ("seizure_period", "查封扣押期限", 30, "calendar_days", "实施查封扣押之日（经批准延长的，自首个期限届满之日）",
     "《行政强制法》第二十五条", "H", 72, 48, "情况复杂的，经负责人批准可延长一次，延长不得超过三十日"),
    ("decision_after_filing", "立案后作出处罚决定", 90, "calendar_days", "立案之日",
     "《行政处罚法》第六十条；应急管理部令第18号（2026-02-01施行，文本未录入）", "L", 240, 168,
     "未核实：2026-02-01起立案的案件暂按《行政处罚法》第六十条默认90日，待录入应急管理部令第18号文本后由管理员核实调整；"
     "中止期间不计入",
     {"effective_from": date(2026, 2, 1)}),
    ("service_of_decision", "送达行政处罚决定书", 7, "working_days", "作出决定之日（当事人不在场）",
     "《行政处罚法》第六十一条、第八十五条", "H", 48, 48, None),
    ("statement_window", "陈述申辩期限", 3, "working_days", "告知书送达之日",
     "《行政处罚法》第四十四条、第四十五条（规定告知和陈述、申辩权利，未规定期限）", "M", 24, 48,
     "实践做法，可配置（常见3个工作日）"),
    ("hearing_request", "申请听证期限", 5, "working_days", "告知书送达之日", "《行政处罚法》第六十四条、第八十五条",
     "H", 24, 48, None),
    ("hearing_notice", "听证通知提前期", 7, "working_days", "听证通知送达之日（听证日不得早于期满）",
     "《行政处罚法》第六十四条、第八十五条", "H", 24, 48, "最短提前期：听证应在通知后至少7个工作日举行"),
    ("legal_review", "法制审核期限", 10, "working_days", "报送法制审核之日",
     "《行政处罚法》第五十八条（全国未规定期限，地方常见7-10个工作日）", "M", 48, 48, "可按本省规定配置"),
    ("committee_vote", "案审会表决期限", 5, "working_days", "提请集体讨论之日",
     "《行政处罚法》第五十七条（全国未规定表决期限，依本单位案件审查委员会议事规则）", "L", 24, 48,
     "期限届满后主任委员可宣布表决结束；可配置"),
    # 行政处罚法 Art 52(3): an on-the-spot decision is filed with the officers' department; the law sets no period,
    # the former sector rule and provincial rules do (commonly within 5 days): configurable, confidence L.
    ("simple_procedure_filing", "当场处罚决定备案期限", 5, "calendar_days", "当场作出行政处罚决定之日",
     "《行政处罚法》第五十二条第三款（法律未规定备案期限，依部门规章及本省规定）", "L", 24, 48,
     "法律未规定具体期限，默认5日，可按本省规定配置"),
    # 责令停产停业整顿 → the company applies to resume → 复产验收 within 10 days, as the rectification re-inspection
    # (安全生产执法程序规定, a normative document): configurable.
    ("restart_inspection", "复产验收期限", 10, "calendar_days", "收到复产申请之日",
     "《安全生产执法程序规定》（安监总政法〔2016〕72号）现场复查规定参照适用", "M", 48, 48, "可按本省规定配置"),
    # 暂扣许可证 ends on the date the decision set; returning it has no national period: configurable, L.
    ("licence_return", "暂扣期满发还许可证期限", 5, "working_days", "暂扣期限届满之日",
     "《行政处罚法》第九条第三项（暂扣许可证件）；发还期限法律未规定", "L", 24, 48, "默认5个工作日，可配置"),
    # 《安全生产严重失信主体名单管理办法》(应急管理部令第11号): 3 years on the list; repair may be applied for after
    # one year. Credit rules change (2026-04-01): configurable per province, confidence M.
    ("credit_list_period", "严重失信主体名单管理期限", 36, "months", "列入名单之日",
     "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）", "M", 720, 168, "可按现行信用规定配置"),
    ("credit_repair_wait", "申请信用修复的最短期限", 12, "months", "列入名单之日",
     "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）信用修复规定", "M", 168, 168, "可按现行信用规定配置"),
    # Typical cases reported upward (典型案例报送): a province's cadence per level — county every two months, city
    # every quarter, province every half year in the seeds' reports; configurable per province.
    ("typical_report_county", "县级典型案例报送周期", 2, "months", "报送期开始之日", "省级应急管理部门典型案例报送要求（各省规定）", "M",
     168, 168, "每两个月报送，可按本省规定配置"),
    ("typical_report_city", "市级典型案例报送周期", 3, "months", "报送期开始之日", "省级应急管理部门典型案例报送要求（各省规定）", "M",
     168, 168, "每季度报送，可按本省规定配置"),
    ("typical_report_province", "省级典型案例报送周期", 6, "months", "报送期开始之日", "应急管理部典型案例报送要求", "M",
     336, 168, "每半年报送，可按规定配置"),
    ("payment", "缴纳罚款期限", 15, "calendar_days", "收到处罚决定书之日", "《行政处罚法》第六十七条", "H", 72, 48, None),
    ("payment_demand", "催告期限", 30, "calendar_days", "缴款期限届满之日（批准延期、分期的，自延至之日）",
     "《行政强制法》第五十四条（申请人民法院强制执行前应催告，未规定催告时点）；第四十五条（加处罚款）", "M", 72, 48,
     "实践做法，可配置：加处罚款满30日后催告（第四十六条的三十日适用于有强制执行权的行政机关）"),
    ("enforcement_application", "申请人民法院强制执行期限", 9, "months", "处罚决定书送达之日（批准延期、分期的顺延）",
     "《行政强制法》第五十三条；《行政诉讼法》第四十六条", "H", 720, 168,
     "起诉期限（6个月）届满后3个月内申请；催告书送达满10个工作日后方可申请（《行政强制法》第五十四条、第六十九条）"),
    ("lawsuit_period", "提起行政诉讼期限", 6, "months", "处罚决定书送达之日（批准延期、分期的顺延）",
     "《行政诉讼法》第四十六条；《行政强制法》第五十三条", "H", 168, 168,
     "期限届满且当事人未申请复议、未起诉又不履行的，方可申请人民法院强制执行（申请窗口自届满次日起3个月）"),
    ("demand_notice_wait", "催告后申请强制执行等待期", 10, "working_days", "催告书送达之日",
     "《行政强制法》第五十四条、第六十九条", "H", 24, 48,
     "催告书送达十日后当事人仍未履行的，方可申请；十日以内的期限为工作日"),
    ("disclosure", "处罚决定公示期限", 7, "working_days", "作出处罚决定之日", "《安全生产法》第七十八条", "H", 48, 48, None),
    ("disclosure_withdrawal", "撤回公示期限", 3, "working_days", "决定变更、撤销或确认无效之日", "《行政处罚法》第四十八条",
     "H", 24, 48, None),
    ("publication_period", "公示期", 12, "months", "公示之日",
     "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）；2026-04-01起施行的信用修复新规未录入",
     "M", 168, 168, "实践做法，可配置：安全生产行政处罚信息公示期最短1年、最长3年"),
    ("reinspection", "整改复查期限", 10, "calendar_days", "整改期限届满或收到复查申请之日",
     "《安全生产执法程序规定》（安监总政法〔2016〕72号，规范性文件）；《安全生产违法行为行政处罚办法》（2015）", "M", 48, 48,
     "实践做法，可配置"),
    # Inspections and the hidden-danger ledger (隐患台账): the date is set by the officer (moved_deadline); the rule
    # gives its warning lead and level-2 escalation. The amounts are the defaults offered when none is set.
    ("inspection_record", "监督检查完成期限", 30, "calendar_days", "下达检查任务之日", "年度监督检查计划（本单位确定）", "L", 72, 168,
     "按检查任务确定的日期；可配置"),
    ("hidden_danger_rectification", "事故隐患整改期限", 30, "calendar_days", "发现隐患、责令整改之日",
     "《安全生产法》第六十五条；《安全生产事故隐患排查治理暂行规定》第二十条（待核实）", "M", 72, 168,
     "整改期限由执法人员按隐患情况确定；逾期督办，二级督办报上级"),
    ("major_hidden_danger_review", "重大事故隐患销号审查期限", 10, "calendar_days", "整改完毕、申请销号之日",
     "《安全生产事故隐患排查治理暂行规定》第二十三条（收到申请后10日内现场审查，待核实）", "L", 48, 120,
     "挂牌督办的重大事故隐患由上级审查同意后销号；可配置"),
    ("transfer_approval", "移送审批期限", 3, "calendar_days", "移送报告提交之日", "《行政执法机关移送涉嫌犯罪案件的规定》第五条",
     "H", 24, 24, "日的类型未明确，默认自然日，可配置"),
    ("transfer_handover", "批准后移送期限", 24, "hours", "批准移送之时", "《行政执法机关移送涉嫌犯罪案件的规定》第五条；应急〔2019〕54号",
     "H", 4, 24, None),
    ("police_decision", "公安机关立案审查期限（3日）", 3, "calendar_days", "公安机关受理之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第八条", "H", 24, 48, "公安机关告知书未载明延长的，受理之日起3日内决定"),
    ("police_decision_leads", "公安机关立案审查期限（需核查线索，7日）", 7, "calendar_days", "公安机关受理之日",
     "《公安机关办理刑事案件程序规定》第一百八十条；应急〔2019〕54号", "M", 24, 48,
     "公安机关告知需要核查线索的，受理之日起7日内决定（以公安机关告知为准）"),
    ("police_decision_major", "公安机关立案审查期限（重大复杂，30日）", 30, "calendar_days", "公安机关受理之日",
     "《公安机关办理刑事案件程序规定》第一百八十条；应急〔2019〕54号", "M", 72, 168,
     "重大、疑难、复杂案件经县级以上公安机关负责人批准，受理之日起30日内决定（以公安机关告知为准）"),
    ("materials_supplement", "补充移送材料期限", 3, "calendar_days", "收到补充材料通知之日",
     "《安全生产行政执法与刑事司法衔接工作办法》（应急〔2019〕54号）", "M", 24, 48, None),
    ("reconsideration_request", "提请复议期限", 3, "calendar_days", "收到不予立案决定之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("reconsideration_decision", "公安机关复议决定期限", 3, "calendar_days", "收到复议申请之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("procuratorate_request", "建议检察机关监督期限", 3, "calendar_days", "收到复议决定之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("materials_notice", "公安机关告知补充材料期限", 24, "hours", "公安机关受理移送之时",
     "《安全生产行政执法与刑事司法衔接工作办法》（应急〔2019〕54号）", "M", 4, 24,
     "材料不全的，公安机关应在受理后24小时内书面告知；逾期告知的答复标记为逾期"),
    ("police_followup", "移送后跟踪间隔", 30, "calendar_days", "上次跟踪之日",
     "实践做法，可配置（跟踪监督见《行政执法机关移送涉嫌犯罪案件的规定》第十四条，未规定间隔）", "L", 72, 168,
     "跟踪间隔无法定标准，默认30日"),
    ("followup_record", "登记跟踪情况期限", 5, "working_days", "定期跟踪到期之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第十四条（移送后跟踪、监督）；应急〔2019〕54号", "L", 24, 48,
     "跟踪到期后向公安机关、检察机关了解并登记进展的期限无法定标准，默认5个工作日，可配置"),
    ("evidence_handover", "移交涉案物品期限", 3, "calendar_days", "收到立案通知之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第十二条", "H", 24, 48, None),
    ("public_notice_service", "公告送达生效期", 30, "calendar_days", "公告发布之日",
     "《民事诉讼法》第九十五条（参照适用，《行政处罚法》第六十一条）", "H", 0, 0, "自发出公告之日起经过三十日，即视为送达"),
    ("extension_approval", "延期审批期限", 3, "working_days", "提出延期申请之日", "实践做法，可配置", "L", 24, 48,
     "延期申请应在原期限届满前审批完毕"),
]

RULES_EFFECTIVE_FROM = date(2021, 7, 15)  # the revised 行政处罚法 took effect on 2021-07-15


def rule_rows() -> list[dict]:
    """Every seeded version as the columns of a deadline_rules row (jurisdiction national)."""
    rows = []
    for entry in RULES:
        rule_id, name, amount, unit, runs_from, basis, confidence, warn, esc2, note = entry[:10]
        version = entry[10] if len(entry) > 10 else {}
        rows.append({"rule_id": rule_id, "name": name, "amount": amount, "unit": unit, "runs_from": runs_from,
                     "legal_basis": basis, "confidence": confidence, "jurisdiction": "national",
                     "effective_from": version.get("effective_from", RULES_EFFECTIVE_FROM),
                     "effective_to": version.get("effective_to"), "extension_tiers": version.get("extension_tiers"),
                     "warning_lead_hours": warn, "escalation2_after_hours": esc2, "note": note})
    return rows
