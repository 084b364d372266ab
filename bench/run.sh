#!/usr/bin/env bash
# The performance record: tlskit against the tools it replaces, side by side,
# in one run on this machine, written to docs/PERFORMANCE.md (medians of
# several repetitions, and ratios). Everything runs on loopback and is
# bounded in time; every process started here is stopped by its PID.
#
# Usage: bench/run.sh [--quick] [--reps N] [--secs S] [--out FILE] [--no-install] [--only LIST]
#                     [--wait-quiet LOAD]
#   --quick       a dry run: 2 repetitions, 1 s runs, 64 MiB echo, 200/500 idle
#                 connections; writes target/bench/PERFORMANCE-quick.md unless --out
#   --reps N      repetitions of each throughput measurement (default 5)
#   --secs S      length of each handshake run in seconds (default 4)
#   --only LIST   items to run, e.g. 1,3,9 (default: all ten; 9 is the server cost
#                 per operation against nginx, stunnel and the crypto floor; 10 the scan
#                 of 100 loopback targets against sslyze --targets_in, bench/scan-fleet.sh)
#   --no-install  do not apt-get/pip install missing peers; skip what is missing
#   --wait-quiet LOAD  first wait (at most an hour) until the 1-minute load average
#                 is at most LOAD, and before each item at most 6 minutes more: on a
#                 shared machine, numbers taken under load are noise
#   TLSKIT=PATH   (environment) use this binary instead of building a release one: for
#                 checking the script, not for the record
#
# See "## bench" in README.md for what each item measures.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

REPS=5
SECS=4
ECHO_SIZE=256m
IDLE_COUNTS="1000 5000"
QUICK=0
OUT=""
INSTALL=1
ONLY="9,1,2,3,4,5,6,7,8,10,11"
WAIT_QUIET=""
while (($#)); do
  case "$1" in
    --quick) QUICK=1; REPS=2; SECS=1; ECHO_SIZE=64m; IDLE_COUNTS="200 500" ;;
    --reps) REPS=$2; shift ;;
    --secs) SECS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --no-install) INSTALL=0 ;;
    --wait-quiet) WAIT_QUIET=$2; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z $OUT ]]; then
  if ((QUICK)); then OUT=target/bench/PERFORMANCE-quick.md; else OUT=docs/PERFORMANCE.md; fi
fi
LOADS=()
# want ITEM: whether to run ITEM (and, when so, notes the load average as it starts).
# With --wait-quiet, an item first waits (at most 6 minutes) for the load to fall back:
# closing thousands of held connections (item 4) raises the 1-minute average to 30-230
# by itself, and it takes minutes to decay.
want() {
  [[ ",$ONLY," == *",$1,"* ]] || return 1
  [[ " ${LOADS[*]} " == *" $1="* ]] && return 0
  if [[ -n $WAIT_QUIET ]]; then
    local i
    for ((i = 0; i < 36; i++)); do
      awk -v max="$WAIT_QUIET" '{ exit !($1 <= max) }' /proc/loadavg && break
      ((i == 0)) && say "item $1: waiting for the load ($(cut -d' ' -f1 /proc/loadavg)) to fall to $WAIT_QUIET"
      sleep 10
    done
  fi
  LOADS+=("$1=$(cut -d' ' -f1 /proc/loadavg)")
}
say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

# ---------------------------------------------------------------- peers
SKIPPED=()
need_pkgs=()
command -v socat >/dev/null || need_pkgs+=(socat)
command -v ncat >/dev/null || need_pkgs+=(ncat)
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v ss >/dev/null || need_pkgs+=(iproute2)
if [[ ",$ONLY," == *",8,"* ]]; then command -v testssl >/dev/null || need_pkgs+=(testssl.sh); fi
if [[ ",$ONLY," == *",9,"* ]]; then
  command -v nginx >/dev/null || need_pkgs+=(nginx-light)
  command -v stunnel4 >/dev/null || need_pkgs+=(stunnel4)
