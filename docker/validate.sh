#!/usr/bin/env bash
# Validates the container files without a Docker engine (CI runs it after the tests):
#   1. docker/compose.yaml with `docker-compose config -q` (Debian's docker-compose package, installed if missing);
#   2. docker/Dockerfile with dockerfile-utils' linter (npm package, pinned, installed once into a cache directory;
#      it is the linter behind the VS Code Docker extension: instruction syntax, flags, durations, stage names, ...);
#   3. docker/entrypoint.sh with `sh -n`;
#   4. the Prometheus and Grafana provisioning YAML and dashboard JSON parse, the data source has uid "prometheus",
#      and Prometheus scrapes the port the image's health check uses.
# Exits non-zero on the first invalid file. After the first run it needs no network.
#
#   docker/validate.sh [DIR]      DIR = the docker/ directory to check (default: the one next to this script)
#
# Environment: DOCKERFILE_UTILS_VERSION (default 0.16.3), METASTREAM_CI_CACHE (default ~/.cache/metastream-ci).
set -euo pipefail

dir="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")}" && pwd)"
cache="${METASTREAM_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/metastream-ci}"
linter_version="${DOCKERFILE_UTILS_VERSION:-0.16.3}"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'docker/validate.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    fail "need root (or sudo) to run: $*"
  fi
}

# ---- 1. compose file -------------------------------------------------------------------------------------------------
step "compose: docker-compose config ($dir/compose.yaml)"
if ! command -v docker-compose >/dev/null; then
  echo "installing Debian's docker-compose package"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null; }
fi
docker-compose --version
docker-compose -f "$dir/compose.yaml" config -q
echo "ok"

# ---- 2. Dockerfile ---------------------------------------------------------------------------------------------------
step "Dockerfile: dockerfile-utils lint $linter_version ($dir/Dockerfile)"
linter="$cache/dockerfile-utils-$linter_version/node_modules/.bin/dockerfile-utils"
if [ ! -x "$linter" ]; then
  command -v npm >/dev/null || fail "npm is needed once to install the Dockerfile linter (apt-get install npm)"
  mkdir -p "$cache/dockerfile-utils-$linter_version"
  npm install --prefix "$cache/dockerfile-utils-$linter_version" --no-audit --no-fund --loglevel=error \
    "dockerfile-utils@$linter_version" >/dev/null
fi
# The linter prints each problem with its line; its exit status is non-zero when there is an error.
out="$("$linter" lint "$dir/Dockerfile")" || { echo "$out"; fail "Dockerfile has errors"; }
if [ -n "$out" ]; then
  echo "$out"
  fail "Dockerfile has warnings"
fi
echo "ok"

# ---- 3. entry point --------------------------------------------------------------------------------------------------
step "entrypoint.sh: sh -n"
sh -n "$dir/entrypoint.sh"
[ -x "$dir/entrypoint.sh" ] || fail "entrypoint.sh must be executable (COPY keeps the mode)"
echo "ok"

# ---- 4. Prometheus and Grafana ---------------------------------------------------------------------------------------
step "Prometheus and Grafana provisioning"
# python3-yaml comes with Debian's docker-compose.
python3 - "$dir" <<'PY'
import json, pathlib, re, sys, yaml

d = pathlib.Path(sys.argv[1])
def load(p):
    try:
        return yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        sys.exit(f"docker/validate.sh: {p}: invalid YAML: {e}")

prom = load(d / "prometheus/prometheus.yml")
targets = [t for job in prom["scrape_configs"] if job["job_name"] == "metastream"
           for sc in job["static_configs"] for t in sc["targets"]]
port = re.search(r"METASTREAM_HTTP_PORT=(\d+)", (d / "Dockerfile").read_text()).group(1)
if not targets or any(not t.endswith(":" + port) for t in targets):
    sys.exit(f"docker/validate.sh: Prometheus targets {targets} do not all use the image's HTTP port {port}")

sources = [s for f in sorted((d / "grafana/provisioning/datasources").glob("*.y*ml"))
           for s in load(f).get("datasources", [])]
if not any(s.get("uid") == "prometheus" and s.get("type") == "prometheus" for s in sources):
    sys.exit("docker/validate.sh: no Grafana data source with uid 'prometheus' and type 'prometheus'")
for f in sorted((d / "grafana/provisioning/dashboards").glob("*.y*ml")):
    for p in load(f).get("providers", []):
        if p.get("type") != "file" or not p.get("options", {}).get("path"):
            sys.exit(f"docker/validate.sh: {f}: dashboard provider needs type file and options.path")

dashboards = sorted((d / "grafana/dashboards").glob("*.json"))
for f in dashboards:
    try:
        json.loads(f.read_text())
    except ValueError as e:
        sys.exit(f"docker/validate.sh: {f}: invalid JSON: {e}")
print(f"ok: {len(targets)} scrape targets on port {port}, {len(sources)} data source(s), "
      f"{len(dashboards)} dashboard(s)" + ("" if dashboards else " (none yet in grafana/dashboards/)"))
PY
