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

# Two processes side by side (CI has 2 cores; the suite in one kept the second ~85 % idle): the browser tests, whose
# time is mostly the app server's and Chromium's, and the rest; the browser tests' report is printed after the rest.
test: $(STAMP) browser
	@$(PY) -m pytest tests/browser --durations=10 > .browser-tests.log 2>&1 & browser=$$!; \
	$(PY) -m pytest --ignore=tests/browser --durations=10; rest=$$?; \
	wait $$browser; status=$$?; echo "---- browser tests ----"; cat .browser-tests.log; \
	[ $$rest -eq 0 ] && [ $$status -eq 0 ]

bench: $(STAMP)
	$(PY) bench/pipeline.py

clean:
	rm -rf $(VENV) .pytest_cache
