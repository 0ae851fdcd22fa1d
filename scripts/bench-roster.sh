#!/usr/bin/env bash
# Builds a generated roster of N users (default 100000) with the real binary
# and reports wall time, throughput and peak memory (GNU time's maximum
# resident set size). Usage: scripts/bench-roster.sh [N] [--sign]
set -euo pipefail
n=${1:-100000}
shift || true
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/mdmforge-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/mdmforge" ./cmd/mdmforge
awk -v n="$n" 'BEGIN { print "email,upn,name"; for (i = 1; i <= n; i++) printf "user%d@example.com,user%d@example.com,User %d\n", i, i, i }' > "$work/users.csv"
extra=()
if [ "${1:-}" = "--sign" ]; then
  # A throw-away identity made here, never stored.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
    -subj "/CN=mdmforge bench" -addext keyUsage=digitalSignature 2>/dev/null
  extra=(--sign --signer-cert "$work/cert.pem" --signer-key "$work/key.pem")
fi
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f 'peak memory: %M KiB, wall: %e s' "$work/mdmforge" build examples/contacts-only-eas.yaml \
    --roster "$work/users.csv" --out "$work/out" "${extra[@]}" >/dev/null
else
  "$work/mdmforge" build examples/contacts-only-eas.yaml --roster "$work/users.csv" --out "$work/out" "${extra[@]}" >/dev/null
fi
echo "files: $(ls "$work/out/contacts-only-eas" | wc -l), users: $n, cores: $(nproc)"
