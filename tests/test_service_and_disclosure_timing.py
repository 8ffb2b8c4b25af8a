"""Disclosure runs from the decision, served or not, and service by public notice takes effect 30 days after
publication (issue 17, deadlines 6 and 7)."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, CaseDriver, fine_proposal


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _decided(d):
    """A fine of 5,000 yuan decided on Monday 28 September 2026, not yet served."""
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    return d


def test_disclosure_opens_with_the_decision_before_it_is_served(driver):
    d = _decided(driver)
    assert d.open_steps() == ["record_disclosure", "serve_decision"]
    # 安全生产法 Art 78: 7 working days from the decision (1-7 October off, Saturday 10 October worked).
    assert d.due("record_disclosure") == ("2026-10-13T16:00:00+00:00", "disclosure")
    d.at("2026-09-30T10:00")
    d.complete("record_disclosure", {"disclosure_publish": True})  # published while service is still under way
    assert d.open_steps() == ["serve_decision"]
    d.complete("serve_decision", {"served_at": "2026-10-09T10:00:00+08:00", "service_method": "direct"})
    assert d.open_steps() == ["record_payment"]


def test_service_by_public_notice_takes_effect_thirty_days_after_publication(driver):
    d = _decided(driver)
    published = "2026-10-09T09:00:00+08:00"
    d.at("2026-10-20T10:00")
    body = d.complete("serve_decision", {"service_method": "public_notice", "published_at": published,
                                         "served_at": "2026-10-09T09:00:00+08:00"}, expect=422)
    assert "2026-11-08" in body["message"] and "第九十五条" in body["message"]
    assert set(body["details"]) == {"served_at", "published_at"}
    body = d.complete("serve_decision", {"service_method": "public_notice", "served_at": "2026-11-08T09:00:00+08:00"},
                      expect=422)
    assert body["details"] == {"published_at": ["必填"]}
    d.at("2026-11-08T09:00")
    d.complete("serve_decision", {"service_method": "public_notice", "published_at": published,
                                  "served_at": "2026-11-08T09:00:00+08:00", "service_note": "楚雄市应急管理局门户网站"})
    # The payment period runs from the day service took effect: 15 days from 8 November.
    assert d.due("record_payment") == ("2026-11-23T16:00:00+00:00", "payment")


def test_a_publication_date_belongs_to_service_by_public_notice_only(driver):
    d = _decided(driver)
    body = d.complete("serve_decision", {"service_method": "direct", "published_at": "2026-09-28T11:00:00+08:00",
                                         "served_at": "2026-09-29T10:00:00+08:00"}, expect=422)
    assert "published_at" in body["details"]
