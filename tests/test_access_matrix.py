"""Access matrix: every endpoint × role × unit relation, allowed or refused, built from the app's URL map.

Every endpoint of `app.url_map` must have a row in ACCESS below: a new endpoint without one FAILS
`test_every_endpoint_has_a_row_in_the_access_table`. To add a row:

    "blueprint.endpoint": Row(
        request=lambda w, rel: ("POST", f"/api/v1/things/{w.case(rel)['id']}/act", {"json": "body"}),
        expect=lambda role, rel: role == "supervisor" and rel in OWN_OR_BELOW),

`request(w, rel)` builds (method, path, json body or None) against the world's objects for the unit relation;
`expect(role, rel)` says whether a user with (only) that role is allowed. Allowed means any status except
401/403 (a 404/409/422 after the access check is fine: send a body that is valid, so that a refusal is not
hidden behind a validation error); refused means 403. For list endpoints, `sees` names the object the list must
contain exactly when `expect` is true (refusal = 200 without it). `undo(w, rel, client)` reverts a change an
allowed call made, so the next cell starts from the same state. Public and web endpoints go into PUBLIC.

The unit relation is between the caller's unit and the object's unit (DOMAIN: province → city → county):
  own          the object is in the caller's unit                    (county user, county case)
  subordinate  the object is in a unit below the caller's            (city user, county case)
  sibling      the object is in another unit under the same parent  (county 532302 user, county 532301 case)
  parent       the object is in the unit above the caller's         (county user, city case)
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from .conftest import FIXTURE_DIR, PASSWORD

# integration: the account of another system (公安机关接口) posting answers to transfers; it reads no case.
# platform_operator: deploys process definitions (scripts are code); it reads no case either.
ROLES = ["case_handler", "legal_reviewer", "committee_member", "supervisor", "principal_head", "admin", "integration",
         "platform_operator"]
OFFICERS = ROLES[:6]
RELATIONS = ["own", "subordinate", "sibling", "parent"]
OWN_OR_BELOW = ("own", "subordinate")
OVERSEERS = ("supervisor", "principal_head", "admin")  # see the cases of the units below theirs
COUNTY, CITY, SIBLING = "532301", "532300", "532302"
# (caller's unit, the unit of the object acted on) for each relation.
RELATION_UNITS = {"own": (COUNTY, COUNTY), "subordinate": (CITY, COUNTY), "sibling": (SIBLING, COUNTY),
                  "parent": (COUNTY, CITY)}


@dataclass
class Row:
    request: Callable
    expect: Callable
    sees: Callable | None = None   # list endpoints: (world, rel, json) -> whether the object is listed
    undo: Callable | None = None


def anyone(role, rel):
    return True


def only(*roles):
    return lambda role, rel: role in roles


def sees_case(w, rel, body):
    return any(item["id"] == w.case(rel)["id"] for item in body["items"])


def sees_task(w, rel, body):
    return any(item["id"] == w.task(rel)["id"] for item in body["items"])


def views_case(role, rel):
    # The one rule (users/units.py, README "Who sees what"): every officer their own unit's records; supervisors,
    # principal heads and administrators also the units below. Cases, process instances, transfers, orders,
    # disclosures and committees alike.
    return role in OFFICERS and (rel == "own" or (rel == "subordinate" and role in OVERSEERS))


def views_task(role, rel):
    # tasks.queries.can_view: whoever may work it (its role in its unit) and the overseers who see its unit.
    return (rel == "own" and role == "case_handler") or (role in OVERSEERS and rel in OWN_OR_BELOW)


def release_claim(w, rel, client):
    response = client.post(f"/api/v1/tasks/{w.task(rel)['id']}/release", json={})
    assert response.status_code == 200, response.get_json()


def resume_case(w, rel, client):
    response = client.post(f"/api/v1/cases/{w.case(rel)['id']}/resume", json={"reason": "恢复"})
    assert response.status_code == 200, response.get_json()


def views_transfer(role, rel):
    # transfers.queries._scoped: like a case; the integration account its unit tree.
    return views_case(role, rel) or (role == "integration" and rel in OWN_OR_BELOW)


def oversees(role, rel):
    # Supervisors, principal heads and administrators, own unit and below (audit.queries, case_file_review,
    # statistics.queries._root_unit).
    return role in OVERSEERS and rel in OWN_OR_BELOW


def seated(role, rel):
    # The ballot's seat (and chair) is held by the committee member of the case's unit (World.ballots).
    return role == "committee_member" and rel == "own"


def sees_item(kind):
    return lambda w, rel, body: any(item["id"] == w.objects[kind][RELATION_UNITS[rel][1]] for item in body["items"])


class Multipart(dict):
    """A multipart/form-data body (World.call sends it as a form, not JSON)."""


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def evidence_upload(w, rel):
    import io
    return ("POST", f"/api/v1/cases/{w.case(rel)['id']}/evidence",
            Multipart(kind="photo", file=(io.BytesIO(JPEG), "矩阵.jpg")))


ACCESS: dict[str, Row] = {
    # -- who am I ---------------------------------------------------------------------------------------
    "auth.me": Row(lambda w, rel: ("GET", "/api/v1/me", None), anyone),
    # -- cases ------------------------------------------------------------------------------------------
    "cases.file_case": Row(lambda w, rel: ("POST", "/api/v1/cases", {
        "source": "inspection", "party_name": "矩阵测试企业", "party_type": "organisation", "summary": "检查"}),
        only("case_handler")),
    "cases.case_list": Row(lambda w, rel: ("GET", "/api/v1/cases?limit=100", None), views_case, sees=sees_case),
    "cases.case_detail": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}", None), views_case),
    # 延期 only the principal head of the case's own unit (行政处罚法 Art 60); the open filing has no running
    # decision deadline yet, so an allowed call answers 409 and changes nothing.
    "cases.extend": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/extension",
                                        {"days": 30, "reason": "案情复杂"}),
                        lambda role, rel: role == "principal_head" and rel == "own"),
    # 延期申请 by the case's own unit (its handlers or supervisors); the open filing has no running decision
    # deadline yet, so an allowed call answers 409 and changes nothing.
    "cases.request_extension": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/extension-requests",
                                                   {"extend_to_days": 90, "reason": "案情复杂"}),
                                   lambda role, rel: role in ("case_handler", "supervisor") and rel == "own"),
    "cases.case_extension_requests": Row(
        lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/extension-requests", None), views_case),
    "cases.extension_queue": Row(lambda w, rel: ("GET", "/api/v1/cases/extension-requests", None), anyone),
    # 审批延期申请: heads only (which request is theirs is checked on the request: none exists here, 404).
    "cases.decide_extension": Row(lambda w, rel: ("POST", "/api/v1/cases/extension-requests/999999/decision",
                                                  {"approved": True, "opinion": "同意"}),
                                  only("supervisor", "principal_head")),
    "cases.suspend": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/suspend", {"reason": "中止"}),
                         lambda role, rel: role in ("supervisor", "principal_head") and rel == "own",
                         undo=resume_case),
    # 先行登记保存: a handler of the case's own unit asks; the open filing is not investigating yet, so an allowed
    # call answers 409 (the process is not waiting for it) and changes nothing.
    "cases.request_preservation": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/preservation-requests",
                                                      {"items": [{"description": "压力表"}], "reason": "可能灭失"}),
                                      lambda role, rel: role == "case_handler" and rel == "own"),
    "cases.resume": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/resume", {"reason": "恢复"}),
                        lambda role, rel: role in ("supervisor", "principal_head") and rel == "own"),
    # -- processes --------------------------------------------------------------------------------------
    "processes.definitions": Row(lambda w, rel: ("GET", "/api/v1/process-definitions", None), anyone),
    # Deploying is deploying code: the platform operator's alone, not a unit administrator's (issue 15).
    "processes.deploy": Row(lambda w, rel: ("POST", "/api/v1/process-definitions", {"files": w.fixture_files}),
                            only("platform_operator")),
    "processes.start": Row(lambda w, rel: ("POST", "/api/v1/process-instances",
                                           {"process_id": "fixture_review", "title": "矩阵"}),
                           only("case_handler", "supervisor", "admin")),
    "processes.instance_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/process-instances/{w.case(rel)['instance_id']}", None), views_case),
    "processes.instance_tasks": Row(
        lambda w, rel: ("GET", f"/api/v1/process-instances/{w.case(rel)['instance_id']}/tasks", None),
        views_case),
    "processes.instance_timers": Row(
        lambda w, rel: ("GET", f"/api/v1/process-instances/{w.case(rel)['instance_id']}/timers", None),
        views_case),
    # -- tasks (the open 立案登记 draft_filing task of the case: role case_handler) -------------------------
    "tasks.task_list": Row(lambda w, rel: ("GET", "/api/v1/tasks?scope=available&limit=100", None),
                           lambda role, rel: role == "case_handler" and rel == "own", sees=sees_task),
    "tasks.task_detail": Row(lambda w, rel: ("GET", f"/api/v1/tasks/{w.task(rel)['id']}", None), views_task),
    "tasks.claim": Row(lambda w, rel: ("POST", f"/api/v1/tasks/{w.task(rel)['id']}/claim", {}),
                       lambda role, rel: role == "case_handler" and rel == "own", undo=release_claim),
    # Only the assignee releases; nobody in the matrix holds the task (claim's undo covers the allowed path).
    "tasks.release": Row(lambda w, rel: ("POST", f"/api/v1/tasks/{w.task(rel)['id']}/release", {}),
                         lambda role, rel: False),
    # Supervisors within their unit tree; an allowed call names an unknown user and gets 422.
    "tasks.reassign": Row(lambda w, rel: ("POST", f"/api/v1/tasks/{w.task(rel)['id']}/reassign",
                                          {"assignee": "nobody-such"}),
                          lambda role, rel: role == "supervisor" and rel in OWN_OR_BELOW),
    # An allowed call sends an empty form and gets 422 (nothing changes).
    "tasks.complete": Row(lambda w, rel: ("POST", f"/api/v1/tasks/{w.task(rel)['id']}/complete", {"data": {}}),
                          lambda role, rel: role == "case_handler" and rel == "own"),
    # -- alerts -----------------------------------------------------------------------------------------
    "alerts.alert_list": Row(lambda w, rel: ("GET", "/api/v1/alerts?scope=units", None),
                             only("supervisor", "principal_head")),
    # -- deadlines and calendar --------------------------------------------------------------------------
    "deadlines.rules": Row(lambda w, rel: ("GET", "/api/v1/deadline-rules", None), anyone),
    "deadlines.update_rule": Row(lambda w, rel: ("PUT", "/api/v1/deadline-rules/no_such_rule", {"amount": 5}),
                                 only("admin")),
    "deadlines.compute": Row(lambda w, rel: ("GET", "/api/v1/deadlines/compute?rule=service_of_decision"
                                                    "&from=2026-10-12T09:00:00%2B08:00", None), anyone),
    "deadlines.calendar_year": Row(lambda w, rel: ("GET", "/api/v1/calendar/2026", None), anyone),
    "deadlines.import_calendar": Row(lambda w, rel: ("POST", "/api/v1/admin/calendar/2031",
                                                     {"source": "矩阵测试", "holidays": [{"date": "2031-01-01"}]}),
                                     only("admin")),
    # -- administration -----------------------------------------------------------------------------------
    # Every user reads the service time (the UI shows it; in a demo it may have been moved).
    "admin.get_clock": Row(lambda w, rel: ("GET", "/api/v1/admin/clock", None), anyone),
    "admin.set_clock": Row(lambda w, rel: ("POST", "/api/v1/admin/clock", {"now": "2026-10-12T09:00:00+08:00"}),
                           only("admin")),
    "admin.run_sweep": Row(lambda w, rel: ("POST", "/api/v1/admin/sweep", {}), only("admin")),
    "admin.incidents": Row(lambda w, rel: ("GET", "/api/v1/admin/incidents", None), only("admin")),
    "admin.retry": Row(lambda w, rel: ("POST", "/api/v1/admin/incidents/999999/retry", {}), only("admin")),
    # -- case records: timeline, audit chain, evidence (全过程记录) ------------------------------------------------
    "cases.case_tasks": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/tasks", None), views_case),
    "cases.case_timeline": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/timeline", None), views_case),
    # Administrators too only within their unit tree (fixed: a county administrator verified other units' chains).
    "audit.verify": Row(lambda w, rel: ("GET", f"/api/v1/audit/verify?case_id={w.case(rel)['id']}", None), oversees),
    # Handlers and supervisors of the case's own unit add files (an allowed call stores one more photo).
    "evidence.upload": Row(evidence_upload,
                           lambda role, rel: role in ("case_handler", "supervisor", "principal_head") and rel == "own"),
    "evidence.evidence_list": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/evidence", None),
                                  views_case),
    "evidence.download": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/evidence/"
                                                    f"{w.objects['evidence'][RELATION_UNITS[rel][1]]}/content", None),
                             views_case),
    # 案卷评查 of one case: overseers of the unit tree; the open case is not closed yet, so an allowed call gets 409.
    "case_reviews.review": Row(lambda w, rel: ("POST", "/api/v1/case-reviews", {"case_id": w.case(rel)["id"]}),
                               oversees),
    # -- enforcement documents and the case file (执法文书, 案卷): who sees the case sees its documents --------------
    "documents.document_list": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/documents", None),
                                   views_case),
    "documents.document_detail": Row(lambda w, rel: ("GET", w.document(rel), None), views_case),
    "documents.document_content": Row(lambda w, rel: ("GET", w.document(rel, "/content?format=pdf"), None), views_case),
    "documents.preview": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/documents/preview"
                                                    "?doc_type=filing_approval", None), views_case),
    # Issued by the handlers and heads of the case's own unit (an allowed call issues one more 立案审批表).
    "documents.issue": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/documents",
                                           {"doc_type": "filing_approval"}),
                           lambda role, rel: role in ("case_handler", "supervisor", "principal_head") and rel == "own"),
    # A correction is a new version (the next allowed call finds the old one superseded: 409).
    "documents.correct": Row(lambda w, rel: ("POST", w.document(rel, "/corrections"), {"reason": "更正笔误"}),
                             lambda role, rel: role in ("case_handler", "supervisor", "principal_head") and rel == "own"),
    # Voiding is for the heads of the case's own unit (after the first allowed call: 409).
    "documents.void": Row(lambda w, rel: ("POST", w.document(rel, "/void"), {"reason": "矩阵作废"}),
                          lambda role, rel: role in ("supervisor", "principal_head") and rel == "own"),
    # No case file before archiving: an allowed call gets 404.
    "documents.case_file": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/case-file", None), views_case),
    "documents.case_file_content": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/case-file/content",
                                                       None), views_case),
    "documents.build_case_file": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/case-file", {}),
                                     lambda role, rel: role in ("case_handler", "supervisor", "principal_head")
                                     and rel == "own"),
    # The task's document as it will be issued: who sees the task.
    "documents.task_preview": Row(lambda w, rel: ("GET", f"/api/v1/tasks/{w.task(rel)['id']}/document-preview"
                                                         "?doc_type=filing_approval", None), views_task),
    # ... and with what the task's form holds (a preview: nothing kept).
    "documents.task_preview_with_form": Row(lambda w, rel: ("POST", f"/api/v1/tasks/{w.task(rel)['id']}/document-preview",
                                                            {"doc_type": "filing_approval", "data": {}}), views_task),
    # Administrators of the unit tree; the allowed call names an unknown document type and gets 422.
    "documents.document_settings": Row(lambda w, rel: ("PUT", f"/api/v1/admin/document-settings/{RELATION_UNITS[rel][1]}",
                                                       {"dept_code": "矩阵", "type_codes": {"no_such_type": "X"}}),
                                       lambda role, rel: role == "admin" and rel in OWN_OR_BELOW),
    # -- legal review and committee ballots (法制审核, 集体讨论) -----------------------------------------------------
    "ballots.legal_reviews": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/legal-reviews", None),
                                 views_case),
    "ballots.case_ballots": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/ballots", None),
                                views_case),
    # Whoever sees the case, and the members seated in the ballot (here the own unit's member sees the case anyway).
    "ballots.ballot_detail": Row(lambda w, rel: ("GET", f"/api/v1/ballots/{w.ballot(rel)}", None), views_case),
    # The ballot is open: an allowed call gets 409 (the minutes exist once it closes).
    "ballots.ballot_minutes": Row(lambda w, rel: ("GET", f"/api/v1/ballots/{w.ballot(rel)}/minutes", None), views_case),
    # Only a seated member votes or recuses; the ballot has no 集体讨论网上表决 task, so the allowed call gets 409.
    "ballots.cast_vote": Row(lambda w, rel: ("POST", f"/api/v1/ballots/{w.ballot(rel)}/votes",
                                             {"choice": "agree", "opinion": "同意"}), seated),
    "ballots.declare_conflict": Row(lambda w, rel: ("POST", f"/api/v1/ballots/{w.ballot(rel)}/recusals",
                                                    {"reason": "近亲属"}), seated),
    # Only the chair closes; before the deadline the allowed call gets 409.
    "ballots.close_ballot": Row(lambda w, rel: ("POST", f"/api/v1/ballots/{w.ballot(rel)}/close", {}), seated),
    # A committee is read like the other records of its unit (fixed: it was read along the whole unit line, the
    # integration account included).
    "ballots.committee_detail": Row(lambda w, rel: ("GET", f"/api/v1/committees/{RELATION_UNITS[rel][1]}", None),
                                    views_case),
    # Administrators of the unit tree; the allowed call names unknown members and gets 422 (nothing changes).
    "ballots.committee_update": Row(lambda w, rel: ("PUT", f"/api/v1/committees/{RELATION_UNITS[rel][1]}",
                                                    {"chair": "nobody-such", "members": ["nobody-such"]}),
                                    lambda role, rel: role == "admin" and rel in OWN_OR_BELOW),
    # -- disclosure (行政执法公示) ------------------------------------------------------------------------------
    "disclosures.disclosure_list": Row(lambda w, rel: ("GET", "/api/v1/disclosures?limit=100", None), views_case,
                                       sees=sees_item("disclosure")),
    "disclosures.disclosure_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/disclosures/{w.objects['disclosure'][RELATION_UNITS[rel][1]]}", None),
        views_case),
    # Supervisors start a withdrawal; the record is a draft, so the allowed call gets 409.
    "disclosures.request_withdrawal": Row(
        lambda w, rel: ("POST", f"/api/v1/disclosures/{w.objects['disclosure'][RELATION_UNITS[rel][1]]}/withdrawal",
                        {"reason": "revoked", "explanation": "决定已撤销"}),
        lambda role, rel: role in ("supervisor", "principal_head") and rel in OWN_OR_BELOW),
    # -- rectification orders (责令限期整改) -------------------------------------------------------------------
    # A handler issues an order in their own unit (no object: every relation alike).
    "rectifications.issue": Row(lambda w, rel: ("POST", "/api/v1/rectifications", RECTIFICATION), only("case_handler")),
    "rectifications.order_list": Row(lambda w, rel: ("GET", "/api/v1/rectifications?limit=100", None), views_case,
                                     sees=sees_item("order")),
    "rectifications.order_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/rectifications/{w.objects['order'][RELATION_UNITS[rel][1]]}", None),
        views_case),
    # -- inspections (监督检查) and the hidden-danger ledger (隐患台账) ----------------------------------------------
    # Handlers and supervisors assign in their own unit (the body names officers who are not certified: 422 after
    # the access check). The world's inspection names its unit's matrix handler among its inspectors.
    "inspections.assign": Row(lambda w, rel: ("POST", "/api/v1/inspections", {
        "company_name": "矩阵企业", "industry": "general", "source": "routine",
        "inspectors": [f"matrix_case_handler_{RELATION_UNITS[rel][0]}", "handler1"]}), only("case_handler", "supervisor")),
    "inspections.inspection_list": Row(lambda w, rel: ("GET", "/api/v1/inspections?limit=200", None), views_case,
                                       sees=sees_item("inspection")),
    "inspections.inspection_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/inspections/{w.objects['inspection'][RELATION_UNITS[rel][1]]}", None), views_case),
    # Only the inspection's own officers add photos.
    "inspections.upload_photo": Row(lambda w, rel: (
        "POST", f"/api/v1/inspections/{w.objects['inspection'][RELATION_UNITS[rel][1]]}/photos",
        Multipart(file=(io.BytesIO(JPEG), "现场.jpg"))),
        lambda role, rel: role == "case_handler" and rel == "own"),
    "inspections.checklist": Row(lambda w, rel: ("GET", "/api/v1/inspection-checklists/general", None), anyone),
    # A ledger line is seen like a case, and by every officer of the unit above that supervises it (挂牌督办: the
    # world's hidden dangers are major).
    "inspections.ledger": Row(lambda w, rel: ("GET", "/api/v1/hidden-dangers?limit=200", None),
                              lambda role, rel: role in OFFICERS and rel in OWN_OR_BELOW, sees=sees_item("hazard")),
    "inspections.hazard_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/hidden-dangers/{w.objects['hazard'][RELATION_UNITS[rel][1]]}", None),
        lambda role, rel: role in OFFICERS and rel in OWN_OR_BELOW),
    # Only the supervising (higher) unit's supervisors and principal heads decide on closing a major one (the
    # world's is still being rectified: 409 after the access check).
    "inspections.decide_closure": Row(
        lambda w, rel: ("POST", f"/api/v1/hidden-dangers/{w.objects['hazard'][RELATION_UNITS[rel][1]]}/closure",
                        {"approved": True, "opinion": "同意销号"}),
        lambda role, rel: role in ("supervisor", "principal_head") and rel == "subordinate"),
    "inspections.statistics": Row(
        lambda w, rel: ("GET", f"/api/v1/inspection-statistics?period=2026&unit_id={w.unit_id(rel)}", None), oversees),
    "inspections.statistics_xlsx": Row(
        lambda w, rel: ("GET", f"/api/v1/inspection-statistics/export.xlsx?period=2026&unit_id={w.unit_id(rel)}", None),
        oversees),
    "inspections.statistics_csv": Row(
        lambda w, rel: ("GET", f"/api/v1/inspection-statistics/export.csv?period=2026&unit_id={w.unit_id(rel)}", None),
        oversees),
    # -- statistics -------------------------------------------------------------------------------------------
    "statistics.statistics": Row(lambda w, rel: ("GET", f"/api/v1/statistics?period=2026&unit_id={w.unit_id(rel)}",
                                                 None), oversees),
    "statistics.statistics_export": Row(
        lambda w, rel: ("GET", f"/api/v1/statistics/export?period=2026&unit_id={w.unit_id(rel)}", None), oversees),
    # -- criminal transfers (涉嫌犯罪案件移送) -----------------------------------------------------------------
    # The integration account sees the transfers of its unit tree (it answers for the police of the area).
    "transfers.transfer_list": Row(lambda w, rel: ("GET", "/api/v1/transfers?limit=100", None), views_transfer,
                                   sees=sees_item("transfer")),
    # Every user reports the transfers of the units they see (the report lists nothing of other units).
    "transfers.transfer_report": Row(lambda w, rel: ("GET", "/api/v1/transfers/report?from=2026-01-01T00:00:00%2B08:00"
                                                            "&to=2027-01-01T00:00:00%2B08:00", None), anyone),
    "transfers.transfer_detail": Row(
        lambda w, rel: ("GET", f"/api/v1/transfers/{w.objects['transfer'][RELATION_UNITS[rel][1]]}", None),
        views_transfer),
    # The unit's own handlers and the integration account of the unit tree; an allowed call dates the answer in
    # the future: 422.
    "transfers.police_answer": Row(
        lambda w, rel: ("POST", f"/api/v1/transfers/{w.objects['transfer'][RELATION_UNITS[rel][1]]}/police-answers",
                        {"kind": "received", "answered_at": "2099-01-01T00:00:00+08:00"}),
        lambda role, rel: (role == "case_handler" and rel == "own") or (role == "integration" and rel in OWN_OR_BELOW)),
    # Screening and transfer of a case: handlers of the case's own unit (fixed: another unit's case answered 404).
    "transfers.crime_screening": Row(lambda w, rel: ("POST", "/api/v1/screenings", {"case_id": w.case(rel)["id"]}),
                                     lambda role, rel: role == "case_handler" and rel == "own"),
    "transfers.open_transfer": Row(lambda w, rel: ("POST", "/api/v1/transfers", {"case_id": w.case(rel)["id"],
                                                                                 "summary": "涉嫌重大责任事故罪"}),
                                   lambda role, rel: role == "case_handler" and rel == "own"),
}

# -- users and units: administrators of the object's unit tree (issue 15) -------------------------------------
def administers(role, rel):
    return role == "admin" and rel in OWN_OR_BELOW


def reactivate_target(w, rel, client):
    response = client.post(f"/api/v1/admin/users/{target_user(rel)}/activate")
    assert response.status_code == 200, response.get_json()


def target_user(rel):
    """A user of the object's unit that no cell logs in as (deactivating it ends no token the matrix needs)."""
    return f"matrix_target_{RELATION_UNITS[rel][1]}"


