# Xietong: the two commands of the README, and the steps they are made of.
#
#   make demo   install what is needed, load the bundled real sample data (and the marked illustrative
#               samples of demo/data) into the embedded SQLite store and serve the platform on
#               http://127.0.0.1:8000 (PORT=… for another port)
#   make test   install what is needed (Python packages; PostgreSQL and Chromium from Debian when absent)
#               and run the whole suite: ruff, ruff format --check, mypy --strict, unit and integration
#               tests on SQLite and PostgreSQL, browser tests of the dashboard
#
# Everything lives in .venv (Python 3.11); nothing is installed globally except Debian packages.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .xietong-demo
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install lint typecheck pytest postgres chromium fonts bench bench-api bench-transit clean help

help:
	@sed -n '2,10p' Makefile

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,all]'
	@touch $(STAMP)

install: $(STAMP)

# PostgreSQL server binaries (Debian package), for the PostgreSQL half of the suite. The tests start and
# stop their own throwaway server on 127.0.0.1 (tests/pgserver.py).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing PostgreSQL (Debian package postgresql)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi

# Chromium for the browser tests (Debian packages; Playwright drives /usr/bin/chromium, never downloads one).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Chromium (Debian packages chromium, chromium-driver)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Chinese fonts for the browser tests and the dashboard (Debian's fonts-noto-cjk: Noto Sans CJK SC is the first face
# of the dashboard's font stack; the browser tests fail when a Chinese label falls back to another face).
fonts:
	@if ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
		echo "installing CJK fonts (Debian package fonts-noto-cjk)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

pytest: $(STAMP) postgres chromium fonts
	$(BIN)/pytest -v -p no:cacheprovider

test: lint typecheck pytest

# The boundary file (unclear licence, not bundled) is drawn under the maps when ../shared is beside the repo.
BOUNDARIES := $(wildcard ../shared/data/boundaries/jjj_13_prefectures.geojson)

# Rail timetables for the regional feed: the full shared sources when present, else the trimmed samples.
TRANSPORT := $(firstword $(wildcard ../shared/data/transport) tests/data/transit/rail)

demo: $(STAMP)
	XIETONG_DATA_DIR=$(DEMO_DIR) $(BIN)/xietong db upgrade
	XIETONG_DATA_DIR=$(DEMO_DIR) $(BIN)/xietong air ingest demo/data/PRSA_Data_*.csv.gz
	XIETONG_DATA_DIR=$(DEMO_DIR) $(BIN)/xietong water ingest tests/data/water/cnemc_surface_water_haihe_2025-11.csv
	XIETONG_DATA_DIR=$(DEMO_DIR) $(BIN)/xietong transit build-gtfs $(TRANSPORT) > /dev/null
	XIETONG_DATA_DIR=$(DEMO_DIR) $(BIN)/python demo/load.py
	XIETONG_DATA_DIR=$(DEMO_DIR) XIETONG_BOUNDARIES=$(BOUNDARIES) \
		$(BIN)/xietong serve --host $(HOST) --port $(PORT) --anonymous-read

# Every benchmark of bench/ (ingest, AQI with peers, streets with networkx, RAPTOR with pyraptor, national, audit,
# services, trading, API load), each in its own process; rewrites bench/RESULTS.md (bench/report.py). Reads
# ../shared/data beside the repository. BENCH=api aqi … runs only those and keeps the other sections.
bench: $(STAMP) postgres
	$(BIN)/python -m bench.report $(BENCH)

# The API read load alone (issue 11): five GETs, 20 clients, a concurrent writer, SQLite and PostgreSQL.
bench-api: $(STAMP) postgres
	$(BIN)/python -m bench.report api

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache

# Transit router benchmark (issue 6): full Porto Alegre feeds from ../shared, pyraptor in bench/.peer-venv.
bench-transit: $(STAMP)
	$(BIN)/python bench/bench_raptor.py
