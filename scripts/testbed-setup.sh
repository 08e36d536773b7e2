#!/usr/bin/env bash
# What the test bed needs on this machine (README "Quick start", __tests__/testbed/README.md):
#   1. docker.io, docker-registry, apache2-utils (the Docker engine and CLI, the CNCF registry, htpasswd),
#      chromium and fonts-noto-color-emoji (the rendered-summary tests)
#   2. dockerd running (started here with the options a container without iptables needs)
#   3. the ECR registry host names (__tests__/testbed/registry-hosts) on 127.0.0.1, in a marked
#      block of /etc/hosts that this script alone writes
# Run by .ci/run, and by `npm test` and `npm run demo` (pretest, predemo). Idempotent, and quick
# when everything is in place (it only looks). As root on Debian/Ubuntu it does what is missing and
# says what; otherwise it prints the exact commands and exits 1.
#   --check   look only: report what is missing, exit 1 if anything is
#   --remove  (root) take the /etc/hosts block out again
# Env: TESTBED_HOSTS_FILE (default /etc/hosts), TESTBED_DOCKERD_LOG (default $TMPDIR/ecr-supply-chain-dockerd.log).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOSTS_FILE=${TESTBED_HOSTS_FILE:-/etc/hosts}
NAMES_FILE="$ROOT/__tests__/testbed/registry-hosts"
DOCKERD_LOG=${TESTBED_DOCKERD_LOG:-${TMPDIR:-/tmp}/ecr-supply-chain-dockerd.log}
DOCKERD_ARGS=(--iptables=false --ip6tables=false --bridge=none --storage-driver=vfs)
BEGIN='# >>> ecr-supply-chain test bed: ECR registry hosts on loopback (scripts/testbed-setup.sh; remove with --remove) >>>'
END='# <<< ecr-supply-chain test bed <<<'
MODE=${1:-apply}

say() { printf 'testbed-setup: %s\n' "$*"; }
is_root() { [[ $(id -u) -eq 0 ]]; }
has() { command -v "$1" >/dev/null 2>&1 || [[ -x /usr/bin/$1 || -x /usr/sbin/$1 ]]; }

# The block this checkout wants: every registry host name on 127.0.0.1.
wanted_block() {
  printf '%s\n' "$BEGIN"
  grep -v '^[[:space:]]*\(#\|$\)' "$NAMES_FILE" | awk '{ print "127.0.0.1 " $1 }'
  printf '%s\n' "$END"
}

# The block now in the hosts file (empty when there is none).
current_block() {
  [[ -r $HOSTS_FILE ]] || return 0
  awk -v b="$BEGIN" -v e="$END" '$0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$HOSTS_FILE"
}

# The hosts file without the block (what stays when we rewrite it).
without_block() {
  awk -v b="$BEGIN" -v e="$END" '$0 == b { on = 1; next } $0 == e { on = 0; next } !on { print }' "$HOSTS_FILE"
}

# Rewrites the hosts file in place (cat >, not mv: in a container /etc/hosts is a bind mount).
write_hosts() {
  local tmp
  tmp=$(mktemp)
  without_block >"$tmp"
  [[ ${1:-} == remove ]] || wanted_block >>"$tmp"
  cat "$tmp" >"$HOSTS_FILE"
  rm -f "$tmp"
}

if [[ $MODE == --remove ]]; then
  is_root || { echo "run as root: sudo bash scripts/testbed-setup.sh --remove" >&2; exit 1; }
  [[ -n $(current_block) ]] && write_hosts remove && say "removed the test bed block from $HOSTS_FILE"
  exit 0
fi

