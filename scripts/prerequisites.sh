#!/usr/bin/env bash
# Checks what `make test` (argument test), `make run` (argument run) or
# `make test-browser` (argument browser) needs from the machine and says
# exactly what is missing. For browser it also installs Debian's chromium
# when no chromium is found and it may (root, apt-get): CI starts on a fresh
# machine.
set -u
what=${1:-test}
missing=()
command -v go >/dev/null || missing+=("Go 1.26 or newer (https://go.dev/dl/): the go command is not on PATH")
if [[ $what == browser ]]; then
  command -v npm >/dev/null || missing+=("Node.js with npm (Debian: apt-get install nodejs npm): needed to fetch axe-core, which the tests run in the page")
  # What is to be installed: chromium unless one is found (the tests find
  # it the same way, e2e/browser/chromium_test.go: CHROMIUM_BIN, chromium,
  # chromium-browser), and a font
  # with Hangul unless fontconfig knows one, else the screenshots show boxes.
  install=()
  if [[ -n "${CHROMIUM_BIN:-}" ]]; then
    command -v "$CHROMIUM_BIN" >/dev/null ||
      missing+=("chromium: CHROMIUM_BIN is $CHROMIUM_BIN, which is not an executable (unset it to use, or install, Debian's chromium)")
  elif ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    install+=(chromium)
  fi
  if [[ -z "$(fc-list :lang=ko 2>/dev/null)" ]]; then
    install+=(fonts-nanum)
  fi
  if ((${#install[@]})); then
    if [[ $(id -u) != 0 ]]; then
      missing+=("${install[*]} (Debian: apt-get install ${install[*]}, as root; or CHROMIUM_BIN set to a chromium binary): not found, and installing needs root")
    elif ! command -v apt-get >/dev/null; then
      missing+=("${install[*]}, or CHROMIUM_BIN set to a chromium binary: not found, and no apt-get to install with")
    else
      echo "Installing Debian's ${install[*]} for the browser tests (apt-get install)..." >&2
      log=$(mktemp)
      if ! { DEBIAN_FRONTEND=noninteractive apt-get update &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${install[@]}"; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        missing+=("${install[*]}: apt-get install failed (its output is above); install them, or set CHROMIUM_BIN to a chromium binary")
      elif [[ " ${install[*]} " == *" chromium "* ]] && ! command -v chromium >/dev/null; then
        missing+=("chromium: apt-get installed the package, yet no chromium is on PATH")
      fi
      rm -f "$log"
    fi
  fi
fi
if [[ $what == browser ]]; then
  db="" # the browser tests' suite starts a PostgreSQL of its own
elif [[ $what == test ]]; then
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
  if [[ $what == browser ]]; then
    [[ -n "$found" ]] || missing+=("PostgreSQL server binaries (Debian: apt-get install postgresql): the browser tests' suite starts a PostgreSQL of its own")
  elif [[ $what == test ]]; then
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