ACCESS.update({
    "users.user_list": Row(lambda w, rel: ("GET", "/api/v1/admin/users", None), only("admin")),
    # An allowed call names an existing username and gets 409 after the unit-tree check (nothing changes).
    "users.create_user": Row(lambda w, rel: ("POST", "/api/v1/admin/users", {
        "username": "handler1", "password": PASSWORD, "display_name": "矩阵", "unit_code": RELATION_UNITS[rel][1],
        "roles": ["case_handler"]}), administers),
    # An allowed call names an existing unit code and gets 409 after the unit-tree check of the parent.
    "users.create_unit": Row(lambda w, rel: ("POST", "/api/v1/admin/units", {
        "code": COUNTY, "name": "矩阵单位", "level": "county", "parent_code": RELATION_UNITS[rel][1]}), administers),
    "users.deactivate": Row(lambda w, rel: ("POST", f"/api/v1/admin/users/{target_user(rel)}/deactivate", {}),
                            administers, undo=reactivate_target),
    # An allowed call gives a certificate to a user without the case handler role: 422 (nothing changes).
    "users.set_certificate": Row(lambda w, rel: ("PUT", f"/api/v1/admin/users/matrix_supervisor_{RELATION_UNITS[rel][1]}"
                                                        "/certificate", {"number": "矩阵", "valid_to": "2029-12-31"}),
                                 administers),
    "users.activate": Row(lambda w, rel: ("POST", f"/api/v1/admin/users/{target_user(rel)}/activate", {}),
                          administers),
    # An allowed call records what the target user already has (no qualification, no day): nothing changes.
    "users.record_legal_reviewer": Row(lambda w, rel: (
        "PUT", f"/api/v1/admin/users/{target_user(rel)}/legal-review",
        {"legal_qualification": False, "legal_review_appointed_on": None}), administers),
    # An allowed call sets what the target (not a head) already has: nothing changes.
    "users.set_presiding_head": Row(lambda w, rel: (
        "PUT", f"/api/v1/admin/users/{target_user(rel)}/presiding", {"presides_over_work": False}), administers),
    "users.set_unit_collective_practice": Row(lambda w, rel: (
        "PUT", f"/api/v1/admin/units/{RELATION_UNITS[rel][1]}/collective-discussion",
        {"collective_discussion_every_case": False}), administers),
})