fi
if ((${#need_pkgs[@]})); then
  if ((INSTALL)) && [[ $(id -u) == 0 ]]; then
    say "installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    say "missing and not installed: ${need_pkgs[*]} (their rows are skipped)"
  fi
fi
have() { command -v "$1" >/dev/null 2>&1; }
for p in openssl python3 ss; do
  have "$p" || { echo "run.sh: '$p' is required" >&2; exit 1; }
done

# ---------------------------------------------------------------- build
if [[ -n ${TLSKIT:-} ]]; then
  TLSKIT=$(realpath "$TLSKIT")
  say "using $TLSKIT (not a release build: not for the record)"
else
  say "building tlskit (release)"
  cargo build --release --locked -q
  TLSKIT=$ROOT/target/release/tlskit
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlskit-bench.XXXXXX")
RESULTS=$WORK/results.jsonl
: >"$RESULTS"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  exec 9>&- 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK"
"$TLSKIT" gencert --out srv >/dev/null            # ECDSA P-256, localhost 127.0.0.1 ::1
# A FIFO nobody writes to: stdin for openssl s_server and ncat, which end
# their connections (or themselves) at end of stdin.
mkfifo hold-stdin
exec 9<>hold-stdin

if [[ -n $WAIT_QUIET ]]; then
  say "waiting for the 1-minute load average to fall to $WAIT_QUIET (now $(cut -d' ' -f1 /proc/loadavg))"
  quiet=0
  for ((i = 0; i < 360 && quiet < 6; i++)); do
    # Quiet for a whole minute, not just between two jobs of someone else's.
    if awk -v max="$WAIT_QUIET" '{ exit !($1 <= max) }' /proc/loadavg; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    sleep 10
  done
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- helpers
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
free_udp_port() { python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_listen PORT: until something listens on 127.0.0.1:PORT (without connecting to it), at most 10 s.
wait_listen() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -n $(ss -Hltn "sport = :$1") ]] && return 0
    sleep 0.05
  done
  echo "run.sh: nothing listens on port $1 after 10 s" >&2
  return 1
}

# stop PID: SIGTERM to its process group (servers started here lead their own, so the
# children socat and ncat fork per connection go too), then wait (at most 5 s), then SIGKILL.
stop() {
  local i
  kill -- "-$1" 2>/dev/null || kill "$1" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; break; }
    sleep 0.05
  done
  kill -9 -- "-$1" 2>/dev/null || true
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# start_server KIND MODE PORT [extra args]: starts a server in the background; sets SERVER_PID.
#   KIND: tlskit | s_server | socat | ncat     MODE: handshake | echo | www
start_server() {
  local kind=$1 mode=$2 port=$3
  shift 3
  case $kind in
    tlskit)
      local extra=()
      [[ $mode == www ]] && extra+=(--www)
      setsid "$TLSKIT" serve --listen "127.0.0.1:$port" --cert srv.pem --key srv-key.pem -q --no-log \
        --max-connections 8000 "${extra[@]}" "$@" >"serve-$port.log" 2>&1 &
      ;;
    s_server)
      setsid openssl s_server -accept "127.0.0.1:$port" -cert srv.pem -key srv-key.pem -quiet \
        "$@" <hold-stdin >/dev/null 2>&1 &
      ;;
    socat)
      local what=PIPE
      [[ $mode == echo ]] && what=EXEC:cat
      setsid socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,cert=srv.pem,key=srv-key.pem,verify=0,fork,reuseaddr,backlog=1024" \
        "$what" >/dev/null 2>&1 &
      ;;
    ncat)
      setsid ncat --ssl --ssl-cert srv.pem --ssl-key srv-key.pem -l 127.0.0.1 "$port" --keep-open \
        --exec /bin/cat <hold-stdin >/dev/null 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listen "$port"
}

# cpu_ticks PID: user+system CPU of a process and its reaped children, in clock ticks.
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

# record ITEM ROW COL REP VALUE UNIT [EXTRA-JSON]
record() {
  printf '{"item":"%s","row":"%s","col":"%s","rep":%s,"value":%s,"unit":"%s","extra":%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "${7:-null}" >>"$RESULTS"
}

