# Front-end assets: Tailwind CSS, htmx and pdf.js (the document viewer), built by npm into static/ (committed, embedded by static/embed.go).

.PHONY: assets assets-check

# npm writes node_modules/.package-lock.json on every install, so it marks "node_modules is current".
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## assets: build static/css/app.css (Tailwind, minified) and copy htmx and pdf.js into static/js
assets: node_modules/.package-lock.json
	npm run build

## assets-check: rebuild the assets and fail if they differ from what is committed
assets-check: assets
	@git diff --exit-code --stat -- static/ && test -z "$$(git status --porcelain -- static/)" \
		|| { echo "assets-check: static/ is not what the sources build; run 'make assets' and commit" >&2; exit 1; }
