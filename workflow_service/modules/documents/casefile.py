"""The case file (案卷): one PDF with the cover (案卷首页), the contents (卷内目录) with first pages, the documents
in binding order (DOCUMENTS.md) and the evidence, every page numbered. Archiving orders it — what it binds is
fixed then — and it is drawn just after, like a document's PDF (pdfs.py): by the scheduler's job or the first
download. Built from the PDFs of the issued documents (each drawn once from its frozen HTML); pypdf merges and
counts pages. Its SHA-256 goes into the case's audit chain."""
from __future__ import annotations

import base64
import hashlib
import io
from html import escape

import sqlalchemy as sa
from pypdf import PdfReader, PdfWriter, Transformation

from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..evidence.models import EvidenceFile
from ..evidence.storage import evidence_store
from . import rendering
from .context import build_context
from .models import CaseFile, DocumentStatus, IssuedDocument
from .pdfs import draw_waiting, ensure_drawn, ensure_pdf, fonts_missing
from .registry import DOCUMENT_TYPES
from .text import chinese_date

RETENTIONS = ("永久", "30年", "10年")
# Evidence comes last in the binding order (DOCUMENTS.md item 18).
EVIDENCE_BINDING = 18


def _documents(case: Case) -> list[IssuedDocument]:
    rows = list(db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.case_id == case.id, IssuedDocument.status == DocumentStatus.issued.value)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)))
    return sorted(rows, key=lambda d: (DOCUMENT_TYPES[d.doc_type].binding if d.doc_type in DOCUMENT_TYPES else 99,
                                       d.issued_at, d.id))


def _evidence_pdf(row: EvidenceFile, font_dir) -> bytes:
    """An evidence file as pages of the file: a PDF as it is, a photo on a page of its own, a recording or a
    video as a page that names it and its SHA-256 (the file itself stays in the evidence store)."""
    if row.content_type == "application/pdf":
        with evidence_store().open(row.storage_key) as stream:
            return stream.read()
    caption = (f"<p>证据：{escape(row.description or row.filename)}</p><p class='small'>文件：{escape(row.filename)}　"
               f"类型：{escape(row.content_type)}　SHA-256：{row.sha256}</p>")
    body = caption
    if row.content_type.startswith("image/") and row.content_type not in ("image/heic",):
        with evidence_store().open(row.storage_key) as stream:
            data = base64.b64encode(stream.read()).decode()
        body = (f"<img src='data:{row.content_type};base64,{data}' style='max-width:100%;max-height:200mm'>"
                + caption)
    html = f"<html><head><meta charset='utf-8'><link rel='stylesheet' href='document.css'></head><body>{body}</body></html>"
    return rendering.html_to_pdf(html, font_dir)


def _page_numbers_pdf(count: int, font_dir) -> bytes:
    """One page per page of the file with its number at the top right (卷内页号), to lay over the pages."""
    pages = "".join(f"<div class='n'>{i}</div>" for i in range(1, count + 1))
    html = ("<html><head><meta charset='utf-8'><style>@page{size:A4;margin:0;@bottom-center{content:none}}"
            "body{margin:0;font-family:DocSerif}.n{page-break-after:always;height:297mm;text-align:right;"
            "padding:8mm 12mm 0 0;box-sizing:border-box;font-size:12pt}</style></head>"
            f"<body>{pages}</body></html>")
    return rendering.html_to_pdf(html, font_dir)


