#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine. Does nothing when one already does. Where none does and
# we are root on Debian, installs Debian's engine (docker.io) and debootstrap (for the offline base image),
# starts dockerd with overlay2 logging to a file, and waits for its ping. Anywhere else it says what to do.
# Safe to run repeatedly. Exit 0: an engine answers. Exit 1: none does (the reason is printed).
set -uo pipefail

SOCKET="${FAULTLINE_DOCKER_SOCKET:-/var/run/docker.sock}"
case "${DOCKER_HOST:-}" in
  unix://*) SOCKET="${DOCKER_HOST#unix://}" ;;
  "") ;;
  *)
    # A remote or TCP engine is not ours to start: just check that it answers.
    if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then echo "ensure-engine: the engine at $DOCKER_HOST answers"; exit 0; fi
    echo "ensure-engine: no engine answers at DOCKER_HOST=$DOCKER_HOST; start it there, or unset DOCKER_HOST to use a local one."
    exit 1
    ;;
esac
LOG_FILE="${FAULTLINE_DOCKERD_LOG:-/var/log/faultline-dockerd.log}"
WAIT_SECONDS="${FAULTLINE_DOCKERD_WAIT:-60}"

say() { echo "ensure-engine: $*"; }

engine_answers() {
  # The Engine API's ping over the unix socket; curl is not always installed, so fall back to the CLI.
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s --max-time 3 --unix-socket "$SOCKET" http://localhost/_ping 2>/dev/null)" = "OK" ]
  elif command -v docker >/dev/null 2>&1; then
    DOCKER_HOST="unix://$SOCKET" timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
  else
    return 1
  fi
}

ensure_debootstrap() {
  if ! command -v debootstrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing debootstrap (to build the node image's base offline)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || say "could not install debootstrap"
  fi
}

if engine_answers; then
  say "a Docker engine answers on $SOCKET"
  ensure_debootstrap
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 || [ ! -f /etc/debian_version ]; then
  say "no Docker engine answers on $SOCKET."
  say "Start one (Docker Desktop, or 'sudo systemctl start docker'), or on Debian run this script as root to install"
  say "and start Debian's engine. If your engine listens elsewhere, set DOCKER_HOST (e.g. unix:///run/user/1000/docker.sock)."
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  say "installing Debian's docker.io and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq docker.io debootstrap >/dev/null; }; then
    say "apt-get could not install docker.io; check the apt sources and network, then rerun: bash docker/ensure-engine.sh"
    exit 1
  fi
fi

if [ -S "$SOCKET" ] && ! engine_answers; then
  # A stale socket from a dead daemon would make dockerd refuse to start.
  if ! pgrep -x dockerd >/dev/null 2>&1; then rm -f "$SOCKET"; fi
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  # containerd comes with docker.io; dockerd starts its own when none runs.
  say "starting dockerd (overlay2), log in $LOG_FILE"
  mkdir -p "$(dirname "$LOG_FILE")"
  nohup setsid dockerd --storage-driver=overlay2 --data-root=/var/lib/docker --host "unix://$SOCKET" \
    >>"$LOG_FILE" 2>&1 </dev/null &
fi

for _ in $(seq 1 $((WAIT_SECONDS * 2))); do
  if engine_answers; then
    say "Docker engine is up on $SOCKET"
    exit 0
  fi
  sleep 0.5
done
say "dockerd did not answer within ${WAIT_SECONDS}s. Last lines of $LOG_FILE:"
tail -n 20 "$LOG_FILE" 2>/dev/null | sed 's/^/  /'
say "Fix what the log says (often: another storage driver's leftovers in /var/lib/docker, or no overlay support), then rerun."
exit 1
