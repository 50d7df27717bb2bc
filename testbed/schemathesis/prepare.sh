#!/usr/bin/env bash
# Installs Schemathesis (PyPI, the OpenAPI fuzzer `st`) into a venv in the cache, keyed by
# version: $BM_CACHE_DIR/schemathesis-<version>/bin/st. Idempotent; bin/test runs it before
# Maven. Prints one line with the timing.
#
#   prepare.sh          install if needed
#   prepare.sh --bin    install if needed, then print the path of `st` on stdout (the status
#                       line goes to stderr), e.g.  ST=$(bash testbed/schemathesis/prepare.sh --bin)
#
# The venv is built in a temporary directory beside it and renamed when complete, so an
# interrupted build is never used. The exact dependency versions come from
# constraints-<version>.txt beside this script; changing that file rebuilds the venv.
# pip uses the host's own configuration (pip.conf files, PIP_* variables).
set -euo pipefail

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
CACHE_DIR="${BM_CACHE_DIR:-/var/cache/bm-pipeline}"
PYTHON="${BM_PYTHON:-python3}"          # schemathesis 4.32 needs Python >= 3.11

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV="$CACHE_DIR/schemathesis-$SCHEMATHESIS_VERSION"
MARKER="$VENV/.bm-complete"             # written last: a venv without it is rebuilt
LOG="$CACHE_DIR/schemathesis-$SCHEMATHESIS_VERSION.install.log"
CONSTRAINTS="$HERE/constraints-$SCHEMATHESIS_VERSION.txt"

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%ds' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }
T0=$(now_ms)

out_fd=1
if [[ ${1:-} == --bin ]]; then out_fd=2
elif [[ -n ${1:-} ]]; then sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2
fi
say() { printf 'testbed/schemathesis: %s\n' "$*" >&"$out_fd"; }
die() { printf 'testbed/schemathesis: ERROR: %s\n' "$*" >&2; exit 1; }
done_ok() { [[ ${1:-} == --bin ]] && echo "$VENV/bin/st"; return 0; }

# What the marker says: the version and the constraints it was built with.
want_marker() {
  local sum=none
  [[ -f $CONSTRAINTS ]] && sum=$(sha256sum "$CONSTRAINTS" | cut -c1-16)
  echo "schemathesis=$SCHEMATHESIS_VERSION constraints=$sum"
}
installed() {   # complete, same constraints, and its interpreter still exists
  [[ -f $MARKER && -x $VENV/bin/python && $(head -n 1 "$MARKER") == "$(want_marker)" ]]
}

if installed; then
  say "schemathesis $SCHEMATHESIS_VERSION ready in $VENV (cached, $(since "$T0"))"
  done_ok "$@"; exit 0
fi

mkdir -p "$CACHE_DIR"
# One build at a time (engineers and CI share the cache); whoever waited re-checks.
exec 9>"$CACHE_DIR/.schemathesis.lock"
flock -w 900 9 || die "another prepare.sh holds $CACHE_DIR/.schemathesis.lock"
if installed; then
  say "schemathesis $SCHEMATHESIS_VERSION ready in $VENV (built by another run, $(since "$T0"))"
  done_ok "$@"; exit 0
fi

build() {   # build DIR: a complete venv in DIR whose scripts already name $VENV
  local dir=$1 base_prefix
  command -v "$PYTHON" >/dev/null || { echo "no $PYTHON on PATH"; return 1; }
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    { echo "$PYTHON is $("$PYTHON" --version 2>&1); schemathesis $SCHEMATHESIS_VERSION needs >= 3.11"; return 1; }
  "$PYTHON" -m venv "$dir"
  # A venv reads pip.conf from its own prefix, not the base interpreter's: carry that over
  # (the global and user files, and PIP_* variables, apply to the venv's pip anyway).
  base_prefix=$("$PYTHON" -c 'import sys; print(sys.base_prefix)')
  [[ -f $base_prefix/pip.conf ]] && cp "$base_prefix/pip.conf" "$dir/pip.conf"
  "$dir/bin/python" -m pip config list -v || true      # the index settings in force, for the log
  local -a cons=()
  if [[ -f $CONSTRAINTS ]]; then cons=(-c "$CONSTRAINTS")
  else echo "note: no $CONSTRAINTS: dependencies are not pinned"
  fi
  "$dir/bin/python" -m pip install --no-input --disable-pip-version-check "${cons[@]}" \
    "schemathesis==$SCHEMATHESIS_VERSION"
  "$dir/bin/python" -m pip freeze --all
  # Scripts name their interpreter by absolute path: point them at the final location
  # before the rename. (pyvenv.cfg names only the base interpreter.)
  local f
  while IFS= read -r f; do
    sed -i "s|$dir|$VENV|g" "$f"
  done < <(grep -rlIF "$dir" "$dir/bin")
  "$dir/bin/python" "$dir/bin/st" --version | grep -qF "$SCHEMATHESIS_VERSION"
}

: >"$LOG"
# Under the lock, any build directory left over is from an interrupted run: never reused.
rm -rf "$CACHE_DIR/.schemathesis-$SCHEMATHESIS_VERSION".*
BUILD=$(mktemp -d "$CACHE_DIR/.schemathesis-$SCHEMATHESIS_VERSION.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT
# Not `if ! (...)`: errexit would be off inside the subshell in a condition.
set +e
( set -e; build "$BUILD" ) >>"$LOG" 2>&1 </dev/null
rc=$?
set -e
if (( rc != 0 )); then
  { echo "testbed/schemathesis: FAILED to install schemathesis $SCHEMATHESIS_VERSION (exit $rc after $(since "$T0")); last lines of $LOG:"
    tail -n 20 "$LOG" | cut -c1-300; } >&2
  exit "$rc"
fi
chmod 755 "$BUILD"             # mktemp made it 0700
want_marker >"$BUILD/.bm-complete"
date -Is >>"$BUILD/.bm-complete"
rm -rf "$VENV"                  # an incomplete or outdated venv of this version
mv "$BUILD" "$VENV"
trap - EXIT
"$VENV/bin/st" --version >/dev/null || die "$VENV/bin/st does not run after the rename (see $LOG)"
say "installed schemathesis $SCHEMATHESIS_VERSION in $VENV ($(du -sh "$VENV" | cut -f1)) in $(since "$T0")"
done_ok "$@"
