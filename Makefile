# actionkit — the two commands of the Quick start, and a few helpers.
#
#   make demo    the three functions end to end on moto and the Lambda Runtime API emulator
#   make test    the whole test suite (what CI runs)
#   make bench   criterion benchmarks and the process-level cold-start harness
#   make schemas regenerate the committed schema snapshots after a reviewed change

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# The stamp changes with the requirements, so an edit reinstalls; otherwise
# the second run installs nothing.
STAMP  := $(VENV)/.installed-$(shell sha1sum tests/requirements.txt | cut -c1-12)
# node_modules/ (asl-validator) follows package-lock.json the same way.
NODE_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
CARGO  ?= cargo
EXAMPLE := target/release/examples/query_cloudwatch
# 32 zero bytes, base64: lets crypto-preprocess start to print its schemas.
SCHEMA_KEY := AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
SAM    := SAM_CLI_TELEMETRY=0 PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam

.PHONY: help demo test bench schemas tools

help:
	@echo "make demo | make test | make bench | make schemas"

$(STAMP): tests/requirements.txt
	@echo "==> installing Python tools into $(VENV)/ (once)"
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package-lock.json
	@echo "==> installing Node tools into node_modules/ (once)"
	@npm ci --no-audit --no-fund --silent
	@rm -f node_modules/.installed-* && touch $@

tools: $(STAMP) $(NODE_STAMP)

demo: $(STAMP)
	@echo "==> building the functions and the demo (the first time takes a few minutes)"
	@$(CARGO) build --quiet --locked --bins
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ./target/debug/demo

test: $(STAMP) $(NODE_STAMP)
	@echo "==> cargo fmt --check"
	@$(CARGO) fmt --all --check
	@echo "==> cargo clippy --all-targets -D warnings"
	@$(CARGO) clippy --quiet --locked --all-targets -- -D warnings
	@echo "==> cargo doc (warnings are errors)"
	@RUSTDOCFLAGS="-D warnings" $(CARGO) doc --quiet --locked --no-deps
	@echo "==> cargo package: actionkit and actionkit-macros, as a registry gets them (built from the packages)"
	@$(CARGO) package --locked --allow-dirty -p actionkit-macros -p actionkit > target/cargo-package.log 2>&1 \
		|| { tail -40 target/cargo-package.log; exit 1; }
	@echo "==> template.yaml: cfn-lint, sam validate --lint"
	@$(VENV)/bin/cfn-lint template.yaml
	@$(SAM) validate --lint
	@echo "==> template.yaml: sam build --beta-features (cargo lambda, release, arm64)"
	@$(SAM) build --beta-features --build-dir target/sam-build --cache-dir target/sam-cache > target/sam-build.log 2>&1 \
		|| { tail -40 target/sam-build.log; exit 1; }
	@$(PY) tests/tools/check_sam_build.py target/sam-build
	@echo "==> OpenAPI documents: openapi-spec-validator (OpenAPI 3.0)"
	@$(PY) tests/tools/validate_openapi.py openapi shared/tests/snapshots
	@echo "==> cargo test"
	@$(CARGO) test --locked --no-fail-fast 2>&1 | tee target/cargo-test.log
	@echo "==> summary"
	@grep -E '^test result:' target/cargo-test.log | awk '{p+=$$4; f+=$$6} END {printf "tests: %d passed, %d failed\n", p, f; exit (f > 0)}'

bench: $(STAMP)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r tests/requirements-bench.txt
	@$(CARGO) bench --locked -p actionkit --bench resolve
	@$(CARGO) bench --locked -p vendor-enrichment --bench enrich
	@$(CARGO) bench --locked -p crypto-preprocess --bench crypto
	@$(CARGO) build --quiet --release --locked --example query_cloudwatch
	@$(PY) tests/tools/coldstart.py $(EXAMPLE) events/example/01-query-recent-errors.json
	@echo "==> MCP: a tools/call round trip over stdio, per call, beside the same call through a function URL and as a Gateway invocation"
	@$(CARGO) build --quiet --release --locked -p actionkit --features mcp --example query_cloudwatch
	@$(CARGO) bench --locked -p actionkit --features mcp --bench mcp
	@echo "==> ticket_triage: non-blank lines of the Rust example and its Powertools equivalent"
	@$(CARGO) test --quiet --locked -p actionkit --test ticket_triage line_counts -- --nocapture | grep -o 'ticket_triage: .*'
	@echo "==> cold start through the Runtime API stand-in (release builds)"
	@$(CARGO) build --quiet --release --locked -p cloudwatch-query -p vendor-enrichment -p crypto-preprocess -p actionkit-testkit --bins
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" target/release/coldstart 21

schemas:
	@UPDATE_SNAPSHOTS=1 $(CARGO) test --quiet --locked -p actionkit --test schema --test gateway --test ticket_triage
	@$(CARGO) build --quiet --locked --bins
	@# Every function binary prints its own schemas (actionkit::serve). A region
	@# and a throwaway local key let the binaries start without an account.
	@for f in cloudwatch-query vendor-enrichment crypto-preprocess; do \
		env AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true LOCAL_MASTER_KEY=$(SCHEMA_KEY) ./target/debug/$$f --openapi > openapi/$$f.json && \
		env AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true LOCAL_MASTER_KEY=$(SCHEMA_KEY) ./target/debug/$$f --tool-schema > openapi/$$f.tools.json; \
	done
	@UPDATE_SNAPSHOTS=1 $(CARGO) test --quiet --locked -p actionkit-stack --test template generated_blocks
	@git status --short -- shared/tests/snapshots openapi template.yaml
