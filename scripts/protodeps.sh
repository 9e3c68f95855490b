#!/usr/bin/env bash
# Copies the Google API protos that proto/ imports from the pinned npm
# package google-proto-files into build/protodeps (git-ignored), so buf
# needs no schema registry.
set -euo pipefail
src=tools/node_modules/google-proto-files
dst=build/protodeps
rm -rf "$dst"
mkdir -p "$dst/google/api" "$dst/google/type"
for f in annotations http httpbody field_behavior resource client launch_stage; do
  cp "$src/google/api/$f.proto" "$dst/google/api/"
done
cp "$src/google/type/date.proto" "$dst/google/type/"
