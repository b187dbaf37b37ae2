#!/usr/bin/env bash
# Mutation score of the supervisor core and of the invariant checkers (cargo-mutants).
#
#   scripts/mutants.sh [core|checkers|all] [extra cargo-mutants flags, e.g. --in-place --jobs 2]
#
# Each part runs the test selection that kills its mutants fastest, built with the `mutants`
# profile (opt-level 1, no debug info), and ends by printing its score: caught / viable, where
# viable = caught + missed + timeout (a timeout counts as not caught). Results land in
# mutants.out/{core,checkers}/mutants.out/ (outcomes.json, caught.txt, missed.txt, timeout.txt,
# unviable.txt). The figures, the survivors and why each is equivalent: docs/mutation-testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

part="${1:-all}"
[ $# -gt 0 ] && shift

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "== installing cargo-mutants"
    cargo install --locked cargo-mutants
fi

# The planted defects (`--features planted-defects`, for the harness's own tests) are not the
# core: their plumbing is every function named `plant_defect` or `planted*`, and the enum in
# src/supervisor/defect.rs. A mutant there only changes what a planted run does.
PLANTED_RE='\bplant(_defect|ed\w*)\b'

# `cargo mutants` builds with `cargo test --no-run` before it tests: the target selection goes
# in --cargo-arg so that both build only the tests that run (not every test target).
targets() {
    for target in "$@"; do printf -- '--cargo-arg=%s\n' "$target"; done
}

core() {
    echo "== core: src/supervisor/, src/restart_intensity.rs, src/queue_copy.rs, src/options.rs, src/child_spec.rs"
    local files=(--file 'src/supervisor/*.rs' --file src/restart_intensity.rs
        --file src/queue_copy.rs --file src/options.rs --file src/child_spec.rs
        --exclude src/supervisor/defect.rs --exclude src/supervisor/tests.rs
        --exclude-re "$PLANTED_RE")
    local quick full
    # Phase 1: the core's unit tests alone. Mutating `dynsup` then rebuilds only its own test
    # binary, not `dynsup-sim` and the integration tests that link it, so each mutant costs a
    # few seconds; most are caught here.
    mapfile -t quick < <(targets --lib)
    echo "== core, phase 1 of 2: unit tests (cargo test -p dynsup --lib)"
    cargo mutants --profile mutants --package dynsup "${files[@]}" \
        "${quick[@]}" --output mutants.out/core "$@" || true
    # Phase 2: the mutants phase 1 missed (or timed out on), against the whole selection.
    # `--iterate` skips those caught or unviable before and keeps them as previously caught.
    mapfile -t full < <(targets --lib --test conformance --test api_level --test model_based)
    echo "== core, phase 2 of 2: survivors against the conformance, API and model-based tests"
    cargo mutants --profile mutants --package dynsup "${files[@]}" --iterate \
        "${full[@]}" --output mutants.out/core "$@"
}

# The checkers are killed by their own unit tests (hand-made observations, sim --lib) and by
# the planted core defects, each caught by its checker (tests/planted_core_defects.rs of the
# root package; the workspace is these two packages, hence --test-workspace). cargo-mutants
# runs its baseline on the mutated package alone, where that test does not exist: the script
# runs the baseline itself, and gives the timeouts the baseline would have set.
checkers() {
    echo "== checkers: sim/src/invariants/"
    local selection arg test_timeout=(--timeout 60) build_timeout=(--build-timeout 900)
    mapfile -t selection < <(targets --lib --test planted_core_defects)
    for arg in "$@"; do
        case "$arg" in
            --timeout* | -t) test_timeout=() ;;
            --build-timeout*) build_timeout=() ;;
        esac
    done
    echo "== checkers: baseline (unmutated tree)"
    cargo test --profile mutants --workspace --lib --test planted_core_defects -q
    cargo mutants --profile mutants --package dynsup-sim --file 'sim/src/invariants/*.rs' \
        --test-workspace=true --baseline=skip "${test_timeout[@]}" "${build_timeout[@]}" \
        "${selection[@]}" --output mutants.out/checkers "$@"
}

# Prints the score of one part from its result files.
score() {
    local dir="mutants.out/$1/mutants.out" old="mutants.out/$1/mutants.out.old"
    local caught missed timeout unviable viable earlier_unviable=0
    count() { if [ -f "$dir/$1.txt" ]; then grep -c . "$dir/$1.txt" || true; else echo 0; fi; }
    # After a phase run with --iterate, previously_caught.txt lists what the earlier phase
    # caught *and* what it found unviable; cargo-mutants keeps that phase's results in
    # mutants.out.old, whose unviable.txt tells the two apart.
    if [ -f "$dir/previously_caught.txt" ] && [ -f "$old/unviable.txt" ]; then
        earlier_unviable=$(grep -cxFf "$old/unviable.txt" "$dir/previously_caught.txt" || true)
    fi
    caught=$(($(count caught) + $(count previously_caught) - earlier_unviable))
    missed=$(count missed)
    timeout=$(count timeout)
    unviable=$(($(count unviable) + earlier_unviable))
    viable=$((caught + missed + timeout))
    if [ "$viable" -eq 0 ]; then
        echo "== score $1: no viable mutant tested"
        return
    fi
    echo "== score $1: $caught caught / $viable viable ($((caught * 1000 / viable / 10)).$((caught * 1000 / viable % 10))%);" \
        "$missed missed, $timeout timeout, $unviable unviable"
    if [ "$missed" -gt 0 ]; then
        sed 's/^/   missed: /' "$dir/missed.txt"
    fi
}

# Runs one part, then prints its score even when mutants survived (cargo-mutants exits non-zero).
status=0
run() {
    local rc=0
    mkdir -p "mutants.out/$1"
    "$1" "${@:2}" || rc=$?
    score "$1"
    if [ "$rc" -ne 0 ]; then status=$rc; fi
}

case "$part" in
    core) run core "$@" ;;
    checkers) run checkers "$@" ;;
    all) run core "$@"; run checkers "$@" ;;
    *) echo "usage: scripts/mutants.sh [core|checkers|all] [cargo-mutants flags]" >&2; exit 2 ;;
esac
exit "$status"
