#!/usr/bin/env bash
# Wall time of `tlskit scan` beside sslyze's versions-and-suites scan and
# testssl.sh's protocols + ciphers-per-protocol scan (-p -E), in one run,
# against the same legacy `openssl s_server` on loopback (TLS 1.0 to 1.2,
# every suite OpenSSL 3.0 still has: 'ALL:@SECLEVEL=0').
#
# Usage: bench/scan.sh            (RUNS=5 by default; medians are printed)
# Needs: openssl, python3, a release build (made here), and optionally
#   sslyze   in target/sslyze-venv (python3 -m venv target/sslyze-venv &&
#            target/sslyze-venv/bin/pip install sslyze), or $SSLYZE
#   testssl  (Debian package testssl.sh); it runs only as
#            NXCONNECT=127.0.0.1:0 testssl --nodns none, so nothing leaves the machine.
# A missing peer is reported and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
TLSKIT=target/release/tlskit
SSLYZE=${SSLYZE:-target/sslyze-venv/bin/sslyze}

cargo build --release --quiet
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && "$OLDPWD/$TLSKIT" gencert --ca --cn "Bench CA" -q &&
  "$OLDPWD/$TLSKIT" gencert localhost 127.0.0.1 --key-type rsa2048 --issuer ca.pem --out rsa -q)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# s_server closes its connections at the end of stdin: give it one that stays open.
mkfifo "$work/stdin"
sleep 86400 > "$work/stdin" &
pids+=($!)
openssl s_server -accept "127.0.0.1:$port" -cert "$work/rsa.pem" -key "$work/rsa-key.pem" \
  -cipher 'ALL:@SECLEVEL=0' -min_protocol TLSv1 -max_protocol TLSv1.2 -quiet \
  < "$work/stdin" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

# median_of CMD...: runs CMD $RUNS times, prints the median wall time in seconds.
median_of() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

target="127.0.0.1:$port"
declare -A median
median[tlskit]=$(median_of "$TLSKIT" scan "$target" --servername localhost --ca "$work/ca.pem" --json)
suites=$("$TLSKIT" scan "$target" --servername localhost --ca "$work/ca.pem" --json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(len(s["suites"]) for s in r["cipher_suites"]), r["probes"])')

if [ -x "$SSLYZE" ]; then
  median[sslyze]=$(median_of "$SSLYZE" --sni localhost --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 \
    --mozilla_config disable "$target")
else
  echo "skipped sslyze: not found at $SSLYZE" >&2
fi
if command -v testssl > /dev/null; then
  median[testssl]=$(median_of env NXCONNECT=127.0.0.1:0 testssl --nodns none --warnings batch \
    --color 0 -p -E "$target")
else
  echo "skipped testssl: not installed (apt-get install testssl.sh)" >&2
fi

echo "# scan: wall time against a legacy openssl s_server (loopback, median of $RUNS)"
echo
echo "tlskit found ${suites% *} accepted (version, suite) pairs with ${suites#* } probes and handshakes."
echo
echo "| tool | what it does | median wall time | tlskit is faster by |"
echo "|---|---|---|---|"
echo "| tlskit scan | versions, suites, groups, certificate, ALPN, OCSP, resumption, grade | ${median[tlskit]} s | |"
for tool in sslyze testssl; do
  [ -n "${median[$tool]:-}" ] || continue
  what="versions and suites (--sslv3 … --tlsv1_3)"
  [ "$tool" = testssl ] && what="protocols and suites per protocol (-p -E)"
  ratio=$(echo "${median[$tool]} / ${median[tlskit]}" | bc -l)
  printf '| %s | %s | %s s | %.1f× |\n' "$tool" "$what" "${median[$tool]}" "$ratio"
done
