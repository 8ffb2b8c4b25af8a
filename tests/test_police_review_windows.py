"""The police's review of a transfer takes 3, 7 or 30 days from acceptance as their notice states (issue 17,
deadline 5; 国务院令310 Art 8; 公安机关办理刑事案件程序规定 Art 180): the waiting deadline and its escalation follow."""
from __future__ import annotations

import pytest

from .transfer_driver import TransferDriver


@pytest.fixture
def d(login):
    return TransferDriver(login, login("admin"))


def _accepted(d, **answer):
    d.open_transfer(party_name="楚雄某冶金有限公司", party_type="organisation")
    d.reported_and_approved("2026-10-12T09:00")
    d.handed_over("2026-10-12T15:00")
    d.at("2026-10-13T09:30")
    return d.police("received", answered_at="2026-10-13T09:30:00+08:00", **answer)


def test_a_seven_day_review_is_not_escalated_after_three_days(d, sweep):
    detail = _accepted(d, review_days=7)
    # 7 days from Tue 13 Oct: Tue 20 Oct, 24:00
    assert (detail["next_deadline"]["rule_id"], detail["next_deadline"]["due_at"]) == \
        ("police_decision_leads", "2026-10-20T16:00:00+00:00")
    assert detail["police_answers"][-1]["review_days"] == 7
    d.at("2026-10-17T00:01")
    sweep()
    assert [a for a in d.alerts("supervisor1") if a[1].startswith("公安机关答复")] == []
    d.at("2026-10-21T00:01")
    sweep()
    assert ("escalation1", "公安机关答复期限逾期督办") in d.alerts("supervisor1")


def test_a_notice_of_a_thirty_day_review_moves_the_deadline_from_acceptance(d, sweep):
    detail = _accepted(d)
    assert detail["next_deadline"]["rule_id"] == "police_decision"  # no period stated: 3 days
    d.at("2026-10-15T10:00")
    detail = d.police("review_extended", review_days=30, document_number="楚公延〔2026〕1号")
    # 30 days from acceptance on 13 Oct: Thu 12 Nov, 24:00
    assert (detail["next_deadline"]["rule_id"], detail["next_deadline"]["due_at"]) == \
        ("police_decision_major", "2026-11-12T16:00:00+00:00")
    assert detail["stage"] == "police_review"
    d.at("2026-10-20T00:01")
    sweep()
    assert [a for a in d.alerts("supervisor1") if a[1].startswith("公安机关答复")] == []


def test_a_review_period_is_3_7_or_30_days_and_stated_by_an_acceptance(d):
    d.open_transfer(party_name="楚雄某冶金有限公司", party_type="organisation")
    d.reported_and_approved("2026-10-12T09:00")
    d.handed_over("2026-10-12T15:00")
    d.at("2026-10-13T09:30")
    assert d.police("received", review_days=10, expect=422)["details"]["review_days"]
    assert d.police("review_extended", review_days=30, expect=409)["code"] == "not_accepted"
    assert "review_days" in d.police("not_opened", review_days=7, expect=422)["details"]
