#!/usr/bin/env bash
# A fleet scan: `tlskit scan --targets` of N loopback TLS servers (one
# Python asyncio process listening on N ports, ECDSA certificate) beside
# `sslyze --targets_in` of the same list with the checks its Mozilla
# profile needs (--mozilla_config intermediate: certificate, every
# version's suites, curves, compression, fallback SCSV, Heartbleed, CCS
# injection, ROBOT, renegotiation, extended master secret). Prints the wall
# time and CPU of each client, and the CPU each cost the server.
#
# Usage: bench/scan-fleet.sh        (N=100 by default)
# Needs: python3, a release build (made here unless TLSKIT names a binary), sslyze in
#   target/sslyze-venv or SSLYZE (python3 -m venv target/sslyze-venv &&
#   target/sslyze-venv/bin/pip install sslyze).
# RESULTS=FILE appends each measurement as a JSON line (item 10 of bench/run.sh, which
#   sets TLSKIT, SSLYZE and RESULTS and turns the lines into a table in docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100}
SSLYZE=${SSLYZE:-$PWD/target/sslyze-venv/bin/sslyze}
RESULTS=${RESULTS:-}
if [ -z "${TLSKIT:-}" ]; then
  TLSKIT=$PWD/target/release/tlskit
  cargo build --release --quiet
fi
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$TLSKIT" gencert --ca --cn "Fleet CA" -q
"$TLSKIT" gencert localhost 127.0.0.1 --issuer ca.pem --out leaf -q

cat > multi.py <<'PY'
import asyncio, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("leaf.pem", "leaf-key.pem")
async def handle(r, w):
    try:
        await asyncio.wait_for(r.read(1), 5)
    except Exception:
        pass
    w.close()
async def main():
    ports = []
    keep = []
    for _ in range(int(sys.argv[1])):
        s = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, backlog=256)
        keep.append(s)
        ports.append(s.sockets[0].getsockname()[1])
    with open("ports.txt", "w") as f:
        f.writelines(f"{p}\n" for p in ports)
    print("ready", flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
PY
python3 multi.py "$N" > multi.log 2>&1 &
server=$!
for _ in $(seq 100); do grep -q ready multi.log 2>/dev/null && break; sleep 0.1; done
sed 's/^\(.*\)$/127.0.0.1:\1 servername=localhost/' ports.txt > tlskit.txt
sed 's/^\(.*\)$/localhost:\1{127.0.0.1}/' ports.txt > sslyze.txt

ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
# run NAME ROW CMD...: runs CMD once under /usr/bin/time; prints and (with RESULTS) records
# its wall time, its CPU (user + system) and the CPU it cost the server.
run() {
  local name=$1 row=$2; shift 2
  local before after wall cpu srv
  before=$(ticks)
  /usr/bin/time -f "%e %U %S" -o "$name.time" "$@" > "$name.out" 2> "$name.err" || true
  after=$(ticks)
  # (time puts "Command exited with non-zero status N" first: sslyze exits 1 on a failed profile)
  read -r wall user sys < <(tail -1 "$name.time")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  srv=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
  echo "$name: wall $wall s, client CPU $cpu s ($user s user + $sys s sys), server CPU $srv s"
  if [ -n "$RESULTS" ]; then
    local col value
    for col in wall client_cpu server_cpu; do
      case $col in wall) value=$wall ;; client_cpu) value=$cpu ;; server_cpu) value=$srv ;; esac
      printf '{"item":"10","row":"%s","col":"%s","rep":0,"value":%s,"unit":"s","extra":{"targets":%s}}\n' \
        "$row" "$col" "$value" "$N" >> "$RESULTS"
    done
  fi
}
run tlskit "tlskit scan --targets" "$TLSKIT" scan --targets tlskit.txt --ca ca.pem --json
echo "  $(grep -c '"grade"' tlskit.out) of $N targets graded"
if [ -x "$SSLYZE" ]; then
  run sslyze "sslyze --targets_in" "$SSLYZE" --targets_in sslyze.txt --certinfo_ca_file ca.pem --mozilla_config intermediate
else
  echo "sslyze: not installed, skipped"
fi
