# Ideenfenster: `make run` to try it, `make test` to check it. Both set everything up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-pg bench install translations extract-messages update-translations clean lint sbom trust-mutations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d ideas/translations --statistics 2>&1 | tail -n 2

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo ""
	@echo "  Ideenfenster runs on http://$(HOST):$(PORT)"
	@echo "  Demo accounts (password: ideenfenster-demo):"
	@echo "    buerger@example.org (citizen), moderation@example.org (moderator),"
	@echo "    team@example.org (project team), admin@example.org (admin)"
	@echo "  Mails are written to instance/mail/."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite with PostgreSQL switched on (local server, trust auth); creates the database.
test-pg:
	psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ideenfenster_test'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE ideenfenster_test"
	TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/ideenfenster_test $(MAKE) test

# Static checks (also run by `make test` through tests/test_static_checks.py).
lint: install
	$(BIN)/ruff check ideas app.py config.py
	$(BIN)/bandit --ini .bandit -q -r ideas app.py config.py

# Remove each protection of the trust checklist once and check that its tests fail (docs/trust-checklist.md).
trust-mutations: install translations
	$(BIN)/python tests/mutations/run_mutations.py $(MUTATIONS)

# Software bill of materials of what we ship (requirements.txt), as CycloneDX JSON.
SBOM ?= build/sbom.cdx.json
sbom: install
	@mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py requirements requirements.txt --of JSON --output-reproducible -o $(SBOM)
	@echo "SBOM written to $(SBOM)"

# Load test at 1,000 and 100,000 ideas on SQLite and PostgreSQL with gunicorn and wrk (apt install wrk);
# the report goes to bench/results/. Shorter: make bench BENCH_SIZES=1000 BENCH_DBS=sqlite; again from scratch: BENCH_ARGS=--fresh.
bench: install translations
	$(BIN)/python bench/run.py $(BENCH_ARGS)

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o ideas/translations/messages.pot --no-location --sort-output .

update-translations: extract-messages
	$(BIN)/pybabel update -i ideas/translations/messages.pot -d ideas/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
