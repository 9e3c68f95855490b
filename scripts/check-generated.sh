#!/usr/bin/env bash
# Generates into a scratch folder and compares with the committed output:
# a proto change without `make generate`, or a hand edit of generated code,
# fails here.
set -euo pipefail
buf=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$buf" generate -o "$tmp"
status=0
diff -r "$tmp/pkg/api" pkg/api || status=1
for f in "$tmp"/pkg/openapi/*.json; do
  diff "$f" "pkg/openapi/$(basename "$f")" || status=1
done
# The console's typed client, from the committed document (needs the
# console's npm ci, which make generated-check does first).
SCHEMA_OUT="$tmp/schema.d.ts" npm run --silent --prefix web/console generate:api >/dev/null
diff "$tmp/schema.d.ts" web/console/src/api/schema.d.ts || status=1
if ((status)); then
  echo "Generated code is stale: run 'make generate' and commit the result." >&2
fi
exit $status
