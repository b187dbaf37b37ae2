#!/usr/bin/env bash
# (Re)writes the golden transcripts by running the real-OTP oracle:
#   tests/scenarios/NAME.scn      -> tests/snapshots/conformance__transcript@NAME.scn.snap      (format 1)
#   tests/tree_scenarios/NAME.scn -> tests/snapshots/tree_conformance__transcript@NAME.scn.snap (tree files)
# over every scenario of both sets, or over the scenario files given as arguments (the set of a
# file is the directory it is in). Needs `elixir` (Elixir 1.14 on Erlang/OTP 25). Works from any
# directory.
#
#     tests/conformance/refresh-goldens.sh                            # all scenarios, both sets
#     tests/conformance/refresh-goldens.sh tests/scenarios/x.scn      # just these
#     tests/conformance/refresh-goldens.sh tests/tree_scenarios/*.scn # one set
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Arguments may be relative to the caller's directory: make them absolute before the cd.
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

# Writes the snapshots of one set: run_set SET FILE... (SET: scenarios or tree_scenarios).
run_set() {
    local set="$1"
    shift
    local prefix=conformance
    [ "$set" = tree_scenarios ] && prefix=tree_conformance
    local out="$tmp/$set"
    mkdir -p "$out"

    # One oracle run for all files of the set (one BEAM start, one warm-up), split into one
    # transcript per scenario: $out/NAME.out
    if ! "$here/oracle-each.sh" "$out" "$@"; then
        cat "$out"/oracle-*.err >&2
        exit 1
    fi

    mkdir -p tests/snapshots
    local f name desc snap
    for f in "$@"; do
        name="$(basename "$f" .scn)"
        if [ ! -f "$out/$name.out" ]; then
            echo "refresh-goldens: no transcript for $name" >&2
            exit 1
        fi
        # The scenario text as a YAML double-quoted string (insta's description field).
        desc="$(perl -0777 -pe 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g; s/\r/\\r/g; s/\n/\\n/g' "$f")"
        snap="tests/snapshots/${prefix}__transcript@$name.scn.snap"
        {
            echo "---"
            echo "source: tests/$prefix.rs"
            echo "description: \"$desc\""
            echo "expression: transcript"
            echo "input_file: tests/$set/$name.scn"
            echo "---"
            cat "$out/$name.out"
        } > "$snap"
        echo "wrote $snap"
    done
}

flat=()
tree=()
for f in "${files[@]}"; do
    case "$(basename "$(dirname "$f")")" in
        tree_scenarios) tree+=("$f") ;;
        *) flat+=("$f") ;;
    esac
done
if [ ${#flat[@]} -gt 0 ]; then run_set scenarios "${flat[@]}"; fi
if [ ${#tree[@]} -gt 0 ]; then run_set tree_scenarios "${tree[@]}"; fi
