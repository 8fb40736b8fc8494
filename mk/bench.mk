# make bench: 100,000 customers, 16 concurrent API clients, figures per endpoint.
# Knobs: BENCH_CUSTOMERS, BENCH_CLIENTS, BENCH_DURATION, BENCH_PORT, BENCH_ONLY.

.PHONY: bench
bench: ## load 100,000 customers and drive the API; prints req/s, p50, p99 and peak RSS
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench.sh

.PHONY: bench-pages
bench-pages: ## the web pages (list, queue, Mine, Overdue, search, customer) on 1,000,000 customers
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-pages.sh

.PHONY: bench-webhooks
bench-webhooks: ## PUT details with one webhook endpoint subscribed vs none, and the delivery lag
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-webhooks.sh

.PHONY: bench-documents
bench-documents: ## 20 concurrent 10 MiB document uploads then downloads; prints throughput and the server's peak RSS
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-documents.sh

.PHONY: bench-ceiling
bench-ceiling: ## pgbench running each API operation's minimal SQL vs the API itself: tps, req/s, ratio, p99
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-ceiling.sh

.PHONY: bench-import
bench-import: ## verity import of 100,000 generated JSON lines into a fresh database (IMPORT_SEED=N times seed --demo instead)
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-import.sh

.PHONY: bench-floor
bench-floor: ## per API scenario, the best this machine allows: recorded answers from a stub (HTTP floor) + the server's SQL under pgbench (DB floor)
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-floor.sh

.PHONY: bench-search-floor
bench-search-floor: ## a search's minimal SQL under pgbench vs the same search through verity (BENCH_DATA_DIR required; BENCH_PAGES=1 for the web page)
	@if [ -z "$${DATABASE_URL:-}" ]; then scripts/ensure-postgres.sh; fi
	scripts/bench-search-floor.sh
