# `make app`: set up and start the app on the built-in demo. `make test`: set up and run every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: app test setup browser bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

# Browser tests use Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

app: $(STAMP)
	$(PY) -m streamlit run app/main.py --server.address 127.0.0.1 --server.port $(PORT)

# One pytest process: two side by side (browser tests beside the rest) took 24:39 against 19:04 on 2 cores, the
# engine's fits and the app server fighting over them (pytest-xdist's groups do not hold under pytest 9).
test: $(STAMP) browser
	$(PY) -m pytest --durations=15

bench: $(STAMP)
	$(PY) bench/pipeline.py

clean:
	rm -rf $(VENV) .pytest_cache
