# Nuanxin: the two commands (make run, make test) and friends. Needs Python 3.11+ and make;
# everything else is installed here (apt-get when root, or the one line to run is printed).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run stop test simulate bench bench-county venv lint clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed. Run: sudo apt-get install -y python3-venv"; exit 1; }
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

# make run PORT=8001: the web server's port when 8000 is taken (a PORT in the environment works too).
PORT ?= 8000

run:  ## Redis, migrate, demo data, Celery worker + beat, web on http://127.0.0.1:$(PORT) (default 8000)
	@PORT='$(PORT)' PYTHON='$(PYTHON)' bash scripts/check-port.sh
	@$(MAKE) --no-print-directory venv
	@PORT='$(PORT)' bash scripts/run.sh

stop:  ## stop what make run started (from another terminal): web server, worker, beat and its Redis
	@bash scripts/stop.sh

test: venv  ## the whole suite on real Redis (+ PostgreSQL in CI or when DATABASE_URL is set)
	@bash scripts/test.sh $(ARGS)

simulate: venv  ## 30 demo days through the real flow, one worker, a fresh database; same SEED, same figures
	@bash scripts/simulate.sh

bench: venv  ## benchmarks as ratios to baselines measured in the same run; JSON last line
	@bash scripts/bench.sh

bench-county: venv  ## a county on PostgreSQL (1,000,000 shares): pages, burst, planner, export as ratios; JSON last line
	@bash scripts/bench-county.sh $(ARGS)

.PHONY: messages
messages: venv  ## after adding UI strings: refresh locale/en/LC_MESSAGES/django.po, translate the new msgids, rerun
	$(VENV)/bin/python scripts/jinja_messages.py
	$(VENV)/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=artifacts --ignore=staticfiles --ignore=node_modules --ignore=jinja2
	$(VENV)/bin/python manage.py compilemessages -l en --ignore=.venv

lint: venv  ## ruff, and the import rules in pyproject.toml (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var/ db.sqlite3