# json FILE EXPR: a value from a JSON file (python expression over `d`).
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# children_cpu: user+system CPU seconds of this shell's finished children so far.
# (`times` runs in this shell, not in a subshell, whose children would be its own.)
children_cpu() {
  times >"$WORK/times"
  CHILDREN_CPU=$(tail -1 "$WORK/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
}

# tlskit_bench OUTFILE ARGS...: runs tlskit bench --json; its CPU seconds go to OUTFILE.cpu.
tlskit_bench() {
  local out=$1 c0 c1
  shift
  children_cpu
  c0=$CHILDREN_CPU
  "$TLSKIT" --json bench --ca srv.pem --servername localhost "$@" >"$out" 2>"$out.err" || true
  children_cpu
  c1=$CHILDREN_CPU
  python3 -c "print(round($c1 - $c0, 3))" >"$out.cpu"
}

# s_time PROCS PORT MODE(-new|-reuse): runs PROCS openssl s_time clients at once for SECS;
# prints connections per second of wall time (s_time's own figure is per CPU second).
s_time() {
  local procs=$1 port=$2 mode=$3 i total=0 t0 t1 pids=()
  t0=$(date +%s.%N)
  for ((i = 0; i < procs; i++)); do
    openssl s_time -connect "127.0.0.1:$port" "$mode" -time "$SECS" -CAfile srv.pem \
      >"stime-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  t1=$(date +%s.%N)
  for ((i = 0; i < procs; i++)); do
    local n
    n=$(grep -m1 -oE '^[0-9]+ connections in' "stime-$i.out" | grep -oE '^[0-9]+' || echo 0)
    total=$((total + n))
  done
  python3 -c "print(round($total / ($t1 - $t0), 1))"
}

# hyper ITEM ROW COL ARGS...: hyperfine's median (seconds) of a command, recorded once.
hyper() {
  local item=$1 row=$2 col=$3
  shift 3
  hyperfine -N --style none --warmup "${HWARMUP:-3}" --runs "$HRUNS" --export-json hf.json "$@" >/dev/null 2>hf.err || {
    say "hyperfine failed for $row: $(tail -1 hf.err)"
    return 0
  }
  local median extra
  median=$(json hf.json 'd["results"][0]["median"]')
  extra=$(json hf.json '__import__("json").dumps({k: d["results"][0][k] for k in ("mean","stddev","min","max")} | {"runs": len(d["results"][0]["times"])})')
  record "$item" "$row" "$col" 0 "$median" s "$extra"
}
HRUNS=$((QUICK ? 10 : 40))

# Whether a tlskit subcommand is implemented (the stub fails with "not implemented").
implemented() {
  local out
  out=$(timeout 120 "$TLSKIT" "$@" </dev/null 2>&1 || true)
  [[ $out != *"is not implemented yet"* && $out != *"unexpected argument"* ]]
}

SERVERS=(tlskit s_server socat ncat)
have socat || SKIPPED+=("socat rows: socat is not installed")
have ncat || SKIPPED+=("ncat rows: ncat is not installed")
server_ok() { [[ $1 == tlskit || $1 == s_server ]] || have "$1"; }

# ---------------------------------------------------------------- 9: server CPU per operation
# What a user of a server pays for: the server's own CPU (user + system, all its processes
# and threads, read from /proc by `tlskit bench --server-pid`) per full handshake, per
# resumed handshake and per MiB echoed or forwarded, the same client driving every server
# with the same certificate (ECDSA P-256) and, in the first row, the same algorithms
# (X25519, TLS_AES_256_GCM_SHA384). The crypto floor (`tlskit bench --floor`, the same
# library) is the yardstick.

# A plaintext echo target for the tunnels (stunnel, tlskit tunnel): socat forking cat.
# Its CPU is not the tunnel's and is not counted.
start_echo_target() {
  ECHO_PORT=$(free_port)
  setsid socat "TCP-LISTEN:$ECHO_PORT,bind=127.0.0.1,fork,reuseaddr,backlog=1024" EXEC:cat >/dev/null 2>&1 &
  ECHO_PID=$!
  PIDS+=("$ECHO_PID")
  wait_listen "$ECHO_PORT"
}

# start_cost_server KIND PORT TICKETS(on|off): sets SERVER_PID (the process whose CPU is read).
start_cost_server() {
  local kind=$1 port=$2 tickets=$3
  case $kind in
    tlskit)
      local t=()
      [[ $tickets == off ]] && t=(--no-tickets)
      setsid "$TLSKIT" serve --listen "127.0.0.1:$port" --cert srv.pem --key srv-key.pem -q --no-log \
        --max-connections 8000 "${t[@]}" >"serve-$port.log" 2>&1 &
      ;;
    tunnel)
      setsid "$TLSKIT" tunnel server --listen "127.0.0.1:$port" --target "127.0.0.1:$ECHO_PORT" \
        --cert srv.pem --key srv-key.pem --max-connections 8000 -q --no-log >"tunnel-$port.log" 2>&1 &
      ;;
    nginx)
      mkdir -p "nginx-$port"
      local cache="ssl_session_cache shared:S:10m; ssl_session_tickets on;"
      [[ $tickets == off ]] && cache="ssl_session_cache off; ssl_session_tickets off;"
      cat >"nginx-$port/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx-$port/nginx.pid;
error_log $WORK/nginx-$port/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-$port/body;
  proxy_temp_path $WORK/nginx-$port/proxy;
  fastcgi_temp_path $WORK/nginx-$port/fastcgi;
  uwsgi_temp_path $WORK/nginx-$port/uwsgi;
  scgi_temp_path $WORK/nginx-$port/scgi;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $WORK/srv.pem;
    ssl_certificate_key $WORK/srv-key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    $cache
    location / { return 200 "ok\n"; }
  }
}
CONF
      setsid nginx -p "$WORK/nginx-$port" -e "$WORK/nginx-$port/error.log" -c "$WORK/nginx-$port/nginx.conf" >/dev/null 2>&1 &
      ;;
    s_server)
      local t=()
      [[ $tickets == off ]] && t=(-no_ticket)
      setsid openssl s_server -accept "127.0.0.1:$port" -cert srv.pem -key srv-key.pem -quiet \
        "${t[@]}" <hold-stdin >/dev/null 2>&1 &
      ;;
    stunnel)
      local opts="options = NO_TICKET"
      [[ $tickets == on ]] && opts=""
      cat >"stunnel-$port.conf" <<CONF
foreground = yes
pid =
debug = 0
[echo]
accept = 127.0.0.1:$port
connect = 127.0.0.1:$ECHO_PORT
cert = $WORK/srv.pem
key = $WORK/srv-key.pem
$opts
CONF
      setsid stunnel4 "stunnel-$port.conf" >/dev/null 2>&1 &
      ;;
    socat)
      setsid socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,cert=srv.pem,key=srv-key.pem,verify=0,fork,reuseaddr,backlog=1024" \
        EXEC:cat >/dev/null 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listen "$port"
}

# cost ROW COL PORT ARGS...: one `tlskit bench --server-pid` run; records the server's
# CPU per connection (µs) or, with --bytes, per MiB (ms).
cost() {
  local row=$1 col=$2 port=$3 rep=$4
  shift 4
  "$TLSKIT" --json bench "127.0.0.1:$port" --ca srv.pem --servername localhost \
    --server-pid "$SERVER_PID" "$@" >c.json 2>c.err || true
  if [[ -s c.json ]] && [[ $(json c.json 'd["connections"]["succeeded"]') != 0 ]]; then
    local key=per_connection_us unit=µs
    if [[ " $* " == *" --bytes "* ]]; then key=per_mib_ms; unit=ms; fi
    record 9 "$row" "$col" "$rep" "$(json c.json "d['server_cpu']['$key']")" "$unit" \
      "$(json c.json '__import__("json").dumps({"succeeded": d["connections"]["succeeded"], "failed": d["connections"]["failed"], "resumed": d["handshakes"]["resumed"], "server_cpu_s": d["server_cpu"]["total_s"], "client_cores": d["client_cpu"]["cores"], "per_s": d["handshakes_per_s"], "group": (d["negotiated"] or {}).get("group"), "suite": (d["negotiated"] or {}).get("cipher_suite"), "protocol": (d["negotiated"] or {}).get("protocol")})')"
  else
    say "item 9: $col against $row failed: $(tail -1 c.err 2>/dev/null)"
  fi
}

