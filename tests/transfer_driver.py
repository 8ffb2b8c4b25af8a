"""Drives rectification orders and criminal transfers through the HTTP API as the users who do each step."""
from __future__ import annotations

from .case_driver import CaseDriver

ORDER = {
    "party_name": "楚雄某烟花爆竹有限公司", "party_type": "organisation",
    "legal_basis": "《安全生产法》第六十五条第一款第（三）项",
    "hidden_dangers": [{"description": "中转库超量储存烟花爆竹成品", "major": True,
                        "provision": "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准》"}],
    "required_actions": "立即停止使用中转库，清运超量产品，整改后申请复查",
}
STOP = {"kind": "equipment", "scope": "中转库停止使用"}
REPORT = {"team": ["handler1", "handler2"], "suspected_crime": "危险作业罪", "situation": "2",
          "facts": "责令停止使用中转库后仍继续超量储存", "real_danger_facts": "库内存放成品超核定量三倍，邻近居民区",
          "report": "建议移送公安机关"}
MATERIALS = {"transfer_letter": True, "investigation_report": True, "items_list": True, "appraisal_reports": True,
             "other_materials": True, "administrative_decisions": True}


class TransferDriver(CaseDriver):
    """Adds orders and transfers to the case driver (clock, clients, tasks of any process instance)."""

    order = None
    transfer = None

    # -- tasks of any instance ----------------------------------------------------------------------------
    def tasks_of(self, instance_id, username="supervisor1"):
        items = self.client(username).get("/api/v1/tasks?scope=available").get_json()["items"]
        return [t for t in items if t["instance_id"] == instance_id]

    def do(self, instance_id, bpmn_id, data, username, expect=200):
        client = self.client(username)
        tasks = [t for t in client.get("/api/v1/tasks?scope=available").get_json()["items"]
                 + client.get("/api/v1/tasks?scope=mine").get_json()["items"]
                 if t["instance_id"] == instance_id and t["bpmn_id"] == bpmn_id]
        assert tasks, f"{bpmn_id} not open for {username}"
        response = client.post(f"/api/v1/tasks/{tasks[0]['id']}/complete", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    # -- rectification --------------------------------------------------------------------------------------
    def issue(self, rectify_by, expect=201, **overrides):
        response = self.client("handler1").post("/api/v1/rectifications",
                                                json={**ORDER, "rectify_by": rectify_by, **overrides})
        assert response.status_code == expect, response.get_json()
        if expect == 201:
            self.order = response.get_json()
        return response.get_json()

    def order_detail(self, username="supervisor1"):
        return self.client(username).get(f"/api/v1/rectifications/{self.order['id']}").get_json()

    def order_steps(self):
        return sorted(t["bpmn_id"] for t in self.order_detail()["open_tasks"])

    def reinspect(self, result, when, **extra):
        data = {"reinspected_at": f"{when}:00+08:00", "reinspection_result": result,
                "reinspection_findings": "现场复查", "reinspectors": ["handler1", "handler2"], **extra}
        return self.do(self.order["instance_id"], "reinspect", data, "handler1")

    # -- transfers ------------------------------------------------------------------------------------------
    def open_transfer(self, expect=201, **body):
        response = self.client("handler1").post("/api/v1/transfers", json={"summary": "涉嫌危险作业罪", **body})
        assert response.status_code == expect, response.get_json()
        if expect == 201:
            self.transfer = response.get_json()
        return response.get_json()

    def transfer_detail(self, username="supervisor1"):
        response = self.client(username).get(f"/api/v1/transfers/{self.transfer['id']}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def transfer_steps(self):
        return sorted(t["bpmn_id"] for t in self.transfer_detail()["open_tasks"])

    def step(self, bpmn_id, data, username="handler1", expect=200):
        return self.do(self.transfer["instance_id"], bpmn_id, data, username, expect)

    def reported_and_approved(self, when="2026-10-12T09:00"):
        self.at(when)
        self.step("draft_transfer_report", REPORT)
        self.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")

    def handed_over(self, when):
        self.at(when)
        self.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                                "procuratorate": "楚雄市人民检察院", "handed_over_at": f"{when}:00+08:00"})

    def police(self, kind, username="handler1", expect=201, **extra):
        response = self.client(username).post(f"/api/v1/transfers/{self.transfer['id']}/police-answers",
                                              json={"kind": kind, **extra})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def alerts(self, username):
        items = self.client(username).get("/api/v1/alerts").get_json()["items"]
        return sorted((a["level"], a["title"].split("：")[0]) for a in items)
