#!/usr/bin/env bash
# `npm run demo`: make sure a Docker engine answers, then run the demo campaign (raft-kv on five containers
# under partitions of every shape, checked for linearizability) and say where the report is.
# Extra arguments go to `faultline run` (e.g. --seed 42, --keep-nodes). Exit code: faultline's.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { echo "demo: $*"; }

if ! bash docker/ensure-engine.sh; then
  say "no Docker engine answers; the demo needs one (see the messages above)."
  say "without Docker, try: node bin/faultline.js run examples/local-quickstart.yaml"
  exit 255
fi

CAMPAIGN=examples/raft-kv-partitions.yaml
STORE="${FAULTLINE_STORE:-store}"
say "running $CAMPAIGN (about a minute; the first run also builds the node image)"
node bin/faultline.js run "$CAMPAIGN" --store "$STORE" "$@"
status=$?
RUN_DIR="$STORE/raft-kv-partitions/latest"
if [ -f "$RUN_DIR/report.html" ]; then
  say "report: $(cd "$RUN_DIR" && pwd -P)/report.html"
  say "all runs: $(cd "$STORE" && pwd -P)/index.html (or: node bin/faultline.js serve)"
fi
case $status in
  0) say "verdict: valid (raft-kv stayed linearizable)" ;;
  1) say "verdict: INVALID: a consistency model was violated (see the report)" ;;
  2) say "verdict: unknown: some checker could not decide (see the report)" ;;
  *) say "the harness failed (exit $status)" ;;
esac
exit $status
