"""Sign-offs, committees, ballots and votes. Sign-offs and votes are written once and never changed."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class ReviewOutcome(str, enum.Enum):
    passed = "pass"        # 通过
    returned = "return"    # 退回补充调查
    failed = "fail"        # 不通过


class LegalReview(db.Model):
    """One legal review sign-off (法制审核意见), bound to the fingerprint of what it reviewed."""

    __tablename__ = "legal_reviews"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    task_id = sa.Column(sa.Integer, sa.ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True)
    stage = sa.Column(sa.String(32), nullable=False)  # legal_review | legal_review_after_hearing (re-review)
    reviewer_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    checklist = sa.Column(JSONType, nullable=False)
    outcome = sa.Column(sa.String(16), nullable=False)
    opinion = sa.Column(sa.Text, nullable=False)
    reasons = sa.Column(sa.Text, nullable=True)
    # SHA-256 of the facts, the evidence list and the proposal as reviewed; `material` is what was hashed.
    fingerprint = sa.Column(sa.String(64), nullable=False)
    material = sa.Column(JSONType, nullable=False)
    signed_at = sa.Column(UTCDateTime, nullable=False)

    reviewer = db.relationship("User")

    __table_args__ = (sa.Index("ix_legal_reviews_case", "case_id", "signed_at"),)


class TieRule(str, enum.Enum):
    chair_casting = "chair_casting"  # 主任委员的表决意见决定
    rediscuss = "rediscuss"          # 另行讨论（重新表决）


class Committee(db.Model):
    """A unit's case review committee (案件审查委员会) and its voting rules."""

    __tablename__ = "committees"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, unique=True)
    chair_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    # Quorum: members present (voting) ≥ quorum_numerator/quorum_denominator of all members.
    quorum_numerator = sa.Column(sa.Integer, nullable=False, default=2)
    quorum_denominator = sa.Column(sa.Integer, nullable=False, default=3)
    # Decision: agreeing votes > pass_numerator/pass_denominator of the votes cast.
    pass_numerator = sa.Column(sa.Integer, nullable=False, default=1)
    pass_denominator = sa.Column(sa.Integer, nullable=False, default=2)
    tie_rule = sa.Column(sa.String(16), nullable=False, default=TieRule.chair_casting.value)
    updated_at = sa.Column(UTCDateTime, nullable=False)

    unit = db.relationship("Unit")
    chair = db.relationship("User", foreign_keys=[chair_id])
    members = db.relationship("CommitteeMember", cascade="all, delete-orphan", lazy="selectin")


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"

    committee_id = sa.Column(sa.Integer, sa.ForeignKey("committees.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), primary_key=True)

    user = db.relationship("User", lazy="joined")


class BallotStatus(str, enum.Enum):
    open = "open"      # 表决中
    closed = "closed"  # 已结束


class BallotResult(str, enum.Enum):
    passed = "passed"                # 通过
    rejected = "rejected"            # 未通过
    failed_quorum = "failed_quorum"  # 出席人数不足，表决无效
    tie = "tie"                      # 票数相等，另行讨论


class Ballot(db.Model):
    """One vote of the committee on a case's proposal; its rules are copied in when it opens."""

    __tablename__ = "ballots"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    committee_id = sa.Column(sa.Integer, sa.ForeignKey("committees.id"), nullable=False)
    round = sa.Column(sa.Integer, nullable=False)
    proposal = sa.Column(sa.Text, nullable=False)
    rules = sa.Column(JSONType, nullable=False)  # quorum, pass ratio, tie rule, member count, chair
    opened_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    opened_at = sa.Column(UTCDateTime, nullable=False)
    deadline_at = sa.Column(UTCDateTime, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=BallotStatus.open.value)
    result = sa.Column(sa.String(16), nullable=True)
    tally = sa.Column(JSONType, nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)
    closed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    closed_how = sa.Column(sa.String(16), nullable=True)  # all_voted | chair
    version = sa.Column(sa.Integer, nullable=False, default=1)

    seats = db.relationship("BallotSeat", cascade="all, delete-orphan", lazy="selectin",
                            order_by="BallotSeat.user_id")
    # In the order cast; votes of one instant (a stopped demo or test clock) by their insertion, not as the
    # database happens to return them (found as a flaky minutes test on PostgreSQL).
    votes = db.relationship("Vote", lazy="selectin", order_by="(Vote.cast_at, Vote.id)")
    committee = db.relationship("Committee")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("case_id", "round", name="uq_ballots_case_round"),)


class SeatStatus(str, enum.Enum):
    eligible = "eligible"  # 参加表决
    recused = "recused"    # 回避


class BallotSeat(db.Model):
    """Each committee member's place in one ballot: eligible, or recused with the reason."""

    __tablename__ = "ballot_seats"

    ballot_id = sa.Column(sa.Integer, sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), primary_key=True)
    status = sa.Column(sa.String(16), nullable=False)
    recusal_reason = sa.Column(sa.String(500), nullable=True)
    recused_at = sa.Column(UTCDateTime, nullable=True)

    user = db.relationship("User", lazy="joined")


class VoteChoice(str, enum.Enum):
    agree = "agree"        # 同意
    disagree = "disagree"  # 不同意
    abstain = "abstain"    # 弃权


class Vote(db.Model):
    __tablename__ = "votes"

    id = sa.Column(sa.Integer, primary_key=True)
    ballot_id = sa.Column(sa.Integer, sa.ForeignKey("ballots.id", ondelete="CASCADE"), nullable=False)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    choice = sa.Column(sa.String(16), nullable=False)
    opinion = sa.Column(sa.Text, nullable=False)
    cast_at = sa.Column(UTCDateTime, nullable=False)

    user = db.relationship("User", lazy="joined")

    # One vote per member per ballot, enforced by the database as well as by the operation.
    __table_args__ = (sa.UniqueConstraint("ballot_id", "user_id", name="uq_votes_ballot_user"),)


def _written_once(mapper, connection, target):
    raise RuntimeError(f"{type(target).__name__} rows are written once and never changed (append-only record)")


for _model in (LegalReview, Vote):
    sa.event.listen(_model, "before_update", _written_once)
    sa.event.listen(_model, "before_delete", _written_once)
