#!/bin/sh
# bench/bench.sh: run imapctl's side-by-side benchmark (make bench).
# Needs root (the private Dovecot), dovecot, python3 and Go; installs mbsync
# (Debian package isync) and GNU time when they are missing and apt-get is
# there. BENCH_PROFILES (default "small wide big"), BENCH_ROUNDS (default 3)
# and BENCH_ARGS (more flags of bench/run) tune it. The table goes to stdout
# and to bin/bench-last-run.md.
set -eu
cd "$(dirname "$0")/.."
missing=""
command -v mbsync >/dev/null 2>&1 || missing="$missing isync"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing$missing" >&2
	apt-get install -y -q $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing >/dev/null 2>&1; } ||
		echo "bench: could not install$missing; going on without" >&2
fi
profiles=$(echo "${BENCH_PROFILES:-small wide big}" | tr ' ' ',')
go run ./bench/run -imapctl "${IMAPCTL:-bin/imapctl}" -profiles "$profiles" -rounds "${BENCH_ROUNDS:-3}" ${BENCH_ARGS:-} | tee bin/bench-last-run.md
