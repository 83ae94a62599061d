#!/usr/bin/env bash
# Sets up what the local pipeline and the tests need, on a fresh machine with Python 3.11 and
# Java 17: the SQLite JDBC driver (Debian package) and the repo's virtualenv (.venv) with the
# pinned dependencies of pyproject.toml. Idempotent: a second run with nothing changed takes a
# second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

python_bin=""
for candidate in "${PYTHON:-}" python3.11 python3; do
  [[ -n $candidate ]] || continue
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    python_bin=$candidate; break
  fi
done
[[ -n $python_bin ]] || die "Python 3.11 not found (Glue 5 runs Python 3.11); install it or set PYTHON=/path/to/python3.11"

command -v java >/dev/null 2>&1 || die "java not found: install a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless)"
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
[[ ${java_major:-0} -ge 17 ]] || die "Java 17 or newer needed for Spark 3.5 (found: ${java_major:-unknown})"

if [[ ! -f /usr/share/java/sqlite-jdbc.jar && ! -f /usr/share/java/xerial-sqlite-jdbc.jar ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing the SQLite JDBC driver (libxerial-sqlite-jdbc-java)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxerial-sqlite-jdbc-java >/dev/null
  else
    die "SQLite JDBC driver missing: run 'sudo apt-get install libxerial-sqlite-jdbc-java'"
  fi
fi

stamp=.venv/.leanops-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ -x .venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  say "virtualenv .venv is up to date"
  exit 0
fi
say "creating .venv with $python_bin and installing pinned dependencies (first time: ~1-2 minutes)"
[[ -x .venv/bin/python ]] || "$python_bin" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
echo "$want" > "$stamp"
say "done"
