# Two commands for a fresh machine: `make run` (the service with demo data) and `make test` (the suite).
# Each one creates the virtualenv and installs what it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# The demo lets an administrator move the clock (POST /api/v1/admin/clock); production never does.
export WFS_SETTABLE_CLOCK ?= 1

.PHONY: run test install db demo reset-demo clean

$(STAMP): setup.cfg pyproject.toml
	@# WeasyPrint (the documents' PDFs) needs pango; best effort, as root on Debian (.ci/run does the same).
	-@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; } \
		|| echo "WARNING: pango (libpango-1.0-0, libpangoft2-1.0-0) missing: documents cannot be rendered"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

db: install
	WFS_SCHEDULER_ENABLED=0 $(BIN)/wfs db upgrade

demo: db
	WFS_SCHEDULER_ENABLED=0 $(BIN)/wfs seed-demo

# Start the demo again from nothing: every case, task and record goes, the demo users and definitions come back,
# the clock returns to the real time (refused in production and without WFS_SETTABLE_CLOCK=1).
reset-demo: db
	WFS_SCHEDULER_ENABLED=0 $(BIN)/wfs reset-demo --yes

run: demo node_modules/.installed
	@echo "安全生产执法案件办理工作流服务: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/docs)"
	$(BIN)/flask --app workflow_service.app run --host $(HOST) --port $(PORT) --no-reload

# From the npm registry: bpmn-js draws the process diagram on the case page (served by the service, no CDN);
# bpmn-moddle lets the tests check that every diagram opens cleanly in bpmn-js. Without node/npm the case page
# shows a placeholder instead of the diagram and those tests are skipped, loudly.
node_modules/.installed: package.json
	-npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed

test: install node_modules/.installed
	scripts/run_tests.sh

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts
