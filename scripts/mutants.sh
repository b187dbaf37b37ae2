#!/usr/bin/env bash
# Mutation score of the supervisor core and of the invariant checkers (cargo-mutants).
#
#   scripts/mutants.sh [core|checkers|all] [extra cargo-mutants flags, e.g. --in-place --jobs 2]
#
# Each part runs the test selection that kills its mutants fastest, built with the `mutants`
# profile (opt-level 1, no debug info). Results land in mutants.out/{core,checkers}/mutants.out/ (outcomes.json, caught.txt,
# missed.txt, unviable.txt). Survivors and why each is equivalent: docs/mutation-testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p mutants.out
part="${1:-all}"
[ $# -gt 0 ] && shift

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "== installing cargo-mutants"
    cargo install --locked cargo-mutants
fi

core() {
    echo "== core: src/supervisor/, src/restart_intensity.rs, src/options.rs, src/child_spec.rs"
    cargo mutants --profile mutants --package dynsup \
        --file 'src/supervisor/*.rs' --file src/restart_intensity.rs \
        --file src/options.rs --file src/child_spec.rs \
        --exclude src/supervisor/defect.rs --exclude src/supervisor/tests.rs \
        --output mutants.out/core "$@" \
        -- --lib --test conformance --test api_level --test model_based
}

checkers() {
    echo "== checkers: sim/src/invariants/"
    cargo mutants --profile mutants --package dynsup-sim --file 'sim/src/invariants/*.rs' \
        --output mutants.out/checkers "$@" \
        -- --lib
}

case "$part" in
    core) core "$@" ;;
    checkers) checkers "$@" ;;
    all) core "$@"; checkers "$@" ;;
    *) echo "usage: scripts/mutants.sh [core|checkers|all] [cargo-mutants flags]" >&2; exit 2 ;;
esac
