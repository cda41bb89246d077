# Sourced by ./run and ./test: make (or reuse) the project's virtual environment in .venv.
# The network is used only when the venv is new or pyproject.toml changed since the last install.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BROKER_TUI_VENV:-$ROOT/.venv}"

find_python() {
  for py in python3.13 python3.12 python3.11 python3 python; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "broker-tui needs Python 3.11 or newer; none was found on PATH" >&2
  return 1
}

ensure_venv() {  # ensure_venv EXTRAS  ("" for the app, "test" for the test tools)
  local extras="$1" spec stamp py want
  spec="."; [ -n "$extras" ] && spec=".[$extras]"
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-${extras:-app}"
  stamp="$VENV/.broker-tui-installed"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && grep -qx -- "$want" "$stamp"; then
    return 0
  fi
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$extras" = "" ] && grep -q -- "-test$" "$stamp" \
     && grep -q -- "^${want%-app}" "$stamp"; then
    return 0  # the test install has everything the app needs
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    py="$(find_python)" || return 1
    echo "Creating the virtual environment in $VENV (first start only)…" >&2
    "$py" -m venv "$VENV" || return 1
  fi
  echo "Installing broker-tui${extras:+ with its $extras tools} into $VENV…" >&2
  (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec") || return 1
  echo "$want" > "$stamp"
}
