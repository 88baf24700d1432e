#!/usr/bin/env bash
# The main job on an embedded default: 30 days of synthetic metrics for the stack, a real local
# Prometheus with the generated rules, and the error-budget report. No cloud account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/sre validate slo
.venv/bin/sre generate --check
exec .venv/bin/sre demo "$@"
