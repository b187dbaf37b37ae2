#!/usr/bin/env bash
# Runs the real-OTP oracle over every scenario of both sets (tests/scenarios/*.scn, format 1, and
# tests/tree_scenarios/*.scn, tree files), or over the files given as arguments (the set of a file
# is the directory it is in), and compares each transcript with the content of its golden snapshot
# (everything after the second `---` line):
#   tests/snapshots/conformance__transcript@NAME.scn.snap       (tests/scenarios)
#   tests/snapshots/tree_conformance__transcript@NAME.scn.snap  (tests/tree_scenarios)
# Prints a diff for each mismatch, then `N passed, M failed` for each set; exits non-zero on any
# mismatch. Needs `elixir` (Elixir 1.14 on Erlang/OTP 25). Works from any directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

files=()
for f in "$@"; do
    case "$f" in
        /*) files+=("$f") ;;
        *) files+=("$PWD/$f") ;;
    esac
done
cd "$root"
if [ ${#files[@]} -eq 0 ]; then
    files=(tests/scenarios/*.scn tests/tree_scenarios/*.scn)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

ok=0

# Checks one set: check_set SET FILE... (SET: scenarios or tree_scenarios).
check_set() {
    local set="$1"
    shift
    local prefix=conformance
    [ "$set" = tree_scenarios ] && prefix=tree_conformance
    local out="$tmp/$set"
    mkdir -p "$out"

    if ! "$here/oracle-each.sh" "$out" "$@"; then
        cat "$out"/oracle-*.err >&2
        echo "check-live: the oracle failed on $set; transcripts after the failure are missing" >&2
        ok=1
    fi

    local passed=0 failed=0 f name snap
    for f in "$@"; do
        name="$(basename "$f" .scn)"
        snap="tests/snapshots/${prefix}__transcript@$name.scn.snap"
        if [ ! -f "$snap" ]; then
            echo "FAIL $set/$name: no snapshot $snap"
            failed=$((failed + 1))
            continue
        fi
        if [ ! -f "$out/$name.out" ]; then
            echo "FAIL $set/$name: the oracle printed no transcript"
            failed=$((failed + 1))
            continue
        fi
        awk 'c >= 2 { print; next } $0 == "---" { c++ }' "$snap" > "$out/$name.golden"
        if diff -u --label "golden/$name" --label "oracle/$name" "$out/$name.golden" "$out/$name.out" > "$out/$name.diff"; then
            passed=$((passed + 1))
        else
            echo "FAIL $set/$name"
            cat "$out/$name.diff"
            failed=$((failed + 1))
        fi
    done

    echo "$set: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] || ok=1
}

flat=()
tree=()
for f in "${files[@]}"; do
    case "$(basename "$(dirname "$f")")" in
        tree_scenarios) tree+=("$f") ;;
        *) flat+=("$f") ;;
    esac
done
if [ ${#flat[@]} -gt 0 ]; then check_set scenarios "${flat[@]}"; fi
if [ ${#tree[@]} -gt 0 ]; then check_set tree_scenarios "${tree[@]}"; fi
exit "$ok"