if want 9; then
  say "9: server CPU per operation (and the crypto floor)"
  COST_SERVERS=(tlskit nginx s_server stunnel socat)
  "$TLSKIT" tunnel --help >/dev/null 2>&1 && COST_SERVERS+=(tunnel)
  have nginx || SKIPPED+=("item 9, nginx: not installed")
  have stunnel4 || SKIPPED+=("item 9, stunnel4: not installed")
  start_echo_target
  # socat's OpenSSL context offers P-256 only: it gets that, the others X25519 (the table says).
  X25519=(--groups x25519,secp256r1 --suites TLS_AES_256_GCM_SHA384)
  for ((rep = 1; rep <= REPS; rep++)); do
    # The floor once per repetition (on a shared virtual machine it moves by a third from
    # minute to minute); the record uses the median of each figure.
    "$TLSKIT" --json bench --floor >floor.json
    record 9 floor floor "$rep" "$(json floor.json 'd["handshake_x25519_us"]')" µs "$(json floor.json '__import__("json").dumps(d)')"
    for s in "${COST_SERVERS[@]}"; do
      case $s in nginx) have nginx || continue ;; stunnel) have stunnel4 || continue ;; socat) have socat || continue ;; esac
      name=$s
      case $s in tlskit) name="tlskit serve" ;; tunnel) name="tlskit tunnel server" ;; s_server) name="openssl s_server" ;;
        socat) name="socat OPENSSL-LISTEN,fork" ;; stunnel) name="stunnel4" ;; esac
      # Full handshakes, tickets off: X25519 + AES-256-GCM, then the client's default
      # (X25519MLKEM768 first; OpenSSL 3.0 servers pick X25519).
      port=$(free_port)
      start_cost_server "$s" "$port" off
      cost "$name" "full, X25519" "$port" "$rep" -c 16 -d "$SECS" --tls13 "${X25519[@]}"
      cost "$name" "full, default groups" "$port" "$rep" -c 16 -d "$SECS" --tls13
      stop "$SERVER_PID"
      # Resumed handshakes, tickets (or the session cache) on.
      port=$(free_port)
      start_cost_server "$s" "$port" on
      cost "$name" "resumed" "$port" "$rep" -c 16 -d "$SECS" --tls13 --resume "${X25519[@]}"
      # Echo (or forward) a stream: per MiB. nginx and s_server do not echo.
      case $s in tlskit | stunnel | socat | tunnel)
        cost "$name" "per MiB echoed" "$port" "$rep" --bytes "$ECHO_SIZE" -c 1 -n 1 --timeout 10 "${X25519[@]}" ;;
      esac
      stop "$SERVER_PID"
    done
    say "item 9: repetition $rep of $REPS done"
  done
  stop "$ECHO_PID"
fi

# ---------------------------------------------------------------- 1 and 2: handshakes/s
# Column name | extra tlskit bench flags.
BENCH_VARIANTS=(
  "tlskit bench -c 16|"
  "tlskit bench -c 16, X25519|--groups x25519,secp256r1"
  "tlskit bench -c 16, X25519, AES-128 first|--groups x25519,secp256r1 --suites TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"
)
handshakes() {
  local item=$1 resume=$2 rep s port col rate
  for ((rep = 1; rep <= REPS; rep++)); do
    for s in "${SERVERS[@]}"; do
      server_ok "$s" || continue
      port=$(free_port)
      start_server "$s" handshake "$port"
      # tlskit bench, 16 connections at a time: with its defaults (the group and
      # suite each server picks from rustls' offer), then with the handshake of
      # OpenSSL's clients (X25519; P-256 where the server insists), then with
      # the browsers' suite order as well (AES-128-GCM first).
      for variant in "${BENCH_VARIANTS[@]}"; do
        IFS='|' read -r col flags <<<"$variant"
        # shellcheck disable=SC2086 # flags is a list of words
        set -- $flags
        s0=$(cpu_ticks "$SERVER_PID")
        if ((resume)); then
          tlskit_bench b.json "127.0.0.1:$port" -d "$SECS" -c 16 --tls13 --resume "$@"
        else
          tlskit_bench b.json "127.0.0.1:$port" -d "$SECS" -c 16 --tls13 "$@"
        fi
        sleep 0.3 # forking servers reap their last children
        s1=$(cpu_ticks "$SERVER_PID")
        server_cpu=$(python3 -c "print(($s1 - $s0) / $TICK)")
        if [[ -s b.json ]] && [[ $(json b.json 'd["connections"]["succeeded"]') != 0 ]]; then
          if ((resume)); then
            rate=$(json b.json 'd["resumed_per_s"]')
          else
            rate=$(json b.json 'd["handshakes_per_s"]')
          fi
          record "$item" "$s" "$col" "$rep" "$rate" "handshakes/s" \
            "$(json b.json '__import__("json").dumps({"all_per_s": d["handshakes_per_s"], "resumed": d["handshakes"]["resumed"], "succeeded": d["connections"]["succeeded"], "failed": d["connections"]["failed"], "group": (d["negotiated"] or {}).get("group"), "suite": (d["negotiated"] or {}).get("cipher_suite"), "p50_ms": d["latency_ms"]["handshake"]["p50"], "p99_ms": d["latency_ms"]["handshake"]["p99"], "server_cpu_s": '"$server_cpu"', "client_cpu_s": d["client_cpu"]["user_s"] + d["client_cpu"]["system_s"]})')"
        else
          say "item $item: tlskit bench ($col) against $s failed: $(tail -1 b.json.err 2>/dev/null)"
        fi
      done
      # openssl s_time, one and two processes
      for procs in 1 2; do
        if ((resume)); then
          rate=$(s_time "$procs" "$port" -reuse)
        else
          rate=$(s_time "$procs" "$port" -new)
        fi
        record "$item" "$s" "openssl s_time ×$procs" "$rep" "$rate" "handshakes/s"
      done
      stop "$SERVER_PID"
    done
    say "item $item: repetition $rep of $REPS done"
  done
}
if want 1; then say "1: full TLS 1.3 handshakes/s"; handshakes 1 0; fi
if want 2; then say "2: resumed handshakes/s"; handshakes 2 1; fi

