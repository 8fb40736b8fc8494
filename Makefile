# Verity — `make run` and `make test` work on a fresh machine: they install
# what they need (PostgreSQL server binaries, Chromium, npm packages) first.
# Other teams add targets in mk/*.mk (included at the end), e.g. mk/assets.mk.

GO    ?= go
NPM   ?= npm
NPX   ?= npx
GOFMT ?= $(shell $(GO) env GOROOT)/bin/gofmt
# Extra go test flags, e.g. make test GOTESTFLAGS='-run TestCustomer -v'.
GOTESTFLAGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

.PHONY: test
test: deps ## everything CI runs: gofmt, vet, staticcheck, generated-code check, go tests (-race, fuzz seeds included) against a real PostgreSQL, browser tests, the cluster test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory check-generated
	$(GO) test -race -count=1 $(GOTESTFLAGS) ./...
	@$(MAKE) --no-print-directory check-openapi
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory test-cluster

.PHONY: test-browser
test-browser: ## Playwright tests in Debian's Chromium, once playwright.config.* exists
	@if ls playwright.config.* >/dev/null 2>&1; then \
		echo "$(NPX) playwright test"; $(NPX) playwright test; \
	else \
		echo "test-browser: no playwright.config.* yet, nothing to run"; \
	fi

# npm packages first: `npm ci` empties node_modules, where ensure-postgres.sh
# may put PostgreSQL when it cannot use apt. No PostgreSQL is needed when the
# tests are pointed at a server with TEST_DATABASE_URL.
.PHONY: deps
deps: npm-deps ## install what the tests need (npm packages, Chromium, PostgreSQL, Go modules)
	@scripts/ensure-chromium.sh
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then echo "ensure-postgres: skipped, TEST_DATABASE_URL is set"; else scripts/ensure-postgres.sh; fi
	$(GO) mod download

# npm ci only when node_modules is missing or older than the lock file.
.PHONY: npm-deps
npm-deps:
	@if [ ! -f package.json ]; then \
		:; \
	elif [ ! -f package-lock.json ]; then \
		echo "$(NPM) install"; $(NPM) install --no-audit --no-fund; \
	elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "$(NPM) ci"; $(NPM) ci --no-audit --no-fund; \
	else \
		echo "npm: node_modules is up to date"; \
	fi

# The generated *_templ.go files are committed: regenerate and fail (in a git
# checkout) when that changed any, so a stale one never passes CI.
.PHONY: check-generated
check-generated:
	@sums() { find . -name '*_templ.go' -not -path './node_modules/*' -print0 | sort -z | xargs -0 -r sha256sum; }; \
	before=$$(sums); \
	$(GO) tool templ generate -log-level error || exit 1; \
	if [ "$$before" != "$$(sums)" ]; then \
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
			echo "check-generated: *_templ.go files were out of date; regenerated them, commit the result:" >&2; \
			git status --short -- '*_templ.go' >&2; \
			exit 1; \
		fi; \
		echo "check-generated: regenerated out-of-date *_templ.go files"; \
	fi
	@$(MAKE) --no-print-directory check-apiclient

.PHONY: run
run: ## run the app; with no DATABASE_URL it starts its own PostgreSQL with data under ./data
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	APPROVAL_REQUIRES_DOCUMENTS=$${APPROVAL_REQUIRES_DOCUMENTS:-true} $(GO) run ./cmd/verity serve

.PHONY: build
build: ## build the static binary bin/verity
	CGO_ENABLED=0 $(GO) build -o bin/verity ./cmd/verity

.PHONY: generate
generate: ## regenerate templ code, the API client (and assets, where mk/assets.mk defines them)
	$(GO) tool templ generate -log-level error
	@$(MAKE) --no-print-directory generate-apiclient
	@if $(MAKE) -n assets >/dev/null 2>&1; then $(MAKE) --no-print-directory assets; fi

.PHONY: lint
lint: check-format ## gofmt, go vet and staticcheck (pinned as a tool in go.mod; both cache their results)
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

.PHONY: check-format
check-format:
	@out=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*' -print0 | xargs -0 -r $(GOFMT) -l); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting (gofmt -w FILE):" >&2; echo "$$out" >&2; exit 1; fi

# Go native fuzzing: every func FuzzXxx in a *_fuzz_test.go file, one after
# the other, FUZZTIME each. `make test` runs their seed corpus (f.Add and
# testdata/fuzz/) as ordinary tests; an input that fails here is written to
# the package's testdata/fuzz/FuzzXxx/ — commit it with the fix.
FUZZTIME ?= 30s

.PHONY: fuzz
fuzz: ## Go native fuzzing of the JSON decoder, form decoding and validation, FUZZTIME (30s) per target
	@if [ -z "$${TEST_DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	@failed=""; \
	for file in $$(find . -name '*_fuzz_test.go' -not -path './node_modules/*' | sort); do \
		pkg=./$$(dirname $${file#./}); \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz: $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || failed="$$failed $$pkg:$$target"; \
		done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failures in$$failed (inputs under testdata/fuzz/)" >&2; exit 1; fi

-include mk/*.mk