RECTIFICATION = {"party_name": "矩阵整改企业", "party_type": "organisation", "legal_basis": "安全生产法第六十五条",
                 "hidden_dangers": [{"description": "消防通道堵塞"}], "required_actions": "清理通道",
                 "rectify_by": "2099-12-31"}



def simple_record(unit):
    return {"party_name": "矩阵五金店", "party_type": "organisation", "place": "现场", "violation_description": "未设警示标志",
            "provision": "安全生产法第三十五条", "facts": "现场发现",
            "officers": [{"username": f"matrix_case_handler_{unit}", "certificate_number": "1"},
                         {"username": f"matrix_target_{unit}", "certificate_number": "2"}]}


def simple_path(w, rel, suffix=""):
    return f"/api/v1/simple-penalties/{w.objects['simple'][RELATION_UNITS[rel][1]]}{suffix}"


ACCESS.update({
    # -- simple procedure (简易程序): the handler opens a record in their own unit; only a handler of the record's
    # unit decides or converts it (the decide task's role and unit). Allowed calls are refused after the access
    # check: 5,000 yuan on the spot (422), a blank reason (422).
    "simple_penalties.open_record": Row(lambda w, rel: ("POST", "/api/v1/simple-penalties",
                                                        simple_record(RELATION_UNITS[rel][0])), only("case_handler")),
    "simple_penalties.penalty_list": Row(lambda w, rel: ("GET", "/api/v1/simple-penalties?limit=100", None),
                                         views_case, sees=sees_item("simple")),
    "simple_penalties.penalty_detail": Row(lambda w, rel: ("GET", simple_path(w, rel), None), views_case),
    "simple_penalties.decide": Row(lambda w, rel: ("POST", simple_path(w, rel, "/decision"), {
        "facts_certain": True, "legal_basis": "安全生产法第九十九条", "penalty_kind": "fine", "fine_amount": 5000,
        "certificates_shown": True, "decided_at": "2026-10-12T09:00:00+08:00", "payment_method": "bank"}),
        lambda role, rel: role == "case_handler" and rel == "own"),
    "simple_penalties.convert": Row(lambda w, rel: ("POST", simple_path(w, rel, "/conversion"), {"reason": " "}),
                                    lambda role, rel: role == "case_handler" and rel == "own"),
})


