#!/usr/bin/env bash
# The whole test suite: lint, the committed output is current, runbook links, then pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test || exit 1
set -e
.venv/bin/ruff check .
.venv/bin/sre validate slo
.venv/bin/sre generate --check
.venv/bin/sre runbooks check
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "test.sh: pytest collected no tests: failing" >&2
  exit 1
fi
exit $rc
