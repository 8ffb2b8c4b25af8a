"""`flask --app workflow_service.app wfs ...` (also installed as the `wfs` command).

Each command is one transaction (core/transaction.py, `UnitOfWorkGroup`): it commits when it returns and is rolled
back when it fails or exits early (`_fail`, `sys.exit`), so no command commits on its own. The exceptions: `sweep`,
one transaction per timer (modules/steps/sweep.py); `render-documents`, one per document (documents/pdfs.py); and
`db upgrade` (Flask-Migrate), where Alembic commits each migration itself."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app

from .core.errors import ServiceError
from .core.transaction import UnitOfWorkGroup, discard
from .extensions import db

wfs = UnitOfWorkGroup("wfs", help="安全生产执法案件工作流服务 (workflow service) commands")


def _fail(exc: ServiceError):
    """Report a refusal and exit with status 2; the command's transaction is rolled back."""
    click.echo(f"error: {exc.message}", err=True)
    for key, value in exc.details.items():
        click.echo(f"  {key}: {value}", err=True)
    sys.exit(2)


@wfs.command("deploy")
@click.option("--dir", "directory", default=None, help="directory with *.bpmn and *.dmn (default: bpmn/)")
def deploy_cmd(directory):
    """Validate and deploy the process definitions (unchanged ones keep their version)."""
    from .modules.processes.definitions import deploy_package, read_package

    files = read_package(directory or current_app.config["WFS"]["BPMN_DIR"])
    try:
        results = deploy_package(None, files)
    except ServiceError as exc:
        _fail(exc)
    for definition, created in results:
        click.echo(f"{'deployed' if created else 'unchanged'} {definition.process_id} {definition.content_hash[:12]}")


@wfs.command("validate")
@click.option("--dir", "directory", default=None)
def validate_cmd(directory):
    """Check BPMN/DMN files and their forms without deploying."""
    from .modules.processes.definitions import deploy_package, read_package

    files = read_package(directory or current_app.config["WFS"]["BPMN_DIR"])
    try:
        results = deploy_package(None, files)
    except ServiceError as exc:
        _fail(exc)
    discard()  # a deployment done only to validate the files: never committed
    click.echo(f"ok: {len(results)} executable process(es)")


@wfs.command("create-unit")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice(["province", "city", "county"]))
@click.option("--parent", "parent_code", default=None, help="code of the unit above")
def create_unit_cmd(code, name, level, parent_code):
    """Create a unit (单位)."""
    from .modules.users.operations import create_unit

    try:
        unit = create_unit(None, code=code, name=name, level=level, parent_code=parent_code)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created unit {unit.code} {unit.name}")


@wfs.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--unit", "unit_code", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["case_handler", "legal_reviewer", "committee_member", "supervisor",
                                 "principal_head", "admin", "integration", "platform_operator"]))
@click.option("--legal-qualification", is_flag=True, help="holds the legal professional qualification")
@click.option("--password", default=None, help="prompted for when omitted (visible to other users in `ps`: "
              "prefer --password-stdin in scripts)")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of standard input")
def create_user_cmd(username, display_name, unit_code, roles, legal_qualification, password, password_stdin):
    """Create a user (用户)."""
    from .modules.users.operations import create_user

    if password_stdin:
        if password is not None:
            click.echo("error: give --password or --password-stdin, not both", err=True)
            sys.exit(2)
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        # Asked twice, through Click (not getpass, which bypasses it): a mistyped first password of an
        # account would otherwise go unnoticed until its owner is locked out.
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(None, username=username, password=password, display_name=display_name,
                           unit_code=unit_code, roles=list(roles), legal_qualification=legal_qualification)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created user {user.username}")


@wfs.command("deactivate-user")
@click.argument("username")
def deactivate_user_cmd(username):
    """Deactivate a user (停用): no login, and every token and browser session of the account ends now."""
    _set_active(username, False)