def bad_benchmark_sheet(w, rel):
    import io
    # a sheet with a wrong category: an allowed administrator gets 422 after the access check, nothing imported
    return ("POST", "/api/v1/discretion-benchmarks", Multipart(
        file=(io.BytesIO("类别,编号,违法行为\n未知,X,Y\n".encode()), "b.csv"), jurisdiction="530000", title="矩阵",
        effective_from="2026-01-01"))


ACCESS.update({
    # -- discretion benchmarks (裁量基准): published documents every user reads; administrators import their
    # province's; a case's suggestions follow the case's visibility.
    "discretion.import_benchmark": Row(bad_benchmark_sheet, only("admin")),
    "discretion.benchmark_list": Row(lambda w, rel: ("GET", "/api/v1/discretion-benchmarks", None), anyone),
    "discretion.benchmark_template": Row(lambda w, rel: ("GET", "/api/v1/discretion-benchmarks/template.csv", None),
                                         anyone),
    "discretion.benchmark_detail": Row(lambda w, rel: ("GET", "/api/v1/discretion-benchmarks/999999", None), anyone),
    "discretion.case_discretion": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/discretion", None),
                                      views_case),
    # -- reconsiderations and lawsuits (行政复议/行政诉讼): recorded by the case's own handlers and heads (the
    # world's cases have no decision yet: 409 after the access check); results by its heads (a revocation without
    # its content: 422 after the access check).
    "challenges.record_challenge": Row(lambda w, rel: ("POST", f"/api/v1/cases/{w.case(rel)['id']}/challenges", {
        "kind": "reconsideration", "body": "人民政府", "filed_at": "2026-10-12T09:00:00+08:00"}),
        lambda role, rel: role in ("case_handler", "supervisor", "principal_head") and rel == "own"),
    "challenges.case_challenges": Row(lambda w, rel: ("GET", f"/api/v1/cases/{w.case(rel)['id']}/challenges", None),
                                      views_case),
    "challenges.challenge_list": Row(lambda w, rel: ("GET", "/api/v1/challenges?limit=100", None), views_case,
                                     sees=sees_item("challenge")),
    "challenges.record_result": Row(lambda w, rel: (
        "POST", f"/api/v1/challenges/{w.objects['challenge'][RELATION_UNITS[rel][1]]}/result",
        {"result": "revoked", "decided_at": "2026-10-12T09:00:00+08:00", "note": ""}),
        lambda role, rel: role in ("supervisor", "principal_head") and rel == "own"),
})


