#!/usr/bin/env bash
# Differential check against the real OTP on random scenarios: writes the explorer's scenarios
# of a range of seeds (`dynsup-sim explore --write-scenarios`), runs each through the oracle
# (the real DynamicSupervisor; with --trees, random tree files on the real Supervisor and
# DynamicSupervisor) and through `dynsup-sim run`, and compares the two transcripts.
#
#     tests/conformance/differential.sh [--trees] [--seeds N] [--first-seed S] [--steps K] [--parallel P]
#
# Defaults: 40 seeds from 0, 25 steps, 8 oracles at once (they mostly sleep: scenarios run in
# real time, up to about 25 s each at 25 steps). Each difference is printed as a diff, and its
# scenario kept under target/differential/. A file that differed is run through the oracle
# alone, three times: when every lone run agrees, it counts as a near-tie under load (a step
# within a few milliseconds of a deadline, which many oracles at once can tip on the BEAM
# itself), not as a difference. The last line is `differential: N agreed, M differed, R not
# compared (the name race), T near-ties (agreed alone)` (R: tree files that race on the BEAM
# itself, the name race of docs/tree-scenarios.md). Exits 1 when any differed, 2 on bad
# arguments. Needs `elixir` (Elixir 1.14 on Erlang/OTP 25) and builds dynsup-sim (release), which
# writes the scenarios; DYNSUP_SIM may name another build of it to run them. Works from any
# directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

seeds=40 first=0 steps=25 parallel=8 trees=()
while [ $# -gt 0 ]; do
    case "$1" in
        --trees) trees=(--trees); shift ;;
        --seeds | --first-seed | --steps | --parallel)
            if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
                echo "differential: $1 needs a number" >&2
                exit 2
            fi
            case "$1" in
                --seeds) seeds="$2" ;;
                --first-seed) first="$2" ;;
                --steps) steps="$2" ;;
                --parallel) parallel="$2" ;;
            esac
            shift 2
            ;;
        *)
            echo "differential: unknown argument \`$1\` (see the comment atop $0)" >&2
            exit 2
            ;;
    esac
done
if [ "$seeds" -lt 1 ] || [ "$seeds" -gt 10000 ] || [ "$parallel" -lt 1 ] || [ "$parallel" -gt 64 ]; then
    echo "differential: --seeds must be 1 to 10000 and --parallel 1 to 64" >&2
    exit 2
fi

cd "$root"
cargo build --release -q -p dynsup-sim
writer="$root/target/release/dynsup-sim"
sim="${DYNSUP_SIM:-$writer}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$writer" explore "${trees[@]}" --first-seed "$first" --seeds "$seeds" --steps "$steps" \
    --write-scenarios "$tmp/scn" >/dev/null

# A failed oracle run shows below as the files it printed no transcript for.
files=("$tmp"/scn/*.scn)
"$here/oracle-each.sh" --parallel "$parallel" "$tmp/otp" "${files[@]}" || true

keep="$root/target/differential"
agreed=0 differed=0 racy=0 near=0

# Whether FILE's transcript equals SIM_OUT in three runs of the oracle alone (in DIR); the
# first lone run that differs replaces the oracle's transcript shown in the diff below.
agrees_alone() {
    local file="$1" sim_out="$2" dir="$3" run name
    name="$(basename "$file" .scn)"
    for run in 1 2 3; do
        "$here/oracle-each.sh" "$dir/$run" "$file" >/dev/null 2>&1 || return 1
        if ! cmp -s "$dir/$run/$name.out" "$sim_out"; then
            cp "$dir/$run/$name.out" "$tmp/otp/$name.out"
            return 1
        fi
    done
}
for f in "${files[@]}"; do
    name="$(basename "$f" .scn)"
    mine="$tmp/$name.sim"
    "$sim" run "$f" >"$mine" 2>"$mine.err" || true
    # A tree file in which a killed supervisor's orphan still holds a name its restart needs
    # races on the BEAM itself (docs/tree-scenarios.md, "the name race"): not compared.
    if grep -q "(the name race)" "$mine.err"; then
        racy=$((racy + 1))
        continue
    fi
    if [ -f "$tmp/otp/$name.out" ] && cmp -s "$tmp/otp/$name.out" "$mine"; then
        agreed=$((agreed + 1))
        continue
    fi
    kept="target/differential/$name${trees[*]:+-tree}.scn"
    mkdir -p "$keep"
    cp "$f" "$root/$kept"
    # Under many oracles at once a step within a few milliseconds of a deadline can come out
    # differently on the BEAM itself: a file that differed is run alone, up to three times,
    # and counts as a near-tie under load only if every lone run agrees.
    if [ -f "$tmp/otp/$name.out" ] && agrees_alone "$f" "$mine" "$tmp/alone-$name"; then
        near=$((near + 1))
        echo "== $name differed under load, agreed in 3 lone runs (a near-tie; seed kept as $kept)"
        continue
    fi
    differed=$((differed + 1))
    echo "== $name differs (kept as $kept; < real OTP, > dynsup-sim)"
    if [ -f "$tmp/otp/$name.out" ]; then
        diff "$tmp/otp/$name.out" "$mine" || true
        cat "$mine.err"
    else
        echo "the oracle printed no transcript:"
        cat "$tmp"/otp/oracle-*.err
    fi
done
echo "differential: $agreed agreed, $differed differed, $racy not compared (the name race), $near near-ties (agreed alone) (seeds $first to $((first + seeds - 1)), $steps steps${trees[*]:+, trees})"
[ "$differed" -eq 0 ]
