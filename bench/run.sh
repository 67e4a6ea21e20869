#!/usr/bin/env bash
# make bench: every benchmark in bench/ against the demo school, on the throwaway PostgreSQL that
# tests/run.sh starts (with durable commits and no broker), then the embedded default: the same
# pages and the teachers' save burst on a throwaway SQLite. Exits non-zero when any budget is missed.
#   bash tests/run.sh --exec --no-broker bash bench/run.sh
# BENCH_PUPILS (default 1500) sizes the demo school; the budgets are the same at every size.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=.venv/bin/python
export BENCH_PUPILS=${BENCH_PUPILS:-1500}
# Read-only benchmarks first; the ones that commit saves last. Any other bench/*.py runs after the
# first group; *_e2e.py are browser walkthroughs against a running server, not benchmarks.
FIRST=(seed_demo completion health_checks rules targets pages)
LAST=(marksheet save_burst)
failed=()

run() { # <label> <script> [args...]
    local label=$1 started=$SECONDS
    shift
    printf '\n== %s: %s\n' "$label" "$*"
    if ! "$PY" "$@"; then failed+=("$label: $1"); fi
    printf '   (%ds)\n' $((SECONDS - started))
}

scripts=("${FIRST[@]}")
for path in bench/*.py; do
    name=$(basename "$path" .py)
    [[ $name == _* || $name == *_e2e ]] && continue
    [[ " ${FIRST[*]} ${LAST[*]} " == *" $name "* ]] || scripts+=("$name")
done
scripts+=("${LAST[@]}")

vendor=$(sed -E 's#^([a-z0-9]+):.*#\1#' <<<"${DATABASE_URL:-sqlite}")
for name in "${scripts[@]}"; do
    run "$vendor" "bench/$name.py"
done

# The embedded default (make run with nothing set): pages and the save burst on SQLite.
SQLITE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/uplift-bench-sqlite.XXXXXX")
trap 'rm -rf "$SQLITE_DIR"' EXIT
(
    failed=()
    unset DATABASE_URL
    export UPLIFT_VAR_DIR=$SQLITE_DIR
    for name in seed_demo pages save_burst; do
        run sqlite "bench/$name.py"
    done
    ((${#failed[@]} == 0))
) || failed+=("sqlite: see above")

echo
if ((${#failed[@]})); then
    printf 'make bench: budgets MISSED in %d run(s):\n' "${#failed[@]}"
    printf '  %s\n' "${failed[@]}"
    exit 1
fi
echo "make bench: every budget met"
