# birdkit: every target sets up what it needs, and is quick on a second run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# System packages the live tests and the lab need (Debian names).
APT_PACKAGES := bird2 iproute2 iptables debootstrap iputils-ping procps openssh-server openssh-client
# Commands that prove those packages are present.
APT_COMMANDS := bird birdc ip iptables debootstrap ping pkill sshd ssh

.PHONY: demo test lint bench matrix system-packages bytecode clean collection

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || { apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

system-packages:
	@missing=0; for c in $(APT_COMMANDS); do command -v $$c >/dev/null 2>&1 || PATH="$$PATH:/usr/sbin:/sbin" command -v $$c >/dev/null 2>&1 || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages: $(APT_PACKAGES)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	  else echo "not root: skipping apt-get install $(APT_PACKAGES); live tests will be skipped"; fi; \
	fi

# Byte-compile the sources (as pip does for an installed wheel), so start-up stays fast even where
# PYTHONDONTWRITEBYTECODE is set; up-to-date files are skipped.
bytecode: $(VENV)/.installed
	@$(BIN)/python -m compileall -q src >/dev/null

# Debian 12 bird2 2.0.12 natively, plus bird2 2.17.6 and bird3 3.1.8 in cached trixie trees.
matrix: system-packages $(VENV)/.installed
	@if [ "$$(id -u)" = 0 ]; then $(BIN)/birdkit matrix prepare; else echo "not root: BIRD matrix not prepared"; fi

demo: system-packages $(VENV)/.installed bytecode
	@bash examples/demo.sh

test: system-packages $(VENV)/.installed-test bytecode matrix
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks examples ansible_collections
	$(BIN)/mypy --strict src
	$(BIN)/lint-imports

# pybird, the benchmarks' baseline, comes with the bench extra
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

# benchmarks/_*.py are helpers of the benchmarks, not benchmarks
bench: $(VENV)/.installed-bench bytecode matrix
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The Ansible collection birdkit.bird: build/birdkit-bird-*.tar.gz, installed under build/collections.
collection: $(VENV)/.installed-test
	$(BIN)/ansible-galaxy collection build ansible_collections/birdkit/bird --output-path build --force
	$(BIN)/ansible-galaxy collection install build/birdkit-bird-*.tar.gz -p build/collections --force

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
