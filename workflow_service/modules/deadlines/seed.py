"""The deadline rules of DOMAIN.md, with their legal basis and confidence; loaded once, then administered."""
from __future__ import annotations

from datetime import date

# (rule id, name, amount, unit, runs from, legal basis, confidence, warning lead h, level-2 after h, note)
RULES = [
    ("evidence_preservation", "先行登记保存物品处理决定", 7, "working_days", "先行登记保存之日",
     "《行政处罚法》第五十六条、第八十五条", "H", 24, 48, None),
    ("decision_after_filing", "立案后作出处罚决定", 90, "calendar_days", "立案之日",
     "《行政处罚法》第六十条", "H", 240, 168,
     "法律、法规、规章另有规定的从其规定（应急管理部令第18号自2026-02-01施行，可按其规定调整）；经批准延期的顺延，中止期间不计入"),
    ("service_of_decision", "送达行政处罚决定书", 7, "working_days", "作出决定之日（当事人不在场）",
     "《行政处罚法》第六十一条、第八十五条", "H", 48, 48, None),
    ("statement_window", "陈述申辩期限", 3, "working_days", "告知书送达之日",
     "《行政处罚法》第四十四条、第四十五条、第六十二条", "M", 24, 48, "法律未规定具体期限，3个工作日为常见做法，可配置"),
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
    ("payment_demand", "催告前加处罚款期限", 30, "calendar_days", "缴款期限届满之日",
     "《行政强制法》第四十五条、第四十六条", "H", 72, 48, "加处罚款超过30日仍不履行的，催告后可申请强制执行"),
    ("enforcement_application", "申请人民法院强制执行期限", 9, "months", "处罚决定书送达之日",
     "《行政强制法》第五十三条、第五十四条；《行政诉讼法》第四十六条", "H", 720, 168,
     "复议期60日、诉讼期6个月届满后3个月内申请；催告书送达10日后方可申请"),
    ("disclosure", "处罚决定公示期限", 7, "working_days", "作出处罚决定之日", "《安全生产法》第七十八条", "H", 48, 48, None),
    ("disclosure_withdrawal", "撤回公示期限", 3, "working_days", "决定变更、撤销或确认无效之日", "《行政处罚法》第四十八条",
     "H", 24, 48, None),
    ("publication_period", "公示期限", 12, "months", "公示之日", "信用信息修复相关规定（2026-04-01起调整）", "M", 168, 168,
     "安全生产行政处罚信息公示最短1年、最长3年，可配置"),
    ("reinspection", "整改复查期限", 10, "calendar_days", "整改期限届满或收到复查申请之日", "2015年安全生产执法程序规定（待核实）",
     "L", 48, 48, "未经确认，可配置"),
    ("transfer_approval", "移送审批期限", 3, "calendar_days", "移送报告提交之日", "《行政执法机关移送涉嫌犯罪案件的规定》第五条",
     "H", 24, 24, "日的类型未明确，默认自然日，可配置"),
    ("transfer_handover", "批准后移送期限", 24, "hours", "批准移送之时", "《行政执法机关移送涉嫌犯罪案件的规定》第五条；应急〔2019〕54号",
     "H", 4, 24, None),
    ("police_decision", "公安机关立案审查期限", 3, "calendar_days", "公安机关受理之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第八条", "H", 24, 48, None),
    ("materials_supplement", "补充移送材料期限", 3, "calendar_days", "收到补充材料通知之日", "《公安机关办理刑事案件程序规定》第一百八十条",
     "H", 24, 48, None),
    ("reconsideration_request", "提请复议期限", 3, "calendar_days", "收到不予立案决定之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("reconsideration_decision", "公安机关复议决定期限", 3, "calendar_days", "收到复议申请之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("procuratorate_request", "建议检察机关监督期限", 3, "calendar_days", "收到复议决定之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第九条", "H", 24, 48, None),
    ("materials_notice", "公安机关告知补充材料期限", 24, "hours", "公安机关受理移送之时",
     "《行政执法机关移送涉嫌犯罪案件的规定》第八条；《公安机关办理刑事案件程序规定》第一百八十条", "H", 4, 24,
     "材料不全的，公安机关应在受理后24小时内书面告知；逾期告知的答复标记为逾期"),
    ("police_followup", "移送后跟踪间隔", 30, "calendar_days", "上次跟踪之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第三条、第十四条（移送后跟踪、监督）；应急〔2019〕54号", "L", 72, 168,
     "跟踪间隔无法定标准，默认30日，可配置"),
    ("followup_record", "登记跟踪情况期限", 5, "working_days", "定期跟踪到期之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第十四条（移送后跟踪、监督）；应急〔2019〕54号", "L", 24, 48,
     "跟踪到期后向公安机关、检察机关了解并登记进展的期限无法定标准，默认5个工作日，可配置"),
    ("evidence_handover", "移交涉案物品期限", 3, "calendar_days", "收到立案通知之日",
     "《行政执法机关移送涉嫌犯罪案件的规定》第十二条", "H", 24, 48, None),
]

RULES_EFFECTIVE_FROM = date(2021, 7, 15)  # the revised 行政处罚法 took effect on 2021-07-15
