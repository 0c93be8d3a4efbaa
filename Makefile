# Two entry points a new user needs: `make run` (set up, build and serve the sample shop)
# and `make test` (set up and run every test). Both are idempotent.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test setup system-deps python-deps node-deps theme database lint bench clean

run: python-deps theme
	$(VENV)/bin/shopgen serve --site catalog_data --out build --port $(PORT)

test: system-deps python-deps theme database lint
	$(PY) -m pytest -n 2 --dist loadgroup

setup: python-deps theme

# Debian packages the browser tests need (skipped when already present).
system-deps:
	@command -v chromium >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

python-deps: $(VENV)/.installed

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

node-deps: node_modules/.package-lock.json

# Bundle and minify the theme's JavaScript and CSS (esbuild) into templates/dist/.
theme: node-deps
	node scripts/bundle-theme.mjs

# Start the local PostgreSQL server when it is down (the database tests use it).
database:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start

lint: python-deps
	$(VENV)/bin/ruff check shopgen tracker tests benchmarks scripts

# Scripts that print numbers (speed targets live here, not in the tests); publish takes ~5 min.
bench: python-deps theme database
	$(PY) benchmarks/build.py
	$(PY) benchmarks/browser.py
	$(PY) benchmarks/first_result.py
	$(PY) benchmarks/beacon.py
	$(PY) benchmarks/report.py
	$(PY) benchmarks/publish.py
	$(PY) benchmarks/cold_start.py

clean:
	rm -rf build templates/dist .shopgen-cache
