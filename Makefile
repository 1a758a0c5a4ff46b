# Gongying: two commands. `make run` serves the demo; `make test` runs the whole suite.
# The newest of 3.13, 3.12 and 3.11 that runs here (a version manager's shim may exist and
# fail, so each is tried); CI runs 3.11. PYTHON=... overrides.
PYTHON ?= $(or $(shell for p in python3.13 python3.12 python3.11; do $$p -c "" >/dev/null 2>&1 && { command -v $$p; break; }; done),python3.11)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install install-dev lint migrate demo bench clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11, 3.12 or 3.13 is required (set PYTHON=/path/to/python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: export DEBUG ?= 1
run: install
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Demo logins (the password is printed by load_demo above):"
	@echo "  street:     shaping_leader, shaping_reviewer, admin"
	@echo "  community:  <code>_secretary, <code>_staff, <code>_committee1..3"
	@echo "              codes: fenghuang gubu yanshan guilin nanshan heping"
	@echo "  residents:  resident_li (和平), resident_chen (凤凰), resident_huang (雁山)"
	@echo "  partners:   partner_ruiteng, partner_yinjie, partner_fenghuang_18 (leases); applicants: applicant_kangning, applicant_xiaoshu"
	@echo "Open http://127.0.0.1:$(PORT)/  (health: /healthz, API docs: /api/docs/)"
	$(PY) manage.py serve --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .

test: install-dev
	$(VENV)/bin/ruff check .
	SECRET_KEY=$${SECRET_KEY:-makemigrations-check} $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-compile} $(PY) manage.py compile_translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m pip install -q -e '.[dev,bench]'
	@for f in benchmarks/[!_]*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
