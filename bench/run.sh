#!/usr/bin/env bash
# Run the HTTP benchmark (see bench/README.md):
#   bench/run.sh                          # all targets: ours-sqlite ours-postgresql cap
#   bench/run.sh ours-sqlite --duration 30s
# Everything else is in bench/run.py (same arguments; --help).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is not installed. On Debian/Ubuntu: apt-get update && apt-get install -y wrk" >&2
  exit 2
fi
PY="$REPO/.venv/bin/python"
[ -x "$PY" ] || { echo "no venv at $REPO/.venv (python -m venv .venv && .venv/bin/pip install -e '.[test]')" >&2; exit 2; }
exec "$PY" "$HERE/run.py" "$@"