# -- the enterprise registry, plans and draws (生产经营单位, 年度监督检查计划, 双随机) --------------------------------
EDITORS = ("case_handler", "supervisor", "principal_head", "admin")
PLANNERS = ("supervisor", "principal_head")


def edits_registry(role, rel):
    # enterprises.operations.require_editor: officers who keep the registry, in the units they see.
    return role in EDITORS and (rel == "own" or (rel == "subordinate" and role in OVERSEERS))


def classifies(role, rel):
    return role in ("supervisor", "principal_head", "admin") and rel in OWN_OR_BELOW


def plans_own(role, rel):
    return role in PLANNERS and rel == "own"


def registry_object(kind):
    return lambda w, rel: w.objects[kind][RELATION_UNITS[rel][1]]


def registry_import(w, rel):
    import io
    body = "单位名称,统一社会信用代码,行政区划代码,行业代码,主要负责人\n矩阵导入企业,91532301MA00000010,532301,C2614,张三\n"
    return ("POST", "/api/v1/enterprises/import",
            Multipart(unit_code=RELATION_UNITS[rel][1], file=(io.BytesIO(body.encode()), "矩阵.csv")))


_ENTERPRISE = registry_object("enterprise")
_PLAN = registry_object("plan")
_DRAW = registry_object("draw")
_ITEM = registry_object("draw_item")

ACCESS.update({
    "enterprises.search": Row(lambda w, rel: ("GET", "/api/v1/enterprises?limit=200", None), views_case,
                              sees=sees_item("enterprise")),
    # A second registration of the same credit code answers 409 after the check (nothing changes).
    "enterprises.register": Row(lambda w, rel: ("POST", "/api/v1/enterprises", {
        "name": "矩阵登记企业", "credit_code": w.credit_codes[RELATION_UNITS[rel][1]], "region_code": "532301",
        "industry_code": "C2614", "principal": "矩阵", "unit_code": RELATION_UNITS[rel][1]}), edits_registry),
    # The file has a row with a bad check character: an allowed call is answered 422 and imports nothing.
    "enterprises.import_file": Row(registry_import, edits_registry),
    "enterprises.import_template": Row(lambda w, rel: ("GET", "/api/v1/enterprises/import/template.csv", None),
                                       anyone),
    "enterprises.scheme": Row(lambda w, rel: ("GET", "/api/v1/enterprises/scheme", None), anyone),
    # Only a province-level administrator sets the province's scheme; the matrix has no province-level user.
    "enterprises.set_scheme": Row(lambda w, rel: ("PUT", "/api/v1/enterprises/scheme", {
        "name": "矩阵方案", "levels": [{"code": "A"}]}), lambda role, rel: False),
    "enterprises.detail": Row(lambda w, rel: ("GET", f"/api/v1/enterprises/{_ENTERPRISE(w, rel)}", None), views_case),
    "enterprises.update": Row(lambda w, rel: ("PATCH", f"/api/v1/enterprises/{_ENTERPRISE(w, rel)}",
                                              {"address": "矩阵路 1 号"}), edits_registry),
    # The enterprise is of class A already: an allowed call gets 422 (no change).
    "enterprises.classify": Row(lambda w, rel: ("POST", f"/api/v1/enterprises/{_ENTERPRISE(w, rel)}/classification",
                                                {"classification": "A", "reason": "矩阵"}), classifies),
    # The same licence twice: 409 after the check.
    "enterprises.add_licence": Row(lambda w, rel: ("POST", f"/api/v1/enterprises/{_ENTERPRISE(w, rel)}/licences", {
        "type": "安全生产许可证", "number": "矩阵001", "valid_from": "2026-01-01", "valid_to": "2028-12-31"}),
        edits_registry),
    "enterprises.set_licence_status": Row(lambda w, rel: (
        "PATCH", f"/api/v1/enterprises/licences/{registry_object('licence')(w, rel)}", {"status": "valid"}),
        edits_registry),
    # A unit's plan: its 负责人 draft it (the year has one already: 409), its 正职负责人 approves (done: 409), they file
    # it (done: 409); the unit above acknowledges it; everyone who sees the unit reads it.
    "inspection_plans.create_plan": Row(lambda w, rel: ("POST", "/api/v1/inspection-plans", {
        "year": 2026, "targets": [{"kind": "general", "count": 10}]}), only(*PLANNERS)),
    "inspection_plans.plan_list": Row(lambda w, rel: ("GET", "/api/v1/inspection-plans?limit=200", None), views_case,
                                      sees=sees_item("plan")),
    "inspection_plans.plan_detail": Row(lambda w, rel: ("GET", f"/api/v1/inspection-plans/{_PLAN(w, rel)}", None),
                                        views_case),
    "inspection_plans.plan_update": Row(lambda w, rel: ("PATCH", f"/api/v1/inspection-plans/{_PLAN(w, rel)}",
                                                        {"notes": "矩阵"}), plans_own),
    "inspection_plans.plan_approve": Row(lambda w, rel: ("POST", f"/api/v1/inspection-plans/{_PLAN(w, rel)}/approve",
                                                         {}), lambda role, rel: role == "principal_head" and rel == "own"),
    "inspection_plans.plan_file": Row(lambda w, rel: ("POST", f"/api/v1/inspection-plans/{_PLAN(w, rel)}/file", {}),
                                      plans_own),
    "inspection_plans.plan_acknowledge": Row(
        lambda w, rel: ("POST", f"/api/v1/inspection-plans/{_PLAN(w, rel)}/acknowledge", {}),
        lambda role, rel: role in PLANNERS and rel == "subordinate"),
    "inspection_plans.plan_progress": Row(
        lambda w, rel: ("GET", f"/api/v1/inspection-plans/{_PLAN(w, rel)}/progress", None), views_case),
    # A draw in the caller's own unit (no object): its 负责人 draw; the sibling county has no companies (422).
    "inspection_plans.make_draw": Row(lambda w, rel: ("POST", "/api/v1/draws", {"company_count": 1}), only(*PLANNERS)),
    "inspection_plans.draw_list": Row(lambda w, rel: ("GET", "/api/v1/draws?limit=200", None), views_case,
                                      sees=sees_item("draw")),
    "inspection_plans.draw_detail": Row(lambda w, rel: ("GET", f"/api/v1/draws/{_DRAW(w, rel)}", None), views_case),
    # Published at the draw: 409 after the check.
    "inspection_plans.draw_publish": Row(lambda w, rel: ("POST", f"/api/v1/draws/{_DRAW(w, rel)}/publish", {}),
                                         plans_own),
    # The named user is not on the item: 422 after the check (the officer themself may also ask; no matrix user is
    # a certified officer on an item).
    "inspection_plans.replace_officer": Row(
        lambda w, rel: ("POST", f"/api/v1/draw-items/{_ITEM(w, rel)}/replace-officer",
                        {"user_id": 999999, "reason": "矩阵回避"}), plans_own),
    # A day in the future: 422 after the check.
    "inspection_plans.draw_item_inspected": Row(
        lambda w, rel: ("POST", f"/api/v1/draw-items/{_ITEM(w, rel)}/inspected", {"day": "2099-01-01"}), plans_own),
})

