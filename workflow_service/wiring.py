"""How the domains are connected, in one place: what runs after every step and in which order, and which
domain declares the rules, guards and views of which tasks. `create_app` calls `build_registry(settings)`; nothing
registers itself by being imported.

Step handlers run after every saved step (steps/pipeline.py), in this order:
 1. alerts       raise alerts for the step's signals; clear those of the tasks it closed and the waits it ended
 2. cases        the case row follows its process (party, violations, closure)
 3. cases        new decision-deadline timers of a suspended case are parked (a follow-up step)
 4. rectification  the order row follows its process
 5. transfers    the transfer row follows its process; an approval suspends the case, the end of the transfer
                 hands it back (follow-up steps)
 6. transfers    a case that decided on a transfer opens it (a follow-up step)
 7. documents    the documents a step creates are issued (执法文书: numbered, frozen with their SHA-256); the
                 case file is built at archiving (unless WFS_DOCUMENTS_AUTO_ISSUE=0)
 8. disclosure   a penalty decision drafts its disclosure (公示), with the number of the decision as issued
                 (or as reserved, when documents are issued by hand)
 9. simple_procedure  the on-the-spot record follows its process; a conversion files the general case
                 (a follow-up step) and moves the evidence
10. suspensions  the production suspension follows its process; a returned licence is valid again
11. typical      a submitted typical-case report takes the cases it reported
12. inspections  the ledger line (隐患台账) follows its process (sync_hazard); a submitted 现场检查记录 sets the
                 ledger, the order and the case going; an order's re-inspection answers the hidden dangers it covers
                 (follow-up steps)
13. inspections  the statistics' facts (inspection_facts, per unit and month) are added to as each step happens
Alerts come first so that a task a later handler closes or opens sees the alert state of this step.
"""
from __future__ import annotations

from .core.registry import Registry
from .modules.alerts.operations import on_step as alerts_on_step
from .modules.cases import operations as cases
from .modules.cases import rules as case_rules
from .modules.challenges import operations as challenges
from .modules.challenges import queries as challenge_queries
from .modules.disclosure import operations as disclosure
from .modules.discretion import rules as discretion_rules
from .modules.documents import operations as documents
from .modules.inspections import facts as inspection_facts
from .modules.inspections import ledger as inspection_ledger
from .modules.inspections import operations as inspections
from .modules.inspections import queries as inspection_queries
from .modules.inspections import rules as inspection_rules
from .modules.documents import review as document_review
from .modules.rectification import operations as rectification
from .modules.rectification import queries as rectification_queries
from .modules.rectification import rules as rectification_rules
from .modules.review import committee, discussion, legal
from .modules.simple_procedure import operations as simple_procedure
from .modules.simple_procedure import rules as simple_procedure_rules
from .modules.suspensions import operations as suspensions
from .modules.typical import operations as typical
from .modules.transfers import operations as transfers
from .modules.transfers import queries as transfer_queries
from .modules.transfers import rules as transfer_rules


def build_registry(settings: dict) -> Registry:
    registry = Registry()
    registry.connect_step_handler("alerts.raise_and_clear", alerts_on_step)
    registry.connect_step_handler("cases.sync_case", cases.sync_case)
    registry.connect_step_handler("cases.park_new_decision_timers", cases.park_new_decision_timers)
    registry.connect_step_handler("rectification.sync_order", rectification.sync_order)
    registry.connect_step_handler("transfers.sync_transfer", transfers.sync_transfer)
    registry.connect_step_handler("transfers.case_reached_transfer", transfers.case_reached_transfer)
    if settings["DOCUMENTS_AUTO_ISSUE"]:  # off: a department issues its documents by hand from the case page
        registry.connect_step_handler("documents.issue_for_step", documents.issue_for_step)
    registry.connect_step_handler("disclosure.draft_on_decision", disclosure.draft_on_decision)
    registry.connect_step_handler("simple_procedure.sync_penalty", simple_procedure.sync_penalty)
    registry.connect_step_handler("suspensions.sync_suspension", suspensions.sync_suspension)
    registry.connect_step_handler("typical.sync_report", typical.sync_report)
    registry.connect_step_handler("inspections.sync_hazard", inspection_ledger.sync_hazard)
    registry.connect_step_handler("inspections.on_inspection_recorded", inspections.on_inspection_recorded)
    registry.connect_step_handler("inspections.follow_rectification", inspection_ledger.follow_rectification)
    registry.connect_step_handler("inspections.count_facts", inspection_facts.count_facts)

    # Task rules run in this order when one task has several (e.g. approve_decision: no fine while a transfer
    # is pending, then a valid legal-review pass; apply_enforcement: a pending reconsideration or lawsuit, or a
    # decision it annulled, is the reason given before the court window's dates).
    for declared in (challenges.DECLARED, case_rules.DECLARED, transfer_rules.DECLARED, legal.DECLARED,
                     committee.DECLARED, discussion.DECLARED, rectification_rules.DECLARED, disclosure.DECLARED,
                     document_review.DECLARED, inspection_rules.DECLARED, simple_procedure_rules.DECLARED,
                     discretion_rules.DECLARED, suspensions.DECLARED, typical.DECLARED):
        registry.add(declared)

    registry.connect_resume_guard("transfers.refuse_manual_resume", transfers.refuse_manual_resume)
    registry.connect_waiting_describer(transfers.RESULT_MESSAGE, transfer_queries.describe_waiting_for_transfer)
    registry.add_statistics_contributor(rectification_queries.STATISTICS)
    registry.add_statistics_contributor(transfer_queries.STATISTICS)
    registry.add_statistics_contributor(inspection_queries.STATISTICS)
    registry.connect_inspection_count("inspections.recorded", inspection_queries.plan_inspection_count)
    registry.connect_enterprise_history("inspections.history", inspection_queries.enterprise_history)
    registry.add_statistics_contributor(challenge_queries.STATISTICS)
    registry.connect_surcharge_pauses("challenges.surcharge_pauses", challenges.surcharge_pauses)
    return registry
