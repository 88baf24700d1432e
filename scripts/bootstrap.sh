#!/usr/bin/env bash
# Prepare a fresh Debian machine (Python >= 3.11) for sre: system packages, then virtualenvs.
# Idempotent and quiet when everything is already there. Usage: scripts/bootstrap.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# Debian packages: the real Prometheus tools are what generated rules are tested against.
declare -A pkg_for=([prometheus]=prometheus [promtool]=prometheus [amtool]=prometheus-alertmanager)
[ $want_test = 1 ] && pkg_for[chromium]=chromium
missing=()
for bin in "${!pkg_for[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${pkg_for[$bin]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: Python >= 3.11 is needed ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi

# Reinstall only when the project's dependencies changed.
extras=""
[ $want_test = 1 ] && extras="[test]"
stamp=".venv/.sre-installed$extras"
digest=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  echo "bootstrap: installing sre$extras into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
  echo "$digest" > "$stamp"
fi

# checkov pins its own fork of the hcl2 module, which breaks python-hcl2: keep it apart.
if [ $want_test = 1 ]; then
  ck_digest=$(sha256sum requirements-checkov.txt | cut -c1-16)
  if [ "$(cat .venv-checkov/.sre-installed 2>/dev/null)" != "$ck_digest" ]; then
    echo "bootstrap: installing checkov into .venv-checkov"
    "$python" -m venv .venv-checkov
    .venv-checkov/bin/python -m pip install -q --disable-pip-version-check -r requirements-checkov.txt
    echo "$ck_digest" > .venv-checkov/.sre-installed
  fi
fi