SUSPENSION = {"party_name": "矩阵停产企业", "legal_basis": "安全生产法第一百零二条", "scope": "全厂",
              "suspend_until": "2030-12-31"}
HEADS = ("supervisor", "principal_head")


def suspension_path(w, rel, suffix=""):
    return f"/api/v1/suspensions/{w.objects['suspension'][RELATION_UNITS[rel][1]]}{suffix}"


ACCESS.update({
    # -- production suspensions (责令停产停业整顿) and licence actions: ordered by handlers in their own unit; the
    # application is the task of the unit's handlers (a time in the future: 422 after the check); lifting, closure
    # requests and licence actions are the heads' (nothing to lift: 409; an unsupported ground: 422; a 暂扣
    # without its period: 422).
    "suspensions.order_suspension": Row(lambda w, rel: ("POST", "/api/v1/suspensions", SUSPENSION), only("case_handler")),
    "suspensions.suspension_list": Row(lambda w, rel: ("GET", "/api/v1/suspensions?limit=100", None), views_case,
                                       sees=sees_item("suspension")),
    "suspensions.suspension_detail": Row(lambda w, rel: ("GET", suspension_path(w, rel), None), views_case),
    "suspensions.apply_to_resume": Row(lambda w, rel: ("POST", suspension_path(w, rel, "/application"),
                                                       {"applied_at": "2099-01-01T09:00:00+08:00"}),
                                       lambda role, rel: role == "case_handler" and rel == "own"),
    "suspensions.lift": Row(lambda w, rel: ("POST", suspension_path(w, rel, "/lift"),
                                            {"lifted_at": "2026-10-12T09:00:00+08:00"}),
                            lambda role, rel: role in HEADS and rel == "own"),
    "suspensions.request_closure": Row(lambda w, rel: ("POST", suspension_path(w, rel, "/closure-request"), {
        "ground": "still_unsafe", "government": "人民政府", "reason": "矩阵"}),
        lambda role, rel: role in HEADS and rel == "own"),
    "suspensions.closure_answer": Row(lambda w, rel: ("POST", suspension_path(w, rel, "/closure-answer"), {
        "approved": True, "answered_at": "2026-10-12T09:00:00+08:00"}),
        lambda role, rel: role in HEADS + ("case_handler",) and rel == "own"),
    "suspensions.licence_action": Row(lambda w, rel: (
        "POST", f"/api/v1/licences/{w.objects['licence'][RELATION_UNITS[rel][1]]}/actions",
        {"action": "suspend", "legal_basis": "矩阵", "suspend_until": None}),
        lambda role, rel: role in HEADS and rel == "own"),
    "suspensions.licence_action_list": Row(lambda w, rel: ("GET", "/api/v1/licence-actions", None), anyone),
})

def credit_path(w, rel, suffix):
    return f"/api/v1/credit-entries/{w.objects['credit'][RELATION_UNITS[rel][1]]}{suffix}"


ACCESS.update({
    # -- the credit list (严重失信主体名单): entered by the deciding unit's heads (the world's cases have no decision:
    # 409 after the check); a repair application recorded by the unit's officers (too early: 409), decided by its
    # heads (nothing applied for: 409).
    "credit.list_company": Row(lambda w, rel: ("POST", "/api/v1/credit-entries", {
        "case_id": w.case(rel)["id"], "ground": "other", "facts": "矩阵"}),
        lambda role, rel: role in HEADS and rel == "own"),
    "credit.entry_list": Row(lambda w, rel: ("GET", "/api/v1/credit-entries?limit=100", None), views_case,
                             sees=sees_item("credit")),
    "credit.repair_application": Row(lambda w, rel: ("POST", credit_path(w, rel, "/repair-application"), {
        "applied_at": "2026-10-12T09:00:00+08:00", "statement": "矩阵"}),
        lambda role, rel: role in HEADS + ("case_handler",) and rel == "own"),
    "credit.repair_decision": Row(lambda w, rel: ("POST", credit_path(w, rel, "/repair-decision"), {"approved": True}),
                                  lambda role, rel: role in HEADS and rel == "own"),
})

def report_path(w, rel, suffix=""):
    return f"/api/v1/typical-reports/{w.objects['report'][RELATION_UNITS[rel][1]]}{suffix}"


ACCESS.update({
    # -- typical cases (典型案例): marked by heads who see the case (the world's cases are open: 409 after the
    # check); a unit's report is opened by its heads and submitted as the supervisors' task (no typical case yet:
    # 422 after the check); read and exported by whoever sees the unit.
    "typical.mark_typical": Row(lambda w, rel: ("POST", "/api/v1/typical-cases", {
        "case_id": w.case(rel)["id"], "title": "矩阵", "write_up": "矩阵"}),
        lambda role, rel: role in HEADS and rel in OWN_OR_BELOW),
    "typical.typical_list": Row(lambda w, rel: ("GET", "/api/v1/typical-cases", None), anyone),
    "typical.open_report": Row(lambda w, rel: ("POST", "/api/v1/typical-reports", {}), only(*HEADS)),
    "typical.report_list": Row(lambda w, rel: ("GET", "/api/v1/typical-reports?limit=200", None), views_case,
                               sees=sees_item("report")),
    "typical.report_detail": Row(lambda w, rel: ("GET", report_path(w, rel), None), views_case),
    "typical.submit_report": Row(lambda w, rel: ("POST", report_path(w, rel, "/submit"), {}),
                                 lambda role, rel: role == "supervisor" and rel == "own"),
    "typical.export_report": Row(lambda w, rel: ("GET", report_path(w, rel, "/export?format=csv"), None), views_case),
    # An administrator of the province sets the minimum per level (the matrix's are county or city ones of 530000);
    # the allowed call writes the default values again.
    "typical.set_minimum": Row(lambda w, rel: ("PUT", "/api/v1/typical-reports/minimum",
                                               {"county": 1, "city": 1, "province": 1}), only("admin")),
})

# Not governed by role and unit: why, per endpoint.
PUBLIC = {
    "auth.create_token": "logging in: anyone may try (throttled per username and source; tests/test_trust_throttling.py)",
    "auth.logout": "ends the caller's own token or session, nobody else's (tests/test_trust_sessions.py)",
    "api-docs.openapi_json": "the OpenAPI document",
    "api-docs.openapi_swagger_ui": "the API explorer page",
    "swagger_ui_static": "static files of the API explorer",
    "static": "static files of the web UI",
    "favicon": "the site icon",
    "web.login": "the login form",
    "web.logout": "logging out (CSRF-protected; tests/test_auth_and_access.py)",
    "web.inbox": "the web inbox shows the logged-in user's own queues only (session login)",
    # Public disclosure (行政执法公示): published records for everyone, by law; drafts and withdrawn ones never show
    # (tests/test_disclosure.py).
    "public.public_disclosures": "published disclosures, the public API",
    "public.public_disclosure": "one published disclosure, the public API",
    "public_credit.public_credit_list": "the public credit list (严重失信主体名单): entries within their period only "
                                        "(tests/test_credit.py)",
    "web.credit_public": "the public credit list page (tests/test_credit.py, tests/browser)",
    "gongshi.disclosure_list": "the public disclosure pages /gongshi/",
    "gongshi.disclosure_detail": "the public disclosure pages /gongshi/",
    # 双随机一公开: published draws (seed, candidates, result) for everyone; unpublished ones answer 404
    # (tests/test_enterprise_registry.py).
    "public_draws.public_draws": "published random draws, the public API",
    "public_draws.public_draw": "one published random draw, the public API",
    "gongshi.draw_list": "the public pages of published random draws /gongshi/draws",
    "gongshi.draw_detail": "the public pages of published random draws /gongshi/draws",
    "bpmn_js_asset": "the bpmn-js viewer's script and styles",
    "web.static": "static files of the web pages",
    # For load balancers, systemd and Prometheus (tests/test_ops_health.py, tests/test_ops_metrics.py).
    "ops.healthz": "liveness: says only ok",
    "ops.readyz": "readiness: says only which check failed",
    "ops.metrics": "Prometheus metrics: the WFS_METRICS_TOKEN or an allowed network, no user login",
}

