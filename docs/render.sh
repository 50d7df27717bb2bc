#!/usr/bin/env bash
# Renders every docs/*.dot to SVG beside it. The .dot files are the committed truth (generated from the
# lifecycle table, see docs/lifecycle.dot's header); the SVGs are a convenience for reading.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dot >/dev/null 2>&1; then
  if ! apt-get install -y --no-install-recommends graphviz >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends graphviz >/dev/null
  fi
fi
for f in *.dot; do
  dot -Tsvg "$f" -o "${f%.dot}.svg"
  echo "rendered ${f%.dot}.svg"
done
