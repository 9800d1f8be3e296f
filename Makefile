# The department information hub. `make run` and `make test` install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PROTOS := $(shell find proto -name '*.proto')
GEN := gen/python

.PHONY: run demo test test-fast lint gen install bench services clean system-packages

# --- installation -----------------------------------------------------------
$(VENV)/.installed: pyproject.toml $(PROTOS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 'setuptools<82' wheel
	$(PY) -m pip install --quiet 'grpcio-tools==1.85.*'
	$(MAKE) --no-print-directory gen
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed system-packages

# Debian packages the reports need: CJK fonts (Noto CJK for display; WenQuanYi
# Micro Hei because reportlab embeds only TrueType outlines and Noto CJK is CFF), poppler
# (pdftoppm/pdftotext) to check rendered pages. Installed only when missing.
SYSTEM_PACKAGES := fonts-noto-cjk fonts-wqy-microhei poppler-utils fontconfig
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $$missing; \
	fi

# Generated protobuf code: produced here, never committed (gen/ is ignored).
gen:
	rm -rf $(GEN) && mkdir -p $(GEN)
	$(PY) -m grpc_tools.protoc -Iproto --python_out=$(GEN) --grpc_python_out=$(GEN) --pyi_out=$(GEN) $(PROTOS)
	find $(GEN)/hub -type d -exec touch {}/__init__.py \;

node_modules/.bin/buf: package.json
	npm install --no-audit --no-fund --silent
	touch $@

lint: node_modules/.bin/buf
	cd proto && ../node_modules/.bin/buf lint

# --- running ----------------------------------------------------------------
run: install
	$(VENV)/bin/hub run

demo: install
	$(VENV)/bin/hub run --once

# --- tests ------------------------------------------------------------------
services:
	bash infra/local/ensure-services.sh

test: install lint services
	$(PY) -m pytest

bench: install services
	$(PY) bench/run_all.py

clean:
	rm -rf $(GEN) $(VENV) node_modules var
