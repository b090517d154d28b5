# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
OIDC_PROVIDER := tests/oidc_provider

.PHONY: demo test venv system-packages browser oidc-provider demo-reports report-pngs lock messages clean
# Debian packages the project needs: Pango and fonts for WeasyPrint's PDFs, poppler for reading them back,
# LibreOffice (headless) to check that the Word manuscript opens.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils libreoffice-writer-nogui

# The demo site's facts (staff, on-premises costs: docs/reports.md, "Site file"), read alike by the
# server, the report worker and the command line.
demo demo-reports: export UPTAKE_SITE_FILE ?= $(CURDIR)/config/demo_site.yaml

demo: $(INSTALLED) system-packages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_demo_usage
	$(MAKE) --no-print-directory demo-reports
	$(BIN)/python manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(INSTALLED) system-packages browser oidc-provider
	$(BIN)/pytest

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Uptake needs Python 3.11 (found %d.%d)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
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

# Re-pin every Python dependency after changing pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable > constraints.txt

messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l de --ignore '.venv/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
