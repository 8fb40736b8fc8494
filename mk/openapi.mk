# The OpenAPI document (web/api/openapi/openapi.yaml) and what holds it true:
# Redocly's linter, the generated Go client (internal/apiclient, committed and
# checked current like the templ code) and Prism replaying the API tests'
# traffic. `make test` runs check-openapi; check-generated runs check-apiclient.

REDOCLY_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

.PHONY: lint-openapi generate-apiclient check-apiclient prism-check check-openapi

lint-openapi: ## lint the OpenAPI document with Redocly's recommended rules (zero errors, zero warnings)
	@out=$$($(REDOCLY_ENV) $(NPX) redocly lint --format=stylish --max-problems=50 verity 2>&1); rc=$$?; \
	echo "$$out" | grep -v '[║╔╚]'; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	if echo "$$out" | grep -qE '^ +[0-9]+:[0-9]+ +warning'; then echo "lint-openapi: Redocly warnings count as failures" >&2; exit 1; fi

generate-apiclient: ## regenerate internal/apiclient from the OpenAPI document (oapi-codegen)
	cd internal/apiclient && $(GO) generate ./

check-apiclient:
	@before=$$(sha256sum internal/apiclient/client.gen.go); \
	(cd internal/apiclient && $(GO) generate ./) || exit 1; \
	if [ "$$before" != "$$(sha256sum internal/apiclient/client.gen.go)" ]; then \
		echo "check-generated: internal/apiclient/client.gen.go was out of date; regenerated it, commit the result" >&2; \
		exit 1; \
	fi

prism-check: ## replay the API tests' recorded traffic through Prism's validating proxy
	scripts/prism-check.sh

check-openapi: lint-openapi prism-check