# ---------------------------------------------------------------- 3: echo throughput
if want 3; then
  say "3: echo throughput, $ECHO_SIZE per connection"
  for ((rep = 1; rep <= REPS; rep++)); do
    for s in tlskit socat ncat; do
      server_ok "$s" || continue
      port=$(free_port)
      start_server "$s" echo "$port"
      for window in "" 64k; do
        col="tlskit bench --bytes $ECHO_SIZE"
        args=(--bytes "$ECHO_SIZE" -c 1 -n 1 --timeout 5)
        if [[ -n $window ]]; then
          col+=" --window $window"
          args+=(--window "$window")
        fi
        s0=$(cpu_ticks "$SERVER_PID")
        tlskit_bench e.json "127.0.0.1:$port" "${args[@]}"
        sleep 0.3
        s1=$(cpu_ticks "$SERVER_PID")
        server_cpu=$(python3 -c "print(($s1 - $s0) / $TICK)")
        if [[ -s e.json ]] && [[ $(json e.json 'd["connections"]["succeeded"]') == 1 ]]; then
          record 3 "$s" "$col" "$rep" "$(json e.json 'd["throughput"]["mib_per_s"]')" "MiB/s" \
            "$(json e.json '__import__("json").dumps({"seconds": d["elapsed_s"], "bytes": d["throughput"]["bytes"], "suite": (d["negotiated"] or {}).get("cipher_suite"), "server_cpu_s": '"$server_cpu"', "client_cpu_s": d["client_cpu"]["user_s"] + d["client_cpu"]["system_s"], "prepare_ms": d["prepare_ms"]})')"
        else
          record 3 "$s" "$col" "$rep" 0 "MiB/s" "$(python3 -c 'import json,sys; print(json.dumps({"failed": sys.argv[1]}))' "$(tail -1 e.json.err 2>/dev/null)")"
        fi
        # ncat grows per connection: a fresh one for every run.
        if [[ $s == ncat ]]; then
          stop "$SERVER_PID"
          start_server "$s" echo "$port"
        fi
      done
      stop "$SERVER_PID"
    done
  done
fi

# ---------------------------------------------------------------- 4: memory per idle connection
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# The RSS of a server and its worker processes (nginx), in KiB.
rss_tree() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1"); do
    total=$((total + $(rss_kib "$p" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
if want 4; then
  say "4: RSS per idle connection: tlskit serve, tlskit tunnel server, nginx"
  IDLE_SERVERS=(tlskit)
  "$TLSKIT" tunnel --help >/dev/null 2>&1 && have socat && IDLE_SERVERS+=(tunnel)
  have nginx && IDLE_SERVERS+=(nginx)
  for s in "${IDLE_SERVERS[@]}"; do
    case $s in tlskit) name="tlskit serve" ;; tunnel) name="tlskit tunnel server" ;; nginx) name="nginx" ;; esac
    [[ $s == tunnel ]] && start_echo_target
    for n in $IDLE_COUNTS; do
      for ((rep = 1; rep <= (QUICK ? 1 : 3); rep++)); do
        port=$(free_port)
        case $s in
          tlskit) start_server tlskit echo "$port" ;;
          *) start_cost_server "$s" "$port" on ;;
        esac
        # One connection first, so that lazily built state (runtime threads, buffers) is in the baseline.
        python3 "$ROOT/bench/hold.py" 127.0.0.1 "$port" 1 srv.pem </dev/null >/dev/null
        sleep 0.3
        base=$(rss_tree "$SERVER_PID")
        coproc HOLD { python3 "$ROOT/bench/hold.py" 127.0.0.1 "$port" "$n" srv.pem; }
        hold_pid=$HOLD_PID
        PIDS+=("$hold_pid")
        ready=""
        read -r -t 150 ready <&"${HOLD[0]}" || true
        if [[ $ready == "ready $n" ]]; then
          sleep 1
          held=$(rss_tree "$SERVER_PID")
          per=$(python3 -c "print(round(($held - $base) / $n, 2))")
          # The first server keeps the row name it always had, so old records still compare.
          row="$n idle connections"
          [[ $s != tlskit ]] && row="$name, $n idle connections"
          record 4 "$row" "KiB per connection" "$rep" "$per" "KiB" \
            "{\"rss_before_kib\": $base, \"rss_with_kib\": $held}"
        else
          say "item 4 ($name): holding $n connections failed ($ready)"
        fi
        stop "$hold_pid"
        stop "$SERVER_PID"
      done
    done
    [[ $s == tunnel ]] && stop "$ECHO_PID"
  done
