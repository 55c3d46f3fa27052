#!/usr/bin/env bash
# Installs and starts what faultline's tests and demo need on a Debian machine where we are root:
# the Docker engine (docker/ensure-engine.sh), libfaketime, and Debian's Chromium for the report's browser tests.
# Elsewhere it says what to install by hand. Safe to run repeatedly.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
if [ -x docker/ensure-engine.sh ] || [ -f docker/ensure-engine.sh ]; then
  bash docker/ensure-engine.sh || status=1
fi
# libfaketime on the host: the local (no-Docker) clock-skew tests of the reference systems use it.
if [ ! -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libfaketime >/dev/null) ||
    echo "setup-machine: could not install libfaketime; local clock-skew tests will skip"
fi
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-machine: installing Debian's chromium for the report tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || {
      echo "setup-machine: could not install chromium; browser tests will skip"; status=1; }
  else
    echo "setup-machine: chromium not found; install it (Debian: apt-get install chromium) to run the browser tests"
    status=1
  fi
fi
exit $status
