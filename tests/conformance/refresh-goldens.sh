#!/usr/bin/env bash
# (Re)writes the golden transcripts tests/snapshots/conformance__transcript@NAME.scn.snap by
# running the real-OTP oracle over every tests/scenarios/*.scn, or over the scenario files given
# as arguments. Needs `elixir` (Elixir 1.14 on Erlang/OTP 25). Works from any directory.
#
#     tests/conformance/refresh-goldens.sh                       # all scenarios
#     tests/conformance/refresh-goldens.sh tests/scenarios/x.scn # just these
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
    files=(tests/scenarios/*.scn)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One oracle run for all files (one BEAM start, one warm-up). With a single file the oracle prints
# no `== NAME` header, so add it here to split uniformly.
if [ ${#files[@]} -eq 1 ]; then
    { echo "== $(basename "${files[0]}" .scn)"; elixir "$here/oracle.exs" "${files[0]}"; } > "$tmp/all"
else
    elixir "$here/oracle.exs" "${files[@]}" > "$tmp/all"
fi

# Split into one transcript per scenario: $tmp/NAME.out
perl -ne '
    if (/^== (.*)$/) { close OUT if $name; $name = $1; open OUT, ">", "'"$tmp"'/$name.out" or die; next }
    print OUT $_;
' "$tmp/all"

mkdir -p tests/snapshots
for f in "${files[@]}"; do
    name="$(basename "$f" .scn)"
    if [ ! -f "$tmp/$name.out" ]; then
        echo "refresh-goldens: no transcript for $name" >&2
        exit 1
    fi
    # The scenario text as a YAML double-quoted string (insta's description field).
    desc="$(perl -0777 -pe 's/\\/\\\\/g; s/"/\\"/g; s/\t/\\t/g; s/\r/\\r/g; s/\n/\\n/g' "$f")"
    snap="tests/snapshots/conformance__transcript@$name.scn.snap"
    {
        echo "---"
        echo "source: tests/conformance.rs"
        echo "description: \"$desc\""
        echo "expression: transcript"
        echo "input_file: tests/scenarios/$name.scn"
        echo "---"
        cat "$tmp/$name.out"
    } > "$snap"
    echo "wrote $snap"
done