# The web pages (web.*) log in by session and call the same operations as the API endpoints above (cases.queries,
# tasks, committee, evidence, transfers ...), so role and unit are enforced once, in the operations, and the API rows
# cover them; the pages' own refusals are tested in tests/test_web_*.py. A web endpoint calling no operation yet
# would escape both: when adding one, call the operation, never query the models directly.
WEB_PAGES = "web."


def test_every_endpoint_has_a_row_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    web_pages = {e for e in endpoints if e.startswith(WEB_PAGES)}
    missing = sorted(endpoints - set(ACCESS) - set(PUBLIC) - web_pages)
    assert not missing, (f"endpoints without a row in tests/test_access_matrix.py ACCESS (or PUBLIC): {missing}; "
                         "add one saying which roles and unit relations are allowed")
    stale = sorted((set(ACCESS) | set(PUBLIC)) - endpoints)
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


class World:
    """Two cases waiting at 立案登记 (one in the county, one in the city), and one user per role and unit."""

    def __init__(self, app, login):
        from workflow_service.extensions import db
        from workflow_service.modules.users.models import Unit, User
        from workflow_service.modules.users.operations import create_unit, create_user, issue_token

        with app.app_context():
            if db.session.scalar(sa.select(Unit).filter_by(code=SIBLING)) is None:
                create_unit(None, code=SIBLING, name="南华县应急管理局", level="county", parent_code=CITY)
            self.tokens = {}
            for unit in (COUNTY, CITY, SIBLING):
                if db.session.scalar(sa.select(User).filter_by(username=f"matrix_target_{unit}")) is None:
                    create_user(None, username=f"matrix_target_{unit}", password=PASSWORD,
                                display_name="矩阵停用对象", unit_code=unit, roles=["case_handler"])
                for role in ROLES:
                    username = f"matrix_{role}_{unit}"
                    user = db.session.scalar(sa.select(User).filter_by(username=username))
                    if user is None:
                        user = create_user(None, username=username, password=PASSWORD, display_name=username,
                                           unit_code=unit, roles=[role], legal_qualification=role == "legal_reviewer")
                    self.tokens[(role, unit)] = issue_token(user)[0]
            db.session.commit()
        self.client = app.test_client()
        self.cases = {}
        for unit in (COUNTY, CITY):
            response = self.call(("case_handler", unit), "POST", "/api/v1/cases", {
                "source": "inspection", "party_name": f"{unit}某企业", "party_type": "organisation", "summary": "检查"})
            assert response.status_code == 201, response.get_json()
            case = response.get_json()
            tasks = self.call(("case_handler", unit), "GET",
                              f"/api/v1/process-instances/{case['instance_id']}/tasks").get_json()
            (case["task"],) = [t for t in tasks if t["bpmn_id"] == "draft_filing"]
            self.cases[unit] = case
        self.fixture_files = {p.name: p.read_text(encoding="utf-8") for p in FIXTURE_DIR.glob("*")
                              if p.suffix in (".bpmn", ".dmn")}
        self.objects = {"evidence": {}, "order": {}, "transfer": {}, "disclosure": {}, "ballot": {}, "document": {},
                        "inspection": {}, "hazard": {}, "simple": {}, "challenge": {}, "suspension": {}, "credit": {},
                        "report": {}}
        for unit, case in self.cases.items():
            handler = ("case_handler", unit)
            method, path, body = evidence_upload(self, "own" if unit == COUNTY else "parent")
            response = self.call(handler, method, path, body)
            assert response.status_code == 201, response.get_json()
            self.objects["evidence"][unit] = response.get_json()["id"]
            response = self.call(handler, "POST", "/api/v1/rectifications", RECTIFICATION)
            assert response.status_code == 201, response.get_json()
            self.objects["order"][unit] = response.get_json()["id"]
            response = self.call(handler, "POST", "/api/v1/transfers",
                                 {"party_name": f"{unit}移送企业", "party_type": "organisation", "summary": "涉嫌犯罪"})
            assert response.status_code == 201, response.get_json()
            self.objects["transfer"][unit] = response.get_json()["id"]
            response = self.call(("supervisor", unit), "POST", "/api/v1/typical-reports", {})
            assert response.status_code == 201, response.get_json()
            self.objects["report"][unit] = response.get_json()["id"]
            response = self.call(handler, "POST", "/api/v1/suspensions", SUSPENSION)
            assert response.status_code == 201, response.get_json()
            self.objects["suspension"][unit] = response.get_json()["id"]
            response = self.call(handler, "POST", "/api/v1/simple-penalties", simple_record(unit))
            assert response.status_code == 201, response.get_json()
            self.objects["simple"][unit] = response.get_json()["id"]
            response = self.call(handler, "POST", f"/api/v1/cases/{case['id']}/documents", {"doc_type": "filing_approval"})
            assert response.status_code == 201, response.get_json()
            self.objects["document"][unit] = response.get_json()["id"]
        with app.app_context():
            self._seed_review_objects(db)
        self._seed_registry_objects(app)

    def _seed_registry_objects(self, app):
        """Per unit (county, city): an enterprise of class A with a licence, an approved plan filed with the unit
        above, and a published draw of that enterprise with two certified officers (no matrix user among them)."""
        from datetime import date

        from workflow_service.extensions import db
        from workflow_service.modules.system.codes import make_credit_code
        from workflow_service.modules.users.models import User
        from workflow_service.modules.users.operations import create_user

        with app.app_context():
            for unit in (COUNTY, CITY):
                for letter in "AB":
                    username = f"matrix_inspector{letter}_{unit}"
                    user = db.session.scalar(sa.select(User).filter_by(username=username))
                    if user is None:
                        user = create_user(None, username=username, password=PASSWORD, display_name=username,
                                           unit_code=unit, roles=["case_handler"])
                    user.certificate_number = f"{unit}M{letter}"
                    user.certificate_valid_to = date(2099, 12, 31)
            db.session.commit()
        self.credit_codes = {COUNTY: make_credit_code("91532301MX0000001"), CITY: make_credit_code("91532300MX0000002"),
                             SIBLING: make_credit_code("91532302MX0000003")}
        for kind in ("enterprise", "licence", "plan", "draw", "draw_item"):
            self.objects[kind] = {}
        for unit in (COUNTY, CITY):
            response = self.call(("case_handler", unit), "POST", "/api/v1/enterprises", {
                "name": f"{unit}矩阵企业", "credit_code": self.credit_codes[unit], "region_code": unit,
                "industry_code": "C2614", "principal": "矩阵", "classification": "A",
                "licences": [{"type": "安全生产许可证", "number": "矩阵001", "valid_from": "2026-01-01",
                              "valid_to": "2028-12-31"}]})
            assert response.status_code == 201, response.get_json()
            self.objects["enterprise"][unit] = response.get_json()["id"]
            self.objects["licence"][unit] = response.get_json()["licences"][0]["id"]
            response = self.call(("supervisor", unit), "POST", "/api/v1/inspection-plans", {
                "year": 2026, "targets": [{"kind": "key", "classification": "A", "times_per_company": 2}]})
            assert response.status_code == 201, response.get_json()
            plan = self.objects["plan"][unit] = response.get_json()["id"]
            for who, action in ((("principal_head", unit), "approve"), (("supervisor", unit), "file")):
                response = self.call(who, "POST", f"/api/v1/inspection-plans/{plan}/{action}", {})
                assert response.status_code == 200, response.get_json()
            response = self.call(("supervisor", unit), "POST", "/api/v1/draws", {"company_count": 1, "seed": "matrix"})
            assert response.status_code == 201, response.get_json()
            self.objects["draw"][unit] = response.get_json()["id"]
            self.objects["draw_item"][unit] = response.get_json()["items"][0]["id"]

    def _seed_review_objects(self, db):
        """An open ballot (its committee member seated and chairing) and a draft disclosure for each case: the
        rows are written directly, as reaching them through the process takes a whole case."""
        from datetime import date, datetime, timedelta, timezone

        from workflow_service.modules.cases.models import Case
        from workflow_service.modules.challenges.models import LegalChallenge
        from workflow_service.modules.credit.models import CreditEntry
        from workflow_service.modules.disclosure.models import Disclosure
        from workflow_service.modules.review.models import Ballot, BallotSeat, Committee
        from workflow_service.modules.users.models import User

        now = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)
        for unit, data in self.cases.items():
            case = db.session.get(Case, data["id"])
            member = db.session.scalar(sa.select(User).filter_by(username=f"matrix_committee_member_{unit}"))
            committee = db.session.scalar(sa.select(Committee).filter_by(unit_id=case.unit_id))
            if committee is None:
                committee = Committee(unit_id=case.unit_id, chair_id=member.id, updated_at=now)
                db.session.add(committee)
                db.session.flush()
            ballot = Ballot(case_id=case.id, committee_id=committee.id, round=1, proposal="矩阵表决",
                            rules={"chair_id": member.id, "quorum": "2/3", "pass_ratio": "1/2",
                                   "tie_rule": "chair_casting", "member_count": 1},
                            opened_by_id=member.id, opened_at=now, deadline_at=now + timedelta(days=3650))
            ballot.seats = [BallotSeat(user_id=member.id, status="eligible")]
            disclosure = Disclosure(case_id=case.id, instance_id=case.instance_id, unit_id=case.unit_id,
                                    decision_number=f"矩阵罚〔2026〕{unit}号", party_name=case.party_name,
                                    party_type=case.party_type, violation="违法行为", legal_basis="安全生产法",
                                    penalty="罚款", deciding_body="应急管理局", decision_date=date(2026, 10, 12),
                                    decided_at=now, drafted_at=now)
            db.session.add_all([ballot, disclosure])
            db.session.flush()
            self.objects["ballot"][unit], self.objects["disclosure"][unit] = ballot.id, disclosure.id
            self._seed_inspection(db, unit, case, now)
            challenge = LegalChallenge(case_id=case.id, unit_id=case.unit_id, kind="reconsideration", body="人民政府",
                                       filed_at=now, late=False, note="", status="pending", recorded_at=now)
            db.session.add(challenge)
            db.session.flush()
            self.objects["challenge"][unit] = challenge.id
            entry = CreditEntry(unit_id=case.unit_id, case_id=case.id, party_name=case.party_name, ground="other",
                                facts="矩阵", listed_at=now, expires_at=now + timedelta(days=1000),
                                repair_from=now + timedelta(days=365), status="listed")
            db.session.add(entry)
            db.session.flush()
            self.objects["credit"][unit] = entry.id
        db.session.commit()

    def _seed_inspection(self, db, unit, case, now):
        """An inspection with its matrix handler among the inspectors, and a major hidden danger supervised by the
        unit above, being rectified (rows written directly; the instance is the case's, only its id is read)."""
        from workflow_service.modules.inspections.models import HiddenDanger, Inspection
        from workflow_service.modules.users.models import Unit

        parent_id = db.session.get(Unit, case.unit_id).parent_id
        inspection = Inspection(inspection_number=f"{unit}-JC-MATRIX", instance_id=case.instance_id, unit_id=case.unit_id,
                                company_name="矩阵企业", industry="general", source="routine", status="assigned",
                                inspectors=[f"matrix_case_handler_{unit}", "handler1"], created_at=now,
                                created_by_id=case.created_by_id)
        db.session.add(inspection)
        db.session.flush()
        hazard = HiddenDanger(ledger_number=f"{unit}-JC-MATRIX-YH01", inspection_id=inspection.id, unit_id=case.unit_id,
                              supervising_unit_id=parent_id, company_name="矩阵企业", description="矩阵隐患",
                              severity="major", provision="《安全生产法》", measure="on_site_measure",
                              status="rectifying", found_at=now)
        db.session.add(hazard)
        db.session.flush()
        self.objects["inspection"][unit], self.objects["hazard"][unit] = inspection.id, hazard.id

    def document(self, rel, suffix=""):
        return f"/api/v1/cases/{self.case(rel)['id']}/documents/{self.objects['document'][RELATION_UNITS[rel][1]]}{suffix}"

    def ballot(self, rel):
        return self.objects["ballot"][RELATION_UNITS[rel][1]]

    def unit_id(self, rel):
        return self.case(rel)["unit_id"]

    def case(self, rel):
        return self.cases[RELATION_UNITS[rel][1]]

    def task(self, rel):
        return self.case(rel)["task"]

    def call(self, who, method, path, body=None):
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if isinstance(body, Multipart):
            return self.client.open(path, method=method, data=dict(body), headers=headers,
                                    content_type="multipart/form-data")
        return self.client.open(path, method=method, json=body, headers=headers)


