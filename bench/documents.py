"""Cost of issuing an enforcement document (执法文书) and of building a case file (案卷), beside a task completion
for scale, in the same run:

  completion  complete_task(立案审批 approve_filing) + commit, in process (as bench/completion.py's "service")
  issue       issue_document(行政处罚决定书 by default) + commit, in process: take the number (row lock), gather
              the case's data, render the template to HTML, hash, audit event — what a step waits for
  draw        its PDF drawn from the frozen HTML + commit (pdfs.ensure_pdf: WeasyPrint, hash, audit event) — what
              the scheduler's render_documents job (or the first download) does just after the step
              (completion, issue and draw alternate, so all come from the same stretch of machine time)
  case file   build_case_file + commit for a case with 40 issued documents (cover, contents, merge, page numbers);
              the first build also draws the 40 documents' PDFs, the later ones find them drawn

Targets (issue 18): issue + draw p95 < 300 ms; the 40-document case file < 5 s.

Run:  .venv/bin/python bench/documents.py [--n 100] [--doc-type penalty_decision] [--documents 40]
      scripts/with_postgres.sh .venv/bin/python bench/documents.py     (PostgreSQL from WFS_TEST_POSTGRES_URL)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402


def pct(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def run(url: str, n: int, doc_type: str, documents: int, builds: int) -> dict:
    from workflow_service.extensions import db
    from workflow_service.modules.cases.models import Case
    from workflow_service.modules.documents.casefile import build_case_file
    from workflow_service.modules.documents.operations import issue_document
    from workflow_service.modules.documents.pdfs import ensure_pdf
    from workflow_service.modules.documents.registry import DOCUMENT_TYPES
    from workflow_service.modules.steps.tasks import complete_task

    print(f"\n=== {url.split('://')[0].split('+')[0]}: n = {n}, {doc_type}, case file of {documents} documents ===",
          flush=True)
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    with app.app_context():
        dataset.set_clock(dataset.T0)
        instances = [dataset.run_template("approval", dataset.T0) for _ in range(n + 1)]
        dataset.set_clock(dataset.T0 + timedelta(hours=1))
        approvals = [dataset.ready_task(i, "approve_filing").id for i in instances[1:]]
        # The case the documents are issued on: filing approved, so it holds a party, violations, handlers.
        complete_task(dataset.user("supervisor1"), dataset.ready_task(instances[0], "approve_filing").id,
                      {"filing_approved": True})
        db.session.commit()
        case_id = db.session.scalar(Case.__table__.select().with_only_columns(Case.id)
                                    .where(Case.instance_id == instances[0]))
        handler, supervisor = dataset.user("handler1"), dataset.user("supervisor1")

        started = time.perf_counter()
        ensure_pdf(issue_document(handler, case_id, doc_type))
        db.session.commit()
        first = time.perf_counter() - started  # loads the fonts into this process (once per process and thread)

        completions, issues, draws = [], [], []
        for task_id in approvals:
            started = time.perf_counter()
            complete_task(supervisor, task_id, {"filing_approved": True})
            db.session.commit()
            completions.append(time.perf_counter() - started)
            db.session.expire_all()
            started = time.perf_counter()
            document = issue_document(handler, case_id, doc_type)
            db.session.commit()
            issues.append(time.perf_counter() - started)
            started = time.perf_counter()
            ensure_pdf(document)
            db.session.commit()
            draws.append(time.perf_counter() - started)
            db.session.expire_all()

        # A case file of `documents` documents: every type in turn (the numbered ones get their numbers).
        file_case_id = db.session.scalar(Case.__table__.select().with_only_columns(Case.id)
                                         .where(Case.instance_id == instances[1]))
        types = list(DOCUMENT_TYPES)
        for i in range(documents):
            issue_document(handler, file_case_id, types[i % len(types)])
        db.session.commit()
        case = db.session.get(Case, file_case_id)
        file_times, pages = [], 0
        for _ in range(builds):
            started = time.perf_counter()
            record = build_case_file(case, supervisor, retention="30年", archive_number="BENCH-1")
            db.session.commit()
            file_times.append(time.perf_counter() - started)
            pages = record.pages
            db.session.expire_all()
            case = db.session.get(Case, file_case_id)

    result = {"first_issue": first, "completion_p50": statistics.median(completions),
              "completion_p95": pct(completions, 95), "issue_p50": statistics.median(issues),
              "issue_p95": pct(issues, 95), "issue_max": max(issues), "draw_p50": statistics.median(draws),
              "draw_p95": pct(draws, 95), "whole_p95": pct([a + b for a, b in zip(issues, draws)], 95),
              "case_file_first": file_times[0], "case_file_median": statistics.median(file_times[1:] or file_times),
              "case_file_max": max(file_times), "case_file_pages": pages}
    print(f"  first issue in the process (loads the fonts) {first * 1000:8.1f} ms")
    print(f"  task completion (approve_filing)   p50 {result['completion_p50'] * 1000:7.1f} ms   "
          f"p95 {result['completion_p95'] * 1000:7.1f} ms")
    print(f"  issue {doc_type:<26} p50 {result['issue_p50'] * 1000:7.1f} ms   p95 {result['issue_p95'] * 1000:7.1f} ms"
          f"   max {result['issue_max'] * 1000:7.1f} ms   (the step waits for this)")
    print(f"  draw its PDF                       p50 {result['draw_p50'] * 1000:7.1f} ms   p95 "
          f"{result['draw_p95'] * 1000:7.1f} ms   (after the step)")
    print(f"  issue + draw                       p95 {result['whole_p95'] * 1000:7.1f} ms   (target p95 < 300 ms: "
          f"{'met' if result['whole_p95'] < 0.3 else 'MISSED'})")
    print(f"  issue / completion (p50)           {result['issue_p50'] / result['completion_p50']:5.1f}x")
    print(f"  case file, {documents} documents, {pages} pages: first build (draws the documents) "
          f"{result['case_file_first']:.2f} s, later builds median {result['case_file_median']:.2f} s, "
          f"max {result['case_file_max']:.2f} s over {builds} builds (target < 5 s: "
          f"{'met' if result['case_file_max'] < 5 else 'MISSED'})", flush=True)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100, help="issues (and completions) timed")
    parser.add_argument("--doc-type", default="penalty_decision")
    parser.add_argument("--documents", type=int, default=40, help="documents in the case file")
    parser.add_argument("--builds", type=int, default=3, help="case file builds timed")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    urls = [dataset.default_url()]
    if os.environ.get("WFS_TEST_POSTGRES_URL") and not args.sqlite_only:
        urls.insert(0, os.environ["WFS_TEST_POSTGRES_URL"])
    for url in urls:
        run(url, args.n, args.doc_type, args.documents, args.builds)


if __name__ == "__main__":
    main()
