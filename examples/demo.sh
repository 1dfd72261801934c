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

main() {
    demo_gen
}

main "$@"
