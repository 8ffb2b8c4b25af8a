"""Units (province → city → county), users, their roles, and API tokens."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_login import UserMixin

from ...core.db import UTCDateTime
from ...extensions import db


class Role(str, enum.Enum):
    case_handler = "case_handler"          # 承办人 / 执法人员: files cases, collects evidence
    legal_reviewer = "legal_reviewer"      # 法制审核人员: signs off major decisions
    committee_member = "committee_member"  # 案件审查委员会委员: votes on collective discussions
    supervisor = "supervisor"              # 负责人: approves filing, decisions, closure; sees escalations
    principal_head = "principal_head"      # 正职负责人: alone approves a criminal transfer
    admin = "admin"                        # 管理员: users and units of their own unit tree, calendars, rules
    integration = "integration"            # 接口账户: another system (public security) posting its answers
    # 平台运维人员: deploys process definitions. A diagram's scripts run as the service (the script engine is not a
    # sandbox), so deploying is deploying code: a privilege of the platform's operators, granted explicitly (by
    # the CLI or another operator), never part of administering a unit. Reads no case.
    platform_operator = "platform_operator"


ROLE_LABELS = {
    Role.case_handler: "承办人", Role.legal_reviewer: "法制审核人员", Role.committee_member: "案审委员",
    Role.supervisor: "负责人", Role.principal_head: "正职负责人", Role.admin: "管理员",
    Role.integration: "接口账户", Role.platform_operator: "平台运维人员",
}

# BPMN lanes are named in Chinese; a lane name maps to the role whose users work its tasks.
LANE_ROLES = {
    "承办人": Role.case_handler, "执法人员": Role.case_handler, "案件承办人": Role.case_handler,
    "法制审核人员": Role.legal_reviewer, "法制审核": Role.legal_reviewer,
    "案审委员": Role.committee_member, "案件审查委员会": Role.committee_member, "委员": Role.committee_member,
    "负责人": Role.supervisor, "分管负责人": Role.supervisor,
    "正职负责人": Role.principal_head, "主要负责人": Role.principal_head,
    "管理员": Role.admin,
}


class UnitLevel(str, enum.Enum):
    province = "province"  # 省级
    city = "city"          # 市级
    county = "county"      # 县级


class Unit(db.Model):
    __tablename__ = "units"

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(32), nullable=False, unique=True)
    name = sa.Column(sa.String(200), nullable=False)
    level = sa.Column(sa.String(16), nullable=False)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True, index=True)
    # Materialized path "/1/4/9/": the subtree of a unit is one indexed prefix query (users/units.py).
    path = sa.Column(sa.String(255), nullable=False, index=True)
    # 负责人集体讨论 for every penalty case of the unit (a unit's own practice, e.g. Chuxiong; DOMAIN.md)
    collective_discussion_every_case = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at = sa.Column(UTCDateTime, nullable=False)

    parent = db.relationship("Unit", remote_side=[id])


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    display_name = sa.Column(sa.String(100), nullable=False)
    password_hash = sa.Column(sa.String(255), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    # Legal reviewers must hold the legal professional qualification when first appointed (行政处罚法 Art 58).
    legal_qualification = sa.Column(sa.Boolean, nullable=False, default=False)
    # 行政执法证 (enforcement certificate): only a certified officer inspects or is drawn for an inspection
    # (双随机 执法检查人员名录库); valid through certificate_valid_to. Documents print its number beside the
    # officer's signature (行政处罚法 Art 42, 55).
    certificate_number = sa.Column(sa.String(32), nullable=True)
    certificate_valid_to = sa.Column(sa.Date, nullable=True)
    # 行政处罚法 Art 58(2) (in force 2021-07-15): who first takes up legal review from that day on needs the legal
    # professional qualification; those reviewing before it do not. The day this user first did legal review.
    legal_review_appointed_on = sa.Column(sa.Date, nullable=True)
    # 主持工作的负责人: a head (supervisor) presiding over the department's work acts as its principal head — he
    # approves a criminal transfer (国务院令310 Art 5; DOMAIN.md, December 2026 review) and what else that role does.
    presides_over_work = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at = sa.Column(UTCDateTime, nullable=False)

    unit = db.relationship(Unit)
    # Read when asked for: the request's own user comes with them (users/operations.user_for_token) and the users'
    # list asks for them (users/queries.users_in_tree); the users a page names (assignees, seats, signers) do not.
    role_rows = db.relationship("UserRole", cascade="all, delete-orphan", lazy="select")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    @property
    def roles(self) -> set[Role]:
        roles = {Role(r.role) for r in self.role_rows}
        if self.presides_over_work and Role.supervisor in roles:
            roles.add(Role.principal_head)  # 主持工作的负责人
        return roles

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def is_certified_on(self, day) -> bool:
        """Whether the user holds an enforcement certificate valid on `day` (a date)."""
        return bool(self.active and self.certificate_number and self.certificate_valid_to is not None
                    and self.certificate_valid_to >= day)

    @property
    def is_officer(self) -> bool:
        """A person of the unit. An account holding only the integration role (接口账户) is another system: it
        reaches its own endpoints (police answers to transfers), never the unit's cases, tasks or drafts; an
        account holding only the platform operator role deploys definitions and reads no case either."""
        return bool(self.roles - {Role.integration, Role.platform_operator})


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role = sa.Column(sa.String(32), primary_key=True)
    __table_args__ = (sa.Index("ix_user_roles_role", "role"),)


class TokenKind(str, enum.Enum):
    api = "api"  # a bearer token (POST /api/v1/auth/token): WFS_TOKEN_TTL_HOURS
    web = "web"  # a browser session (the login page): its id in the signed session cookie, idle and absolute limits


class ApiToken(db.Model):
    """A bearer token or a browser session: checked on every request, so revoking the row (logout, deactivation)
    ends it at once, wherever a copy of it is."""

    __tablename__ = "api_tokens"

    id = sa.Column(sa.Integer, primary_key=True)
    # Only a SHA-256 of the token is stored: a leaked table does not leak usable tokens.
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)
    revoked_at = sa.Column(UTCDateTime, nullable=True)
    kind = sa.Column(sa.String(8), nullable=False, default=TokenKind.api.value, server_default=TokenKind.api.value)

    user = db.relationship(User)


class LoginThrottle(db.Model):
    """Failed logins of one submitted username from one source address (modules/users/throttling.py)."""

    __tablename__ = "login_throttles"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False)  # as submitted: unknown names are counted like real ones
    source = sa.Column(sa.String(64), nullable=False)    # the client's address
    failures = sa.Column(sa.Integer, nullable=False, default=0)
    locks = sa.Column(sa.Integer, nullable=False, default=0)  # locks in a row: each one twice as long
    locked_until = sa.Column(UTCDateTime, nullable=True)
    last_failure_at = sa.Column(UTCDateTime, nullable=True)

    __table_args__ = (sa.UniqueConstraint("username", "source", name="uq_login_throttles_username_source"),
                      sa.Index("ix_login_throttles_source", "source", "last_failure_at"))
