# Two commands on a fresh machine:
#   make serve   set everything up, build the site from data/ and preview it at http://127.0.0.1:8000/xinfu/
#   make test    set everything up and run the whole test suite
# Also: make build (site/ only), make validate, make new, make import, make schema, make lint, make lock.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup browser build publish serve validate new import schema test lint lock clean

# pyproject.toml declares the dependencies (runtime, and the `test` extra). What gets installed is
# requirements.lock, derived from it: every package, transitive ones too, at one version with its hashes, so a
# build next year installs exactly the same files. After editing the dependencies run `make lock` and commit
# requirements.lock (tests/test_lock.py fails until the lock matches pyproject.toml).
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

# pip-tools in a throwaway venv; keeps the lock's existing versions unless an input asks for another one.
LOCK_TOOLS := build/lock-tools
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet pip==26.3 pip-tools==7.6.2
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra test --output-file requirements.lock pyproject.toml

setup: $(STAMP)

build: setup
	$(PY) -m scripts build

# The official site's build (CI runs it on main when the repository variable OFFICIAL_SITE is true): the
# demo's placeholders, a missing ICP number or a map without 审图号 fail it (README "上线前检查").
publish: setup
	$(PY) -m scripts build --publish

serve: build
	$(PY) -m scripts serve

validate: setup
	$(PY) -m scripts validate

# A new record, asked question by question: make new (a station), make new TYPE=story|service|event.
TYPE ?= station
new: setup
	$(PY) -m scripts new $(TYPE)

# Stations from an Excel/WPS workbook or CSV: make import FILE=驿站.xlsx lists what would change; WRITE=1 writes it.
import: setup
	@if [ -z "$(FILE)" ]; then echo "用法：make import FILE=驿站.xlsx（先预演；加 WRITE=1 写入）"; exit 2; fi
	$(PY) -m scripts import "$(FILE)" $(if $(WRITE),--write)

schema: setup
	$(PY) -m scripts schema

# Browser tests drive Debian's chromium (Playwright never downloads a browser here);
# a CJK font is needed or Chinese renders as boxes in screenshots; poppler-utils reads back the printed posters.
browser:
	@if command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1 && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei poppler-utils; \
	else \
		echo "浏览器测试需要 Debian 的 chromium、中文字体和 poppler-utils，请先运行：sudo apt-get install chromium fonts-wqy-microhei poppler-utils"; exit 1; \
	fi
# The nginx test (tests/test_nginx_browser.py) serves site/ with Debian's nginx and its Brotli module, as a server would.
	@if [ -x /usr/sbin/nginx ] && [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-brotli-static; \
	else \
		echo "nginx 测试需要 Debian 的 nginx 和 Brotli 模块，请先运行：sudo apt-get install nginx libnginx-mod-http-brotli-static"; exit 1; \
	fi

test: setup browser
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check scripts tests

clean:
	rm -rf build site
