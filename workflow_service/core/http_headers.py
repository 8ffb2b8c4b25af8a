"""Security headers on every response.

The pages load scripts and styles from the service only (bpmn-js is served from node_modules, no CDN) and have
no inline script or event handler (web/static/page.js wires 打印 and 返回上一页), so the Content-Security-Policy
allows the service's own scripts only. Inline styles stay allowed: a few templates set a width, and bpmn-js
styles the diagram's SVG elements itself. The API explorer (/api/v1/docs) is flask-smorest's page, whose
start-up script is inline: that page alone also allows inline scripts. No other site may frame a page
(clickjacking); the service's own pages embed its PDFs (a document's preview on the approval task, `<object>`);
browsers must not guess content types (an evidence file is served as what its bytes are); other sites are told
nothing of the path a link was followed from (case ids)."""
from __future__ import annotations

from flask import request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'self'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self'")
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
HEADERS = {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def register_security_headers(app, docs_paths: set[str]) -> None:
    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if request.path in docs_paths else CSP)
        return response
