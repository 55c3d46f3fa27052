#!/bin/sh
# Starts sshd in a node container (for the ssh backend's tests and for manual use): makes this container's
# own host keys on first use, then runs sshd in the background. Prints the host's ed25519 public key.
set -eu
mkdir -p /run/sshd
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A >/dev/null
/usr/sbin/sshd -o MaxSessions=10 -o UseDNS=no
cat /etc/ssh/ssh_host_ed25519_key.pub