def order_case_file(case: Case, actor, *, retention: str = "30年", archive_number: str | None = None) -> CaseFile:
    """Archiving orders the case file: what it binds — the documents in force and the evidence, in binding order —
    is fixed now (`contents`, without page numbers yet); the PDF is drawn just after (`ensure_case_file`: the
    scheduler's job, or the first download), as a document's is (pdfs.py)."""
    if retention not in RETENTIONS:
        retention = "30年"
    contents = [{"kind": "document", "id": d.id, "title": d.title, "number": d.number or "",
                 "date": chinese_date(d.issued_at)} for d in _documents(case)]
    contents += [{"kind": "evidence", "id": row.id, "title": f"证据材料：{row.description or row.filename}", "number": "",
                  "date": chinese_date(row.uploaded_at), "sha256": row.sha256}
                 for row in db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.case_id == case.id)
                                               .order_by(EvidenceFile.id))]
    version = (db.session.scalar(sa.select(sa.func.max(CaseFile.version)).where(CaseFile.case_id == case.id)) or 0) + 1
    record = CaseFile(case_id=case.id, version=version, archive_number=archive_number, retention=retention,
                      contents=contents, requested_at=clock().now(), built_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    record_event(actor, "case_file_ordered", instance_id=case.instance_id, details={
        "case_file_id": record.id, "version": version, "archive_number": archive_number, "retention": retention,
        "documents": sum(1 for c in contents if c["kind"] == "document"),
        "evidence": sum(1 for c in contents if c["kind"] == "evidence")})
    return record


def build_case_file(case: Case, actor, *, retention: str = "30年", archive_number: str | None = None) -> CaseFile:
    """A case file ordered and drawn at once (`POST …/case-file`: a person asked for it and waits)."""
    return ensure_case_file(order_case_file(case, actor, retention=retention, archive_number=archive_number))


def ensure_case_file(record: CaseFile) -> CaseFile:
    """The case file's PDF, drawn now if it has not been yet (its row locked meanwhile). Flushes."""
    return ensure_drawn(record, _draw)


def draw_pending_case_files(batch: int = 10) -> int:
    """The scheduler's `render_documents` job, after the documents: case files ordered and not drawn yet."""
    return draw_waiting(CaseFile, _draw, batch)


def _draw(record: CaseFile) -> None:
    case = db.session.get(Case, record.case_id)
    now = clock().now()
    font_dir = rendering.environment_font_dir()
    try:
        rendering.font_face_css(font_dir)
    except rendering.FontsMissing as exc:
        raise fonts_missing(exc) from None
    documents = {d.id: d for d in db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.id.in_([c["id"] for c in record.contents if c["kind"] == "document"])))}
    evidence = {e.id: e for e in db.session.scalars(sa.select(EvidenceFile).where(
        EvidenceFile.id.in_([c["id"] for c in record.contents if c["kind"] == "evidence"])))}
    parts: list[tuple[dict, bytes, int]] = []
    for entry in record.contents:
        if entry["kind"] == "document":
            d = ensure_pdf(documents[entry["id"]])  # drawn now if it was still waiting, from its frozen HTML
            parts.append(({**entry, "sha256": d.pdf_sha256}, d.pdf, d.pdf_pages))
        else:
            pdf = _evidence_pdf(evidence[entry["id"]], font_dir)
            parts.append((entry, pdf, rendering.pdf_page_count(pdf)))

    context = build_context(case, now=record.requested_at)
    bound = [documents[c["id"]] for c in record.contents if c["kind"] == "document"]
    closure = next((d for d in bound if d.doc_type == "closure_approval"), None)
    context["file"] = {"retention": record.retention, "archive_number": record.archive_number or "",
                       "archived_at": context["dates"].get("archived_at") or chinese_date(record.requested_at),
                       "closed_at": chinese_date(closure.issued_at) if closure else chinese_date(case.closed_at),
                       "decision": next((d for d in bound if d.doc_type in ("penalty_decision",
                                                                             "no_penalty_decision")), None)}
    context["doc"] = {"title": "案卷", "number": None}
    cover, cover_pages = rendering.html_to_pdf_pages(rendering.render_html("case_file_cover.html", context), font_dir)
    # The contents list the first page of each part; how many pages the contents take moves those pages, so
    # lay it out until its own length is stable.
    contents_pages, rows, contents = 1, [], b""
    for _ in range(4):
        page = cover_pages + contents_pages + 1
        rows = []
        for i, (meta, _pdf, count) in enumerate(parts, start=1):
            rows.append({**meta, "index": i, "first_page": page, "pages": count})
            page += count
        contents, counted = rendering.html_to_pdf_pages(
            rendering.render_html("case_file_contents.html", {**context, "rows": rows}), font_dir)
        if counted == contents_pages:
            break
        contents_pages = counted

    writer = PdfWriter()
    for blob in [cover, contents] + [p[1] for p in parts]:
        writer.append(PdfReader(io.BytesIO(blob)))
    total = len(writer.pages)
    numbers = PdfReader(io.BytesIO(_page_numbers_pdf(total, font_dir)))
    for index, page in enumerate(writer.pages):
        stamp = numbers.pages[index]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        shift = Transformation().translate(width - float(stamp.mediabox.width), height - float(stamp.mediabox.height))
        page.merge_transformed_page(stamp, shift)
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()

    record.contents = [{k: r.get(k) for k in ("index", "title", "number", "date", "first_page", "pages", "kind", "id",
                                              "sha256")} for r in rows]
    record.pdf, record.pdf_sha256, record.pages, record.built_at = pdf, hashlib.sha256(pdf).hexdigest(), total, now
    db.session.flush()
    record_event(None, "case_file_built", instance_id=case.instance_id, details={
        "case_file_id": record.id, "version": record.version, "pdf_sha256": record.pdf_sha256, "pages": total,
        "archive_number": record.archive_number, "retention": record.retention,
        "documents": len(documents), "evidence": len(parts) - len(documents)})
