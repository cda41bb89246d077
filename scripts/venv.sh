# Sourced by ./run and ./test: make (or reuse) the project's virtual environment in .venv.
# The network is used only when the venv is new or pyproject.toml changed since the last install; when
# neither pyproject.toml nor the venv's python changed since the last start, nothing is hashed either.
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

file_facts() {  # file_facts FILE...: each file's mtime (to the nanosecond), size and inode, on one line
  stat -L --printf '%y|%s|%i;' "$@" 2>/dev/null || stat -L -n -f '%Fm|%z|%i;' "$@" 2>/dev/null
}

ensure_venv() {  # ensure_venv EXTRAS  ("" for the app, "test" for the test tools)
  # Nothing changed (the usual start): one stat of pyproject.toml and the venv's python against what was
  # seen when they were last checked; no hashing, no pip. Else hash pyproject.toml, install only if that
  # changed, and remember what was seen.
  local extras="$1" spec stamp seen seen_facts="" seen_kind="" now want kind py
  stamp="$VENV/.broker-tui-installed"  # the hash of pyproject.toml installed, and for what (-app, -test)
  seen="$VENV/.broker-tui-seen"  # line 1: file_facts of pyproject.toml and the venv python; line 2: app|test
  if [ -x "$VENV/bin/python" ] && [ -f "$seen" ]; then
    { IFS= read -r seen_facts; IFS= read -r seen_kind; } < "$seen" || true
    now="$(file_facts "$ROOT/pyproject.toml" "$VENV/bin/python")" || now=""
    if [ -n "$now" ] && [ "$now" = "$seen_facts" ] && { [ -z "$extras" ] || [ "$seen_kind" = "$extras" ]; }; then
      return 0
    fi
  fi
  spec="."; [ -n "$extras" ] && spec=".[$extras]"
  want="$(sha256sum < "$ROOT/pyproject.toml" | cut -c1-16)-${extras:-app}"
  kind=""
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && grep -qx -- "$want" "$stamp"; then
    kind="${extras:-app}"
  elif [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$extras" = "" ] && grep -q -- "-test$" "$stamp" \
     && grep -q -- "^${want%-app}" "$stamp"; then
    kind="test"  # the test install has everything the app needs
  fi
  if [ -z "$kind" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
      py="$(find_python)" || return 1
      echo "Creating the virtual environment in $VENV (first start only)…" >&2
      "$py" -m venv "$VENV" || return 1
    fi
    echo "Installing broker-tui${extras:+ with its $extras tools} into $VENV…" >&2
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec") || return 1
    # Our own modules as bytecode now: Python writes it on the first start anyway, except where the
    # environment says not to (PYTHONDONTWRITEBYTECODE), and there every start compiled them all again.
    "$VENV/bin/python" -m compileall -q "$ROOT/broker_tui" >/dev/null 2>&1 || true
    echo "$want" > "$stamp"
    kind="${extras:-app}"
  fi
  now="$(file_facts "$ROOT/pyproject.toml" "$VENV/bin/python")" || now=""
  if [ -n "$now" ]; then
    printf '%s\n%s\n' "$now" "$kind" > "$seen" || true  # only a shortcut: without it the hash is checked
  else
    rm -f "$seen"
  fi
}
