#!/usr/bin/env bash
# `make demo`: generate the walkthrough's two bird.conf files from examples/walkthrough.yaml and explain them.
# Later steps (lab up/ping/blackhole/down, as root) are added as further functions called from main.
set -euo pipefail
cd "$(dirname "$0")/.."
BIRDKIT=${BIRDKIT:-.venv/bin/birdkit}
OUT=${DEMO_OUT:-demo-out}

step() {
    if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi
}

demo_gen() {
    step "birdkit gen examples/walkthrough.yaml -o $OUT"
    "$BIRDKIT" gen examples/walkthrough.yaml -o "$OUT"
    step "what was written ($OUT/vm1/bird.conf)"
    cat "$OUT/vm1/bird.conf"
    cat <<SUMMARY

Each node got one bird.conf: device + direct + kernel (export all), a static blackhole for its own pod
CIDR (10.0.1.0/24 on vm1, 10.0.2.0/24 on vm2), and one BGP session to the other node in AS 65000.
These are the walkthrough's configs, with its underlay 198.20.0.0/24 moved to 198.18.0.0/24.
Try: $BIRDKIT gen examples/route-reflectors.yaml -o $OUT --check
SUMMARY
}

demo_lab() {
    # a private state directory and namespace prefix, so the demo never touches a lab you started yourself
    DEMO_LAB_STATE=$(mktemp -d)
    export BIRDKIT_STATE="$DEMO_LAB_STATE"
    trap '"$BIRDKIT" lab down >/dev/null 2>&1 || true; rm -rf "$DEMO_LAB_STATE"' EXIT
    step "birdkit lab up   (the walkthrough in network namespaces: vm1, vm2, pods, BIRD, BGP)"
    "$BIRDKIT" lab up --name bkldemo
    step "birdkit lab ping   (every pod pings every other pod)"
    "$BIRDKIT" lab ping
    step "birdkit lab blackhole   (a connection into a node's own pod CIDR fails at once)"
    "$BIRDKIT" lab blackhole
    step "birdkit lab down   (removes everything the lab made)"
    "$BIRDKIT" lab down
}

main() {
    demo_gen
    if [ "$(id -u)" = 0 ]; then
        demo_lab
    else
        step "not root: skipping the lab (birdkit lab up/ping/blackhole/down need network namespaces)"
    fi
}

main "$@"
