#!/usr/bin/env bash
# Checks what `make test` (argument test) or `make run` (argument run) needs
# from the machine and says exactly what is missing.
set -u
what=${1:-test}
missing=()
command -v go >/dev/null || missing+=("Go 1.26 or newer (https://go.dev/dl/): the go command is not on PATH")
if [[ $what == test ]]; then
  command -v npm >/dev/null || missing+=("Node.js 20.19 or newer with npm (Debian: apt-get install nodejs npm): needed to fetch the pinned buf CLI and Google's API protos, and to build the admin console")
  db=${TEST_DATABASE_URL:-}
else
  command -v npm >/dev/null || missing+=("Node.js 20.19 or newer with npm (Debian: apt-get install nodejs npm): needed to build the admin console the gateway serves at /admin")
  db=${DATABASE_URL:-}
fi
# Vite, which builds the console, needs Node.js 20.19+ (or 22.12+).
if command -v node >/dev/null; then
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a==22&&b>=12)||(a==20&&b>=19)?0:1)' ||
    missing+=("Node.js 20.19 or newer (found $(node --version)): Vite, which builds the admin console, needs it")
fi
if [[ -z "$db" ]]; then
  found=""
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/pg_ctl" ]]; then found=1; fi
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/pg_ctl" ]] && found=1; done
  command -v pg_ctl >/dev/null && found=1
  if [[ $what == test ]]; then
    [[ -n "$found" ]] || missing+=("PostgreSQL server binaries (Debian: apt-get install postgresql), or TEST_DATABASE_URL set to a server whose user may create databases")
  else
    [[ -n "$found" ]] || missing+=("PostgreSQL server binaries (Debian: apt-get install postgresql), or DATABASE_URL set to a running server")
  fi
fi
if ((${#missing[@]})); then
  echo "Missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