fi

# ---------------------------------------------------------------- 5: one-shot client latency
if want 5 && have hyperfine; then
  say "5: one-shot client latency (process start to exit)"
  port=$(free_port)
  start_server tlskit www "$port"
  if implemented connect "127.0.0.1:$port" --ca srv.pem --servername localhost --no-io -q; then
    hyper 5 "tlskit connect" "wall time" \
      "$TLSKIT connect 127.0.0.1:$port --servername localhost --ca srv.pem"
    # The key exchange s_client and curl (OpenSSL 3.0) negotiate: X25519, no ML-KEM.
    hyper 5 "tlskit connect --groups x25519" "wall time" \
      "$TLSKIT connect 127.0.0.1:$port --servername localhost --ca srv.pem --groups x25519"
  else
    SKIPPED+=("item 5, tlskit connect: not implemented in this build")
  fi
  hyper 5 "openssl s_client" "wall time" \
    "openssl s_client -connect 127.0.0.1:$port -servername localhost -CAfile srv.pem -verify_return_error -verify_hostname localhost"
  # HTTP/1.1, as recorded before serve --www offered h2 (curl would pick it).
  have curl && hyper 5 "curl" "wall time" \
    "curl -so /dev/null --http1.1 --cacert srv.pem --resolve localhost:$port:127.0.0.1 https://localhost:$port/"
  stop "$SERVER_PID"
fi

