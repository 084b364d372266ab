#!/usr/bin/env bash
# TLS in front of the same plaintext echo target, side by side in one run:
# `tlskit tunnel server`, stunnel4, and `socat OPENSSL-LISTEN,fork`, each
# driven by `tlskit bench`. For each: full TLS 1.3 handshakes per second
# and the tunnel's own CPU per handshake, echo throughput and the tunnel's
# CPU per MiB forwarded (both directions counted), and the tunnel's RSS per
# idle connection. CPU is utime + stime of the tunnel's processes (from
# /proc/PID/stat, children included for socat's forks).
#
# Usage: bench/tunnel.sh   (CONNS=3000 CONC=8 BYTES=256m IDLE=500 by default)
#        TLSKIT=target/debug/tlskit bench/tunnel.sh   to use another build
# Needs: stunnel4, socat, python3 (for the idle connections); a release build
# (made here unless TLSKIT is set). A missing peer is reported and skipped.
# Loopback only; every process started here is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CONNS=${CONNS:-3000}
CONC=${CONC:-8}
BYTES=${BYTES:-256m}
IDLE=${IDLE:-500}
if [ -z "${TLSKIT:-}" ]; then
  cargo build --release --quiet
  TLSKIT=target/release/tlskit
fi
TLSKIT=$ROOT/$TLSKIT
[ -x "$TLSKIT" ] || TLSKIT=${TLSKIT#"$ROOT/"}

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$TLSKIT" gencert --ca -q
"$TLSKIT" gencert --issuer ca.pem -q --out srv

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  return 1
}
# utime + stime, in clock ticks, of a process and its waited-for children.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat")))
  done
  echo "$total"
}
rss_kib() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/status" ] || continue
    total=$((total + $(awk '/VmRSS/{print $2}' "/proc/$p/status")))
  done
  echo "$total"
}
TICK=$(getconf CLK_TCK)

# The plaintext echo target: socat with a cat per connection.
if ! command -v socat >/dev/null; then
  echo "socat is missing: it is the echo target" >&2
  exit 1
fi
ECHO=$(free_port)
socat -b65536 "TCP-LISTEN:$ECHO,bind=127.0.0.1,fork,reuseaddr,backlog=1024" EXEC:cat &
pids+=($!)
wait_port "$ECHO"

start_tlskit() {
  "$TLSKIT" -q tunnel server --listen "127.0.0.1:$1" --target "127.0.0.1:$ECHO" \
    --cert srv.pem --key srv-key.pem --max-connections 20000 >/dev/null 2>&1 &
  echo $!
}
start_stunnel() {
  printf 'foreground = yes\npid =\ndebug = 0\n[e]\naccept = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\ncert = srv.pem\nkey = srv-key.pem\n' \
    "$1" "$ECHO" >stunnel.conf
  stunnel4 stunnel.conf >/dev/null 2>&1 &
  echo $!
}
start_socat() {
  socat "OPENSSL-LISTEN:$1,bind=127.0.0.1,cert=srv.pem,key=srv-key.pem,verify=0,fork,reuseaddr,backlog=1024" \
    "TCP:127.0.0.1:$ECHO" >/dev/null 2>&1 &
  echo $!
}

printf '| tunnel | handshakes/s | CPU ms per handshake | echo MiB/s | CPU ms per MiB | RSS KiB per idle connection |\n'
printf '|---|---|---|---|---|---|\n'
for name in tlskit stunnel socat; do
  case $name in
    stunnel) command -v stunnel4 >/dev/null || { echo "| stunnel | skipped: stunnel4 missing | | | | |"; continue; } ;;
  esac
  port=$(free_port)
  pid=$("start_$name" "$port")
  pids+=("$pid")
  wait_port "$port"
  c0=$(cpu_ticks "$pid")
  "$TLSKIT" --json bench "localhost:$port" --ca ca.pem --tls13 --connections "$CONNS" \
    --concurrency "$CONC" >hs.json
  c1=$(cpu_ticks "$pid")
  "$TLSKIT" --json bench "localhost:$port" --ca ca.pem --connections 4 --concurrency 4 \
    --bytes "$BYTES" >tp.json
  c2=$(cpu_ticks "$pid")
  r0=$(rss_kib "$pid")
  hold_in=$(mktemp -u)
  mkfifo "$hold_in"
  python3 "$ROOT/bench/hold.py" 127.0.0.1 "$port" "$IDLE" ca.pem <"$hold_in" >hold.out &
  hold=$!
  exec 9>"$hold_in"
  for _ in $(seq 1 1200); do grep -q ready hold.out 2>/dev/null && break; sleep 0.1; done
  r1=$(rss_kib "$pid")
  exec 9>&-
  wait "$hold" || true
  rm -f "$hold_in"
  python3 - "$name" "$c0" "$c1" "$c2" "$r0" "$r1" "$TICK" "$CONNS" "$IDLE" <<'EOF'
import json, sys
name, c0, c1, c2, r0, r1, tick, conns, idle = sys.argv[1], *map(int, sys.argv[2:])
hs, tp = json.load(open("hs.json")), json.load(open("tp.json"))
mib = tp["throughput"]["bytes"] * 2 / 2**20
print(f"| {name} | {hs['handshakes_per_s']:.0f} | {(c1 - c0) * 1000 / tick / conns:.3f} "
      f"| {tp['throughput']['mib_per_s']:.0f} | {(c2 - c1) * 1000 / tick / mib:.3f} "
      f"| {(r1 - r0) / idle:.1f} |")
EOF
  kill "$pid" 2>/dev/null || true
done
