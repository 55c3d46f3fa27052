#!/usr/bin/env bash
# Makes the node image's base without any image registry: debootstrap a minimal Debian into a temporary
# folder, then import it as a local image. Usage: make-base-image.sh TAG [SUITE]. Needs root and debootstrap.
# The mirror is read from this machine's apt configuration, so no host name is written into the project.
set -euo pipefail

TAG="${1:?usage: make-base-image.sh TAG [SUITE]}"
SUITE="${2:-bookworm}"

if [ "$(id -u)" != 0 ]; then
  echo "make-base-image: debootstrap needs root. Run as root, or build on another base: set FAULTLINE_BASE_IMAGE=debian:$SUITE (needs a registry)." >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "make-base-image: debootstrap is not installed (Debian: apt-get install debootstrap; or bash docker/ensure-engine.sh)." >&2
  exit 1
fi

mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  # deb822 format: the first URIs line of a stanza whose Suites names the suite itself (not -security).
  mirror="$(awk -v suite="$SUITE" '
    /^[[:space:]]*$/ { if (uris != "" && ok) { print uris; exit } uris=""; ok=0; next }
    /^URIs:/ { uris=$2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok=1 }
    END { if (uris != "" && ok) print uris }
  ' /etc/apt/sources.list.d/debian.sources | head -n 1)"
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list)"
fi
if [ -z "$mirror" ]; then
  echo "make-base-image: no Debian mirror for '$SUITE' found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list." >&2
  exit 1
fi

root="$(mktemp -d /tmp/faultline-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "make-base-image: debootstrap --variant=minbase $SUITE from $mirror (about 35 s)"
if ! debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$root.log" 2>&1; then
  echo "make-base-image: debootstrap failed; last lines:" >&2
  tail -n 20 "$root.log" >&2
  rm -f "$root.log"
  exit 1
fi
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
echo "make-base-image: importing as $TAG"
tar -C "$root" -c . | docker import --change 'LABEL faultline.image=base' --change 'CMD ["/bin/bash"]' - "$TAG" >/dev/null
echo "make-base-image: done: $TAG"