# ---------------------------------------------------------------- 6: certificate generation
if want 6 && have hyperfine; then
  say "6: gencert vs openssl req -x509"
  san="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
  # On disk (tlskit fsyncs the files and the directory; openssl does not) and,
  # where there is one, on tmpfs (where fsync costs nothing: the CPU cost alone).
  places=("$WORK")
  fs=(disk)
  if [[ -d /dev/shm && -w /dev/shm ]]; then
    places+=("$(mktemp -d /dev/shm/tlskit-bench.XXXXXX)")
    fs+=(tmpfs)
  fi
  for i in "${!places[@]}"; do
    d=${places[$i]}
    hyper 6 "ECDSA P-256, ${fs[$i]}" "tlskit gencert" "$TLSKIT gencert --force --out $d/g localhost 127.0.0.1 ::1"
    hyper 6 "ECDSA P-256, ${fs[$i]}" "openssl req -x509" \
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $d/o-key.pem -out $d/o.pem -days 30 -subj /CN=localhost -addext $san -addext basicConstraints=critical,CA:FALSE"
    hyper 6 "RSA-2048, ${fs[$i]}" "tlskit gencert" "$TLSKIT gencert --force --key-type rsa2048 --out $d/g localhost 127.0.0.1 ::1"
    hyper 6 "RSA-2048, ${fs[$i]}" "openssl req -x509" \
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout $d/o-key.pem -out $d/o.pem -days 30 -subj /CN=localhost -addext $san -addext basicConstraints=critical,CA:FALSE"
  done
  [[ ${#places[@]} -gt 1 ]] && rm -rf "${places[1]}"
fi

# ---------------------------------------------------------------- 7: inspecting the system CA bundle
BUNDLE=/etc/ssl/certs/ca-certificates.crt
if want 7 && have hyperfine && [[ -r $BUNDLE ]]; then
  say "7: inspect the system CA bundle"
  ncerts=$(grep -c 'BEGIN CERTIFICATE' "$BUNDLE")
  if implemented inspect "$BUNDLE"; then
    hyper 7 "tlskit inspect" "$ncerts certificates" "$TLSKIT inspect $BUNDLE"
  else
    SKIPPED+=("item 7, tlskit inspect: not implemented in this build")
  fi
  hyper 7 "openssl storeutl -text" "$ncerts certificates" "openssl storeutl -noout -text -certs $BUNDLE"
fi

# find_sslyze: sets SSLYZE to an sslyze (from the environment, target/sslyze-venv, or a venv
# in the cache, installed there unless --no-install); empty when there is none.
find_sslyze() {
  SSLYZE=${SSLYZE:-}
  local venv=${XDG_CACHE_HOME:-$HOME/.cache}/tlskit-bench/venv
  if [[ -z $SSLYZE && -x $ROOT/target/sslyze-venv/bin/sslyze ]]; then SSLYZE=$ROOT/target/sslyze-venv/bin/sslyze; fi
  if [[ -z $SSLYZE && ! -x $venv/bin/sslyze ]] && ((INSTALL)); then
    say "installing sslyze into $venv"
    { python3 -m venv "$venv" && "$venv/bin/pip" install -q sslyze; } >/dev/null 2>&1 || true
  fi
  if [[ -z $SSLYZE && -x $venv/bin/sslyze ]]; then SSLYZE=$venv/bin/sslyze; fi
  return 0
}

# ---------------------------------------------------------------- 8: scanning a legacy server
if want 8; then
  # A legacy server: TLS 1.0 to 1.2, every suite OpenSSL 3.0 still has, an RSA-2048 leaf from a CA
  # (the same server as bench/scan.sh). Each tool is asked for what tlskit scan covers at least:
  # protocol versions and the suites of each.
  "$TLSKIT" gencert --ca --cn "Bench CA" -q --out ca
  "$TLSKIT" gencert localhost 127.0.0.1 --key-type rsa2048 --issuer ca.pem --out rsa -q
  port=$(free_port)
  setsid openssl s_server -accept "127.0.0.1:$port" -cert rsa.pem -key rsa-key.pem \
    -cipher 'ALL:@SECLEVEL=0' -min_protocol TLSv1 -max_protocol TLSv1.2 -quiet \
    <hold-stdin >/dev/null 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_listen "$port"
  if ! implemented scan "127.0.0.1:$port" --servername localhost --ca ca.pem; then
    SKIPPED+=("item 8: tlskit scan is not implemented in this build")
  elif ! have hyperfine; then
    SKIPPED+=("item 8: hyperfine is missing")
  else
    say "8: scan vs testssl.sh vs sslyze"
    HRUNS_SAVED=$HRUNS
    HRUNS=$((QUICK ? 2 : 5))
    HWARMUP=1
    hyper 8 "tlskit scan" "legacy s_server" "$TLSKIT scan 127.0.0.1:$port --servername localhost --ca ca.pem"
    if have testssl; then
      # About 30 s a run: three are enough.
      HRUNS=$((QUICK ? 2 : 3))
      hyper 8 "testssl.sh -p -E" "legacy s_server" \
        "env NXCONNECT=127.0.0.1:0 testssl --nodns none --warnings batch --color 0 -p -E 127.0.0.1:$port"
      HRUNS=$((QUICK ? 2 : 5))
    else
      SKIPPED+=("item 8, testssl.sh: not installed")
    fi
    find_sslyze
    if [[ -n $SSLYZE ]]; then
      hyper 8 "sslyze" "legacy s_server" \
        "$SSLYZE --quiet --sni localhost --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --mozilla_config disable 127.0.0.1:$port"
    else
      SKIPPED+=("item 8, sslyze: not installed")
    fi
    HRUNS=$HRUNS_SAVED
    HWARMUP=3
  fi
  stop "$SERVER_PID"
fi

# ---------------------------------------------------------------- 10: a fleet scan
if want 10; then
  # 100 loopback TLS servers (one Python process on 100 ports): tlskit scan --targets beside
  # sslyze --targets_in, once each (bench/scan-fleet.sh, which records wall time and CPU).
  find_sslyze
  if [[ -z $SSLYZE ]]; then
    SKIPPED+=("item 10, sslyze: not installed")
  fi
  say "10: fleet scan of 100 loopback targets vs sslyze --targets_in"
  TLSKIT=$TLSKIT SSLYZE=${SSLYZE:-/nonexistent} RESULTS=$RESULTS N=100 \
    "$ROOT/bench/scan-fleet.sh" >&2 || SKIPPED+=("item 10: bench/scan-fleet.sh failed")
fi

if want 11; then
  # DTLS over UDP: `tlskit serve --dtls` against `openssl s_server -dtls1_2` and `gnutls-serv
  # --udp` (one peer at a time: both serve associations one after the other), all loaded by the
  # same `tlskit bench --dtls -c 1 --server-pid PID`, which reads the server's CPU from
  # /proc/PID/stat; then serve's echo of 512-byte datagrams, each checked. OpenSSL 3.0 and
  # GnuTLS 3.7 have no DTLS 1.3. gnutls-serv binds every interface and has no option to
  # bind loopback only, so it runs in a network namespace of its own (`unshare -n`, only its
  # loopback up) and the client joins it (`nsenter --net`); without that, its row is skipped.
  say "11: DTLS handshakes and the server's CPU per handshake vs openssl s_server -dtls1_2 and gnutls-serv --udp"
  dtls_servers=(tlskit s_server)
  if have gnutls-serv && have unshare && have nsenter && unshare -n true 2>/dev/null; then
    dtls_servers+=(gnutls)
  else
    SKIPPED+=("item 11, gnutls-serv: needs gnutls-bin and a private network namespace (unshare -n, as root)")
  fi
  for ((rep = 1; rep <= REPS; rep++)); do
    for s in "${dtls_servers[@]}"; do
      port=$(free_udp_port)
      netns=()
      case $s in
        tlskit)
          setsid "$TLSKIT" serve --dtls --listen "127.0.0.1:$port" --cert srv.pem --key srv-key.pem -q --no-log \
            --max-connections 8000 >/dev/null 2>&1 &
          name="tlskit serve --dtls" ;;
        s_server)
          setsid openssl s_server -dtls1_2 -accept "127.0.0.1:$port" -cert srv.pem -key srv-key.pem \
            -quiet <hold-stdin >/dev/null 2>&1 &
          name="openssl s_server -dtls1_2" ;;
        gnutls)
          # -a: no client certificate request (the other two ask for none; tlskit's client
          # would answer one with a throwaway certificate, costing the server a verification).
          # --noticket: no session ticket (the other two send none).
          setsid unshare -n sh -c 'ip link set lo up && exec gnutls-serv --udp --echo -q -a --noticket -p "$0" \
            --x509certfile srv.pem --x509keyfile srv-key.pem' "$port" <hold-stdin >/dev/null 2>&1 &
          name="gnutls-serv --udp" ;;
      esac
      SERVER_PID=$!
      PIDS+=("$SERVER_PID")
      sleep 0.5
      [[ $s == gnutls ]] && netns=(nsenter --net="/proc/$SERVER_PID/ns/net")
      versions=(--tls12)
      [[ $s == tlskit ]] && versions+=(--tls13)
      for v in "${versions[@]}"; do
        col="DTLS 1.2"
        [[ $v == --tls13 ]] && col="DTLS 1.3"
        "${netns[@]}" "$TLSKIT" --json bench --dtls "127.0.0.1:$port" --ca srv.pem --servername localhost \
          -c 1 -d "$SECS" "$v" --server-pid "$SERVER_PID" >d.json 2>d.err || true
        if [[ -s d.json ]] && [[ $(json d.json 'd["handshakes"]') != 0 ]]; then
          record 11 "$name" "$col handshakes/s" "$rep" "$(json d.json 'd["handshakes_per_s"]')" "handshakes/s" \
            "$(json d.json '__import__("json").dumps({k: d[k] for k in ("handshakes", "handshake_p50_ms", "retransmissions")})')"
          record 11 "$name" "$col server CPU per handshake" "$rep" \
            "$(json d.json 'd["server_cpu"]["per_handshake_us"]')" µs "{\"handshakes\": $(json d.json 'd["handshakes"]')}"
        else
          say "item 11: $name ($col) failed: $(tail -1 d.err 2>/dev/null)"
        fi
      done
      # The echo: one association of 254-byte datagrams (what all can serve: gnutls-serv echoes
      # at most 254 bytes at a time and splits a larger datagram in two), then, serve only, four
      # associations of 512-byte ones (the other two serve one association at a time).
      # s_server does not echo.
      echoes=()
      [[ $s != s_server ]] && echoes+=("1 254")
      [[ $s == tlskit ]] && echoes+=("4 512")
      for e in "${echoes[@]}"; do
        read -r c size <<<"$e"
        col="echo datagrams/s, 1 association, $size B"
        ((c > 1)) && col="echo datagrams/s, $c associations, $size B"
        "${netns[@]}" "$TLSKIT" --json bench --dtls "127.0.0.1:$port" --ca srv.pem --servername localhost \
          -c "$c" -n "$c" --datagrams 20000 --datagram-size "$size" --tls12 >e.json 2>e.err || true
        if [[ -s e.json ]]; then
          record 11 "$name" "$col" "$rep" "$(json e.json 'd["datagrams_per_s"]')" "datagrams/s" \
            "$(json e.json '__import__("json").dumps({k: d[k] for k in ("datagrams_sent", "datagrams_echoed", "datagrams_lost", "datagrams_corrupted")})')"
        else
          say "item 11: $name ($col) failed: $(tail -1 e.err 2>/dev/null)"
        fi
      done
      stop "$SERVER_PID"
    done
    say "item 11: repetition $rep of $REPS done"
  done
