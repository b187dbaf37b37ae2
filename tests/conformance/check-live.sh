#!/usr/bin/env bash
# Runs the real-OTP oracle over every tests/scenarios/*.scn (or the files given as arguments) and
# compares each transcript with the content of its golden snapshot
# tests/snapshots/conformance__transcript@NAME.scn.snap (everything after the second `---` line).
# Prints a diff for each mismatch, then `N passed, M failed`; exits non-zero on any mismatch.
# Needs `elixir` (Elixir 1.14 on Erlang/OTP 25). Works from any directory.
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
    files=(tests/scenarios/*.scn)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

status=0
if [ ${#files[@]} -eq 1 ]; then
    { echo "== $(basename "${files[0]}" .scn)"; elixir "$here/oracle.exs" "${files[0]}"; } > "$tmp/all" || status=$?
else
    elixir "$here/oracle.exs" "${files[@]}" > "$tmp/all" || status=$?
fi
if [ "$status" -ne 0 ]; then
    echo "check-live: the oracle failed (exit $status); transcripts after the failure are missing" >&2
fi

perl -ne '
    if (/^== (.*)$/) { close OUT if $name; $name = $1; open OUT, ">", "'"$tmp"'/$name.out" or die; next }
    print OUT $_;
' "$tmp/all"

passed=0
failed=0
for f in "${files[@]}"; do
    name="$(basename "$f" .scn)"
    snap="tests/snapshots/conformance__transcript@$name.scn.snap"
    if [ ! -f "$snap" ]; then
        echo "FAIL $name: no snapshot $snap"
        failed=$((failed + 1))
        continue
    fi
    if [ ! -f "$tmp/$name.out" ]; then
        echo "FAIL $name: the oracle printed no transcript"
        failed=$((failed + 1))
        continue
    fi
    awk 'c >= 2 { print; next } $0 == "---" { c++ }' "$snap" > "$tmp/$name.golden"
    if diff -u --label "golden/$name" --label "oracle/$name" "$tmp/$name.golden" "$tmp/$name.out" > "$tmp/$name.diff"; then
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        cat "$tmp/$name.diff"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