@wfs.command("activate-user")
@click.argument("username")
def activate_user_cmd(username):
    """Activate a deactivated user again (启用); they log in afresh."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from .modules.users.operations import set_user_active

    try:
        user = set_user_active(None, username, active)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"{'activated' if user.active else 'deactivated'} user {user.username}")


@wfs.command("seed-demo")
def seed_demo_cmd():
    """Load the demo units, users and process definitions (idempotent; refused in production)."""
    from .demo import seed_demo

    try:
        summary = seed_demo()
    except ServiceError as exc:
        _fail(exc)
    click.echo(summary)


@wfs.command("reset-demo")
@click.confirmation_option(prompt="删除全部案件、任务、记录和用户，重新加载演示数据？")
def reset_demo_cmd():
    """Delete every case, task, record and user and load the demo data afresh (the demo only: refused in
    production and without WFS_SETTABLE_CLOCK=1). `make reset-demo`."""
    from .demo import reset_demo

    try:
        summary = reset_demo()
    except ServiceError as exc:
        _fail(exc)
    click.echo(summary)


@wfs.command("seed-reference")
def seed_reference_cmd():
    """Load the deadline rules and the official holiday calendar (idempotent; for production too)."""
    from .demo import seed_reference_data

    click.echo(seed_reference_data())


@wfs.command("import-calendar")
@click.argument("year", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_calendar_cmd(year, path):
    """Load YEAR's official holiday arrangement from a JSON file:
    {"source": "...", "holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": [...]}."""
    import json
    from datetime import date

    from .modules.deadlines.operations import import_calendar_year
    from .modules.steps.calendar import recompute_provisional_timers

    try:
        raw = json.loads(open(path, encoding="utf-8").read())
        entries = {kind: [{"date": date.fromisoformat(e["date"]), "name": e.get("name")} for e in raw.get(kind, [])]
                   for kind in ("holidays", "workdays")}
        import_calendar_year(None, year, entries["holidays"], entries["workdays"], raw.get("source") or path)
        recomputed = recompute_provisional_timers(None)
    except ServiceError as exc:
        _fail(exc)
    except (ValueError, KeyError, TypeError) as exc:
        click.echo(f"error: {path} is not a calendar file: {exc}", err=True)
        sys.exit(2)
    click.echo(f"imported {year}; {recomputed} provisional timer(s) recomputed")


@wfs.command("sweep", own_transactions=True)
def sweep_cmd():
    """Fire due timers once (what the scheduler does every few seconds)."""
    from .modules.steps.sweep import sweep_due_timers

    result = sweep_due_timers()
    click.echo(f"fired {result.fired}, failed {result.failed}, incidents {result.incidents}")


@wfs.command("render-documents", own_transactions=True)
def render_documents_cmd():
    """Draw the PDFs of issued documents and case files still waiting for them (what the scheduler does every few
    seconds)."""
    from .modules.documents.casefile import draw_pending_case_files
    from .modules.documents.pdfs import draw_pending_documents

    total = 0
    while drawn := draw_pending_documents() + draw_pending_case_files():
        total += drawn
    click.echo(f"drawn {total}")


@wfs.command("expire-disclosures")
def expire_disclosures_cmd():
    """Take disclosures past their publication period off the public pages (what the scheduler does)."""
    from .modules.disclosure.operations import expire_disclosures

    expired = expire_disclosures()
    click.echo(f"expired {expired}")


@wfs.command("scheduler")
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="also answer /healthz, /readyz and /metrics there (e.g. 127.0.0.1:9102)")
def scheduler_cmd(listen):
    """Run the timer sweep and the other scheduled jobs in this process until stopped (SIGTERM), instead of
    inside the web workers (set WFS_SCHEDULER_ENABLED=0 for those)."""
    from .scheduler import run_scheduler_process

    run_scheduler_process(current_app._get_current_object(), listen)


@wfs.command("backup")
@click.argument("destination", type=click.Path(file_okay=False))
def backup_cmd(destination):
    """Back up the database and the evidence files, with a manifest of digests, into DESTINATION (a new
    directory). Exits 1 when an evidence file is missing or altered in the store (still copied as found)."""
    from .backup import backup

    try:
        manifest = backup(destination)
    except ServiceError as exc:
        _fail(exc)
    for problem in manifest["problems"]:
        click.echo(f"EVIDENCE {problem['evidence_id']} ({problem['key']}): {problem['problem']}")
    tables = manifest["database"]["tables"]
    click.echo(f"backed up {len(tables)} tables ({sum(tables.values())} rows, {tables.get('audit_events', 0)} audit "
               f"events) and {len(manifest['evidence'])} evidence file(s) to {destination}")
    sys.exit(1 if manifest["problems"] else 0)


@wfs.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
def restore_cmd(source):
    """Restore a backup made by `wfs backup` into the configured database (new and empty) and evidence store.
    Then run `wfs verify-audit --evidence`."""
    from .backup import restore

    try:
        report = restore(source)
    except ServiceError as exc:
        _fail(exc)
    for problem in report["problems"]:
        what = f"EVIDENCE {problem['evidence_id']} ({problem['key']})" if "key" in problem else f"TABLE {problem['table']}"
        click.echo(f"{what}: {problem['problem']}")
    tables = report["tables"]
    click.echo(f"restored {len(tables)} tables ({sum(tables.values())} rows, {tables.get('audit_events', 0)} audit "
               f"events) and {report['evidence'] - sum('key' in p for p in report['problems'])} evidence file(s)")
    sys.exit(1 if report["problems"] else 0)


def register_cli(app) -> None:
    app.cli.add_command(wfs)


def main() -> None:
    """The `wfs` console script: same commands, without typing --app."""
    from flask.cli import FlaskGroup

    from .app import create_app

    group = FlaskGroup(create_app=lambda: create_app({"SCHEDULER_ENABLED": False}))
    # `wfs deploy` rather than `wfs wfs deploy`; `wfs db upgrade` comes from Flask-Migrate.
    for name, command in wfs.commands.items():
        group.add_command(command, name)
    group(prog_name="wfs")


@wfs.command("verify-audit")
@click.option("--instance", "instance_id", type=int, default=None, help="one process instance (a case's instance id)")
@click.option("--system", "system", is_flag=True, help="only the system chain (events of no instance)")
@click.option("--evidence", "evidence", is_flag=True, help="also re-hash the stored evidence files")
def verify_audit_cmd(instance_id, system, evidence):
    """Verify the audit hash chains (全过程记录): every chain, one instance's, or the system chain.
    Exits 1 and names the first broken link when an event was edited, removed or cut off; with --evidence,
    also when a stored evidence file no longer matches its recorded SHA-256."""
    from .modules.audit.chain import verify_all, verify_chain
    from .modules.evidence.queries import verify_evidence_files

    if instance_id is not None:
        reports = [verify_chain(instance_id)]
    elif system:
        reports = [verify_chain(None)]
    else:
        reports = verify_all()
    broken = [r for r in reports if not r.ok]
    for report in broken:
        link = report.first_broken
        click.echo(f"BROKEN {report.chain}: seq {link.seq} event {link.event_id} ({link.code}) "
                   f"after event {link.previous_event_id}: {link.message}")
    events = sum(r.events for r in reports)
    click.echo(f"{len(reports) - len(broken)} of {len(reports)} chain(s) verify ({events} events)")
    problems = []
    if evidence:
        case_id = None
        if instance_id is not None:
            from .modules.cases.models import Case

            case_id = db.session.scalar(sa.select(Case.id).where(Case.instance_id == instance_id)) or -1
        checked, problems = verify_evidence_files(case_id)
        for problem in problems:
            click.echo(f"EVIDENCE {problem['evidence_id']} of case {problem['case_id']}: {problem['problem']}")
        click.echo(f"{checked - len(problems)} of {checked} evidence file(s) match their digest")
    sys.exit(1 if broken or problems else 0)
