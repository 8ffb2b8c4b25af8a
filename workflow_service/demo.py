"""Demo data: a province → city → county unit tree, a user for every role, the process definitions.

Idempotent (running `make run` twice changes nothing) and refused when WFS_ENV=production.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from .core.errors import Forbidden
from .core.clock import utcnow
from .core.services import clock
from .extensions import db
from .modules.cases.operations import seed_settings
from .modules.system.codes import make_credit_code
from .modules.enterprises.models import Enterprise
from .modules.enterprises.operations import build_enterprise, seed_schemes
from .modules.deadlines.operations import seed_calendar_from_library, seed_rules
from .modules.processes.definitions import deploy_package, read_package
from .modules.review.committee import configure_committee
from .modules.review.models import Committee
from .modules.system.models import ClockState
from .modules.users.models import Unit, User
from .modules.users.operations import create_unit, create_user

UNITS = [
    ("530000", "云南省应急管理厅", "province", None),
    ("532300", "楚雄彝族自治州应急管理局", "city", "530000"),
    ("532301", "楚雄市应急管理局", "county", "532300"),
]

# (username, display name, unit code, roles, legal qualification)
USERS = [
    ("admin", "系统管理员", "530000", ["admin"], False),
    # Deploys process definitions (scripts are code): the platform's operator, not a unit's administrator.
    ("operator", "平台运维", "530000", ["platform_operator"], False),
    ("handler1", "张承办", "532301", ["case_handler"], False),
    ("handler2", "李承办", "532301", ["case_handler"], False),
    ("supervisor1", "王分管", "532301", ["supervisor"], False),
    ("head1", "赵局长", "532301", ["principal_head", "supervisor", "committee_member"], False),
    ("reviewer1", "刘法制", "532301", ["legal_reviewer"], True),
    *[(f"member{i}", f"委员{i}", "532301", ["committee_member"], False) for i in range(1, 6)],
    ("city_supervisor", "陈州局分管", "532300", ["supervisor"], False),
    ("province_supervisor", "周省厅分管", "530000", ["supervisor"], False),
    # The public security bureau's system posts its answers to transfers with this account's token.
    ("police_gateway", "公安机关接口", "532301", ["integration"], False),
]

# 执法证件号 of the demo officers (printed beside their signatures on documents).
# 行政执法证 of the demo's officers (certificate number, valid through): printed beside their signatures on the
# documents they sign; only the certified case handlers are drawn for inspections.
CERTIFICATES = {"handler1": ("53230119001", date(2029, 12, 31)), "handler2": ("53230119002", date(2029, 12, 31)),
                "supervisor1": ("53010026003", date(2029, 12, 31)), "head1": ("53010026004", date(2029, 12, 31)),
                "reviewer1": ("53010026005", date(2029, 12, 31))}

# A few companies of the demo county's registry (生产经营单位名录): name, 17 characters of the credit code (the check
# character is computed), industry (GB/T 4754), class.
DEMO_ENTERPRISES = [
    ("楚雄某烟花爆竹有限公司", "91532301MA6K00001", "C2672", "A"), ("楚雄某化工有限公司", "91532301MA6K00002", "C2614", "A"),
    ("楚雄某加油站", "91532301MA6K00003", "F5265", "B"), ("楚雄某建材有限公司", "91532301MA6K00004", "C3021", "B"),
    ("楚雄某采石场", "91532301MA6K00005", "B1011", "B"), ("楚雄某食品有限公司", "91532301MA6K00006", "C1431", "C"),
    ("楚雄某物流有限公司", "91532301MA6K00007", "G5430", "C"), ("楚雄某家具厂", "91532301MA6K00008", "C2110", "D"),
]

# The county's case review committee (案件审查委员会): the head chairs it; two thirds of the members make a
# quorum, more than half of the votes cast decide, and on a tie the chair's vote decides.
COMMITTEES = [("532301", "head1", ["head1", *[f"member{i}" for i in range(1, 6)]], "2/3", "1/2", "chair_casting")]


def seed_reference_data() -> str:
    """Deadline rules and the official holiday calendar: needed in production too, and idempotent."""
    rules = seed_rules()
    years = seed_calendar_from_library()
    settings = seed_settings()
    schemes = seed_schemes()
    return (f"reference data: {rules} deadline rule(s), {len(years)} calendar year(s), "
            f"{settings} setting(s), {schemes} classification scheme(s) loaded")


def seed_demo() -> str:
    config = current_app.config["WFS"]
    if config["ENV"] == "production":
        raise Forbidden("生产环境不加载演示数据 (demo data is refused when WFS_ENV=production)")
    seed_reference_data()
    created_units = created_users = 0
    for code, name, level, parent in UNITS:
        if db.session.scalar(sa.select(Unit).filter_by(code=code)) is None:
            create_unit(None, code=code, name=name, level=level, parent_code=parent)
            created_units += 1
    for username, display_name, unit_code, roles, qualified in USERS:
        if db.session.scalar(sa.select(User).filter_by(username=username)) is None:
            create_user(None, username=username, password=config["DEMO_PASSWORD"], display_name=display_name,
                        unit_code=unit_code, roles=roles, legal_qualification=qualified)
            created_users += 1
    for username, (number, valid_to) in CERTIFICATES.items():
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        if user.certificate_number is None:
            user.certificate_number, user.certificate_valid_to = number, valid_to
    for unit_code, chair, members, quorum, pass_ratio, tie_rule in COMMITTEES:
        unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
        if db.session.scalar(sa.select(Committee).filter_by(unit_id=unit.id)) is None:
            configure_committee(None, unit_code, chair=chair, members=members, quorum=quorum,
                                pass_ratio=pass_ratio, tie_rule=tie_rule)
    county = db.session.scalar(sa.select(Unit).filter_by(code="532301"))
    if not db.session.scalar(sa.select(Enterprise.id).filter_by(unit_id=county.id).limit(1)):
        for name, body, industry, grade in DEMO_ENTERPRISES:
            build_enterprise(None, county, "530000", {
                "name": name, "credit_code": make_credit_code(body), "address": "楚雄市", "region_code": "532301",
                "industry_code": industry, "legal_representative": "", "principal": "负责人", "principal_phone": None,
                "scale": "small", "classification": grade}, reason="演示数据")
        db.session.flush()
    files = read_package(config["BPMN_DIR"])
    deployed = [d for d, created in deploy_package(None, files) if created] if files else []
    return (f"demo data: {created_units} unit(s), {created_users} user(s) created; "
            f"{len(deployed)} process definition(s) deployed")


def reset_demo() -> str:
    """Start the demo again: every row of every table goes (cases, tasks, audit records, users, sessions, the
    moved clock), then the demo data is loaded afresh. Refused in production, and wherever the clock is not the
    demo's settable one (a real deployment keeps WFS_SETTABLE_CLOCK off)."""
    config = current_app.config["WFS"]
    if config["ENV"] == "production" or not config["SETTABLE_CLOCK"]:
        raise Forbidden("只有演示环境（WFS_SETTABLE_CLOCK=1，非生产环境）可以重置演示数据")
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    # The running services read the clock from this row: back to the real time, not frozen.
    db.session.add(ClockState(id=1, offset_seconds=0.0, frozen_at=None, updated_at=utcnow()))
    clock().load(0.0, None)
    db.session.flush()
    return "demo data reset; " + seed_demo()
