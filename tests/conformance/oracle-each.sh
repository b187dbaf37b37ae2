#!/usr/bin/env bash
# Runs the real-OTP oracle (oracle.exs: the real DynamicSupervisor, or the real Supervisor and
# DynamicSupervisor for tree files) over scenario files and writes each file's transcript to
# OUTDIR/NAME.out (NAME: the file's name without `.scn`). Used by check-live.sh,
# refresh-goldens.sh and differential.sh.
#
#     tests/conformance/oracle-each.sh [--parallel P] OUTDIR FILE...
#
# One oracle run (one BEAM start) takes many files and prints each transcript after a line
# `== NAME`, or a single file's transcript alone; this script splits them either way. With
# --parallel P (1 to 64, default 1), P oracle runs go at once, each over every P-th file: they
# mostly sleep, since scenarios run in real time. The oracles' standard error goes to
# OUTDIR/oracle-N.err. Exits 1 when an oracle run failed (its transcripts from the failure on
# are missing: callers check for each NAME.out), 2 on bad arguments. Needs `elixir` (Elixir 1.14
# on Erlang/OTP 25).
set -euo pipefail
shopt -s nullglob

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

parallel=1
if [ "${1:-}" = --parallel ]; then
    if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ] || [ "$2" -gt 64 ]; then
        echo "oracle-each: --parallel needs a number from 1 to 64" >&2
        exit 2
    fi
    parallel="$2"
    shift 2
fi
if [ $# -lt 2 ]; then
    echo "usage: oracle-each.sh [--parallel P] OUTDIR FILE..." >&2
    exit 2
fi
out="$1"
shift
mkdir -p "$out"
files=("$@")

# Runs the oracle over one lane's files into OUTDIR/oracle-LANE.all, with a header for a single
# file so that every transcript is split alike.
run_lane() {
    local lane="$1"
    shift
    if [ $# -eq 1 ]; then
        { echo "== $(basename "$1" .scn)"; elixir "$here/oracle.exs" "$1"; }
    else
        elixir "$here/oracle.exs" "$@"
    fi >"$out/oracle-$lane.all" 2>"$out/oracle-$lane.err"
}

pids=()
for ((lane = 0; lane < parallel; lane++)); do
    chunk=()
    for ((i = lane; i < ${#files[@]}; i += parallel)); do chunk+=("${files[$i]}"); done
    [ ${#chunk[@]} -eq 0 ] && continue
    run_lane "$lane" "${chunk[@]}" &
    pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done

for all in "$out"/oracle-*.all; do
    OUT_DIR="$out" perl -ne '
        if (/^== (.*)$/) { close OUT if $name; $name = $1; open OUT, ">", "$ENV{OUT_DIR}/$name.out" or die "$!"; next }
        print OUT $_ if $name;
    ' "$all"
    rm -f "$all"
done
if [ "$status" -ne 0 ]; then
    echo "oracle-each: an oracle run failed (see $out/oracle-*.err); transcripts after the failure are missing" >&2
fi
exit "$status"
