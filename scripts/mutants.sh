#!/usr/bin/env bash
# make mutants: shows that the tests catch the bugs they claim to catch.
#
# Each patch in scripts/mutants/ is a deliberate bug, with a header naming
# it and the packages whose tests must catch it. For each, this copies the
# working tree to a scratch folder, applies the patch there (the checkout
# is never touched), and runs those packages' tests as `make test` runs
# them, on a PostgreSQL of their own. A mutant the tests let through, or a
# patch that no longer applies to the code, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$(mktemp -d -t gongyak-mutants-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

results=()
survived=0
for patch in scripts/mutants/*.patch; do
  title=$(sed -n 's/^Mutant: //p' "$patch")
  tests=$(sed -n 's/^Tests: //p' "$patch")
  tree="$scratch/tree"
  rm -rf "$tree"
  mkdir -p "$tree"
  # Tracked and new files as they are now, not build output or data.
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [[ -e $f ]] && printf '%s\0' "$f"
  done | tar --null -T - -cf - | tar -xf - -C "$tree"
  if ! (cd "$tree" && git apply --unsafe-paths "$root/$patch" 2>"$scratch/apply.err"); then
    echo "mutants: $patch no longer applies; update it to the code it breaks:" >&2
    cat "$scratch/apply.err" >&2
    exit 1
  fi
  echo "mutant: $title ($patch) — go test $tests"
  log="$scratch/$(basename "$patch" .patch).log"
  start=$SECONDS
  # shellcheck disable=SC2086 # tests is a list of package patterns
  if (cd "$tree" && go run ./cmd/withpg -- go test -race -count=1 -timeout 10m $tests) >"$log" 2>&1; then
    verdict="SURVIVED: the tests passed"
    survived=$((survived + 1))
    tail -n 20 "$log"
  else
    failed=$(grep -oE -- '--- FAIL: [^ ]+' "$log" | sed 's/--- FAIL: //' | sort -u | paste -sd ' ' -)
    if [[ -z $failed ]]; then
      verdict="not caught by a test: the run failed otherwise"
      survived=$((survived + 1))
      tail -n 20 "$log"
    else
      verdict="caught by $failed"
    fi
  fi
  results+=("$(printf '%-95s %4ss  %s' "$title" $((SECONDS - start)) "$verdict")")
done

echo
printf '%s\n' "${results[@]}"
if ((survived)); then
  echo "mutants: $survived of ${#results[@]} not caught" >&2
  exit 1
fi
echo "mutants: all ${#results[@]} caught"