def test_every_endpoint_answers_each_role_and_unit_as_the_access_table_says(app, login):
    world = World(app, login)
    wrong = []
    for endpoint, row in ACCESS.items():
        for role in ROLES:
            for rel in RELATIONS:
                who = (role, RELATION_UNITS[rel][0])
                method, path, body = row.request(world, rel)
                response = world.call(who, method, path, body)
                allowed = row.expect(role, rel)
                status = response.status_code
                cell = f"{endpoint} {role}@{rel}: {method} {path} -> {status}"
                if status >= 500 or status == 401:
                    wrong.append(f"{cell} (never expected)")
                elif row.sees is not None:
                    if status != 200:
                        wrong.append(f"{cell}, expected 200")
                    elif row.sees(world, rel, response.get_json()) != allowed:
                        wrong.append(f"{cell}, {'missing' if allowed else 'shows'} the object")
                elif allowed and status == 403:
                    wrong.append(f"{cell}, expected allowed: {response.get_json()}")
                elif not allowed and status != 403:
                    wrong.append(f"{cell}, expected 403: {response.get_json()}")
                elif not allowed and response.get_json().get("code") not in FORBIDDEN_CODES:
                    wrong.append(f"{cell}, refused without the forbidden error shape: {response.get_json()}")
                if allowed and status < 300 and row.undo is not None:
                    row.undo(world, rel, _As(world, who))
    assert not wrong, "access matrix differs from the table:\n" + "\n".join(wrong)


# 403 codes of the one error shape: the generic one and those naming why (core.errors.Forbidden(code=...)).
FORBIDDEN_CODES = ("forbidden", "claimed_by_other", "not_a_member", "not_the_chair")


class _As:
    """A client acting as one matrix user (for undo steps)."""

    def __init__(self, world, who):
        self.world, self.who = world, who

    def post(self, path, json=None):
        return self.world.call(self.who, "POST", path, json or {})
