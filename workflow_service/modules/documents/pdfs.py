"""Drawing an issued document's PDF (WeasyPrint: ~0.2 s of CPU a page set) after the step that issued it.

Issuing freezes the document's text: the number, the HTML rendered from the case and its SHA-256, in the step's own
transaction and the case's hash chain. The PDF is drawn from that frozen HTML and nothing else, so it is the same
whenever it is drawn; it is drawn once, then kept with its SHA-256 (a `document_rendered` event in the chain):

- by the scheduler's `render_documents` job, a few seconds after the step (one transaction per document, each
  row claimed: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes never draw one document twice);
- or at once by whatever needs the bytes first — a download, voiding (the void copy is stamped on the bytes), the
  case file — holding the row's lock while it draws.

A step that issues a document therefore pays for freezing its text (bench/documents.py: ~7 ms), not for drawing
its PDF (~75 ms), and a person who downloads a document a moment after the step gets it drawn then."""
from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa

from ...core.errors import ServiceError
from ...core.services import clock
from ...core.transaction import unit_of_work
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from . import rendering
from .models import IssuedDocument

log = logging.getLogger(__name__)


class DocumentFontsMissing(ServiceError):
    status, code = 503, "document_fonts_missing"


def fonts_missing(exc: rendering.FontsMissing) -> DocumentFontsMissing:
    return DocumentFontsMissing("文书字体未安装，无法生成文书（请执行 npm install）", {"fonts": [str(exc)]})


# -- the mechanism, for a document's PDF and a case file's alike: rows whose `pdf_sha256` is empty wait --------
def ensure_drawn(row, draw):
    """`row`'s PDF, drawn now with `draw(row)` if it has not been yet: the row is locked meanwhile, so a second
    caller waits and then finds it drawn. Flushes; never commits."""
    if row.pdf_sha256 is not None:
        return row
    model = type(row)
    locked = db.session.scalar(sa.select(model).where(model.id == row.id, model.pdf_sha256.is_(None))
                               .with_for_update().execution_options(populate_existing=True))
    if locked is None:  # drawn by another transaction while this one waited for the lock
        db.session.refresh(row)
        return row
    draw(locked)
    return locked


def draw_waiting(model, draw, batch: int) -> int:
    """The scheduler's `render_documents` job and `wfs render-documents`: the oldest rows of `model` still without
    their PDF (its partial index on pending rows), one transaction each, as the timer sweep does, so one that fails
    never undoes the others; each claimed with SKIP LOCKED, so a row another process is drawing is left to it.
    Returns how many it drew."""
    with unit_of_work():  # a read; it ends before the per-row transactions
        ids = list(db.session.scalars(sa.select(model.id).where(model.pdf_sha256.is_(None))
                                      .order_by(model.id).limit(batch)))
    drawn = 0
    for row_id in ids:
        try:
            with unit_of_work():
                row = db.session.scalar(sa.select(model).where(model.id == row_id, model.pdf_sha256.is_(None))
                                        .with_for_update(skip_locked=True))
                if row is not None:
                    draw(row)
                    drawn += 1
        except DocumentFontsMissing:
            log.error("%s wait for their PDF: the document fonts are missing (npm install)", model.__tablename__)
            break
        except Exception:  # noqa: BLE001 - rolled back; the next run tries this row again
            log.exception("drawing the PDF of %s %s failed", model.__tablename__, row_id)
    return drawn


# -- an issued document -----------------------------------------------------------------------------------
def ensure_pdf(document: IssuedDocument) -> IssuedDocument:
    """The document's PDF, drawn now from its frozen HTML if it has not been yet."""
    return ensure_drawn(document, _draw)


def draw_pending_documents(batch: int = 50) -> int:
    return draw_waiting(IssuedDocument, _draw, batch)


def _draw(document: IssuedDocument) -> None:
    try:
        pdf, pages = rendering.html_to_pdf_pages(document.html, rendering.environment_font_dir())
    except rendering.FontsMissing as exc:
        raise fonts_missing(exc) from None
    document.pdf, document.pdf_pages = pdf, pages
    document.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    document.rendered_at = clock().now()
    db.session.flush()
    instance_id = db.session.scalar(sa.select(Case.instance_id).where(Case.id == document.case_id))
    record_event(None, "document_rendered", instance_id=instance_id, details={
        "document_id": document.id, "number": document.number, "version": document.version,
        "html_sha256": document.html_sha256, "pdf_sha256": document.pdf_sha256, "pages": pages})
