#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each.
# Usage: scripts/fuzz.sh [DURATION]
#
# A target fails the run when it writes a failing input (a crasher, kept
# under <package>/testdata/fuzz/<target>/) or fails in any other way,
# except for one case: Go 1.26's fuzz coordinator can report "context
# deadline exceeded" when -fuzztime runs out while a worker is busy, with
# no failing input (golang/go#75804, fixed in Go 1.27). That run is
# reported and retried, up to three attempts in all (on a loaded machine
# the race can strike twice in a row).
set -euo pipefail
fuzztime=${1:-10s}
# Minimizing each new interesting input takes up to 60 s by default, with
# no executions counted meanwhile: in a 10 s run that is most of the time,
# and the fuzztime deadline then often ends a minimization (the race
# below). A crasher is kept either way; it is just minimized less.
minimizetime=${FUZZMINIMIZETIME:-2s}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    for attempt in 1 2 3; do
      echo "fuzz: $pkg $target ($fuzztime)"
      status=0
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$pkg" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
      [ "$status" = 0 ] && break
      if grep -q 'Failing input written' "$log" || ! grep -qx '    context deadline exceeded' "$log"; then
        exit "$status"
      fi
      echo "fuzz: $target: fuzztime deadline race of the Go toolchain (golang/go#75804), no failing input" >&2
      [ "$attempt" = 3 ] && exit "$status"
    done
  done
done