# ---- look -------------------------------------------------------------------------------------
missing=()
has docker || missing+=(docker.io)
has dockerd || [[ " ${missing[*]} " == *" docker.io "* ]] || missing+=(docker.io)
has docker-registry || missing+=(docker-registry)
has htpasswd || missing+=(apache2-utils)
# A second registry client, to cross-check what the action's own OCI client pushed.
has skopeo || missing+=(skopeo)
# The rendered-summary tests (headless Chromium; GitHub's runners have Chrome) and an emoji font
# (the verdict is an emoji; without the font the screenshot shows a box).
has chromium || has chromium-browser || has google-chrome || [[ -n ${CHROMIUM_PATH:-} ]] || missing+=(chromium)
[[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]] || missing+=(fonts-noto-color-emoji)
daemon=0 denied=0
if has docker; then
  if info_err=$(docker info 2>&1 >/dev/null); then daemon=1; elif [[ $info_err == *"permission denied"* ]]; then denied=1; fi
fi
hosts=0
[[ "$(current_block)" == "$(wanted_block)" ]] && hosts=1

if ((${#missing[@]} == 0 && daemon == 1 && hosts == 1)); then
  say "ready (docker $(docker info --format '{{.ServerVersion}}' 2>/dev/null), docker-registry, htpasswd, skopeo, chromium, $(($(wanted_block | wc -l) - 2)) registry hosts in $HOSTS_FILE)"
  exit 0
fi

debian=0
[[ -r /etc/debian_version ]] && has apt-get && debian=1

if [[ $MODE == --check ]] || ! is_root || ((debian == 0)); then
  {
    if [[ $MODE == --check ]]; then
      echo "testbed-setup: not ready; what is missing, as commands:"
    elif ! is_root; then
      echo "testbed-setup: not root: run these (or this script with sudo: sudo bash scripts/testbed-setup.sh):"
    else
      echo "testbed-setup: not Debian/Ubuntu: do these by hand:"
    fi
    ((${#missing[@]} == 0)) || echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
    if ((denied == 1)); then
      echo "  sudo usermod -aG docker $(id -un)   # dockerd runs, but this user may not use its socket; log in again after"
    elif ((daemon == 0)); then
      echo "  sudo sh -c 'nohup dockerd ${DOCKERD_ARGS[*]} >>$DOCKERD_LOG 2>&1 </dev/null &'"
    fi
    if ((hosts == 0)); then
      [[ -z $(current_block) ]] || echo "  # first delete the old block (from its '# >>>' line to its '# <<<' line) in $HOSTS_FILE, then"
      echo "  # add the registry hosts block to $HOSTS_FILE:"
      echo "sudo sh -c 'cat >>$HOSTS_FILE' <<'EOF'"
      wanted_block
      echo "EOF"
    fi
  } >&2
  exit 1
fi

# ---- do (root, Debian/Ubuntu) -----------------------------------------------------------------
if ((${#missing[@]} > 0)); then
  say "installing ${missing[*]} (apt-get)"
  # The packages' init scripts must not start services: there is no init system here, dockerd is
  # started below with the options it needs, and the tests start their own registries.
  policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } || rc=$?
  ((own_policy)) && rm -f "$policy"
  ((rc == 0)) || { echo "testbed-setup: apt-get failed ($rc)" >&2; exit "$rc"; }
fi

if ! docker info >/dev/null 2>&1; then
  pidfile=/var/run/docker.pid
  if [[ -f $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "removing the stale $pidfile"
    rm -f "$pidfile"
  fi
  say "starting dockerd ${DOCKERD_ARGS[*]} (log $DOCKERD_LOG)"
  # A session of its own (setsid): a test runner or CI job that kills its process group on exit
  # must not take the shared daemon with it.
  setsid nohup dockerd "${DOCKERD_ARGS[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    echo "testbed-setup: dockerd did not come up within 60 s; last lines of $DOCKERD_LOG:" >&2
    tail -n 40 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  say "dockerd up: $(docker info --format '{{.ServerVersion}} ({{.Driver}})')"
fi

if [[ "$(current_block)" != "$(wanted_block)" ]]; then
  say "writing the registry hosts block to $HOSTS_FILE ($(($(wanted_block | wc -l) - 2)) names on 127.0.0.1)"
  write_hosts
fi
say "ready"