fi

# ---------------------------------------------------------------- the record
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cd "$ROOT"
mkdir -p "$(dirname "$OUT")"
{
  printf '{'
  printf '"date": "%s",' "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf '"tlskit": "%s",' "$("$TLSKIT" --version) ($(git describe --always --dirty 2>/dev/null || echo unknown))"
  printf '"cpu": "%s",' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  printf '"cores": %s,' "$(nproc)"
  printf '"kernel": "%s",' "$(uname -sr)"
  printf '"openssl": "%s",' "$(openssl version)"
  printf '"socat": "%s",' "$(have socat && socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p')"
  printf '"ncat": "%s",' "$(have ncat && ncat --version 2>&1 | sed -n 's/^Ncat: Version \([^ ]*\).*/\1/p')"
  printf '"hyperfine": "%s",' "$(have hyperfine && hyperfine --version | cut -d' ' -f2)"
  printf '"curl": "%s",' "$(have curl && curl --version | head -1 | cut -d' ' -f2)"
  printf '"load_before": "%s", "load_after": "%s",' "$load_before" "$load_after"
  printf '"reps": %s, "secs": %s, "echo_size": "%s", "quick": %s, "hyperfine_runs": %s,' \
    "$REPS" "$SECS" "$ECHO_SIZE" "$QUICK" "$HRUNS"
  printf '"load_per_item": {'
  sep=""
  for l in "${LOADS[@]}"; do printf '%s"%s": %s' "$sep" "${l%%=*}" "${l#*=}"; sep=","; done
  printf '},'
  printf '"skipped": ['
  sep=""
  for s in "${SKIPPED[@]}"; do printf '%s"%s"' "$sep" "$s"; sep=","; done
  printf ']}'
} >"$WORK/meta.json"
cp "$RESULTS" "${OUT%.md}.jsonl"
cp "$WORK/meta.json" "${OUT%.md}.meta.json"
python3 bench/report.py "${OUT%.md}.meta.json" "${OUT%.md}.jsonl" bench/NOTES.md >"$OUT"
say "wrote $OUT (raw data: ${OUT%.md}.jsonl and .meta.json)"
