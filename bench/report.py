#!/usr/bin/env python3
"""Renders the performance record (Markdown) from bench/run.sh's raw results:
medians of the repetitions, their spread, ratios against each peer, and
whether each target of issue 7 is met. Usage: report.py META RESULTS NOTES."""

import json
import statistics
import sys
from collections import OrderedDict


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def cells(results, item):
    """(row, col) -> list of values, in first-seen order."""
    out = OrderedDict()
    for r in results:
        if r["item"] == item:
            out.setdefault((r["row"], r["col"]), []).append(r)
    return out


def med(recs):
    return statistics.median(r["value"] for r in recs)


def fmt(v, unit):
    if unit == "s":
        ms = v * 1000
        if ms >= 10_000:
            return f"{v:.1f} s"
        return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def spread(recs, unit):
    if len(recs) < 2:
        return ""
    lo = min(r["value"] for r in recs)
    hi = max(r["value"] for r in recs)
    return f" <sub>({fmt(lo, unit)}–{fmt(hi, unit)})</sub>"


def ratio(a, b):
    if not b:
        return "–"
    return f"{a / b:.2f}×"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out)


def grid(results, item, unit):
    """A server × client table of medians, with the spread of the repetitions."""
    c = cells(results, item)
    rows = list(OrderedDict.fromkeys(k[0] for k in c))
    cols = list(OrderedDict.fromkeys(k[1] for k in c))
    body = []
    for r in rows:
        line = [r]
        for col in cols:
            recs = c.get((r, col))
            line.append(fmt(med(recs), unit) + spread(recs, unit) if recs else "–")
        body.append(line)
    return rows, cols, c, table(["server \\ client"] + cols, body)


SERVER_NAMES = {
    "tlskit": "tlskit serve",
    "s_server": "openssl s_server",
    "socat": "socat fork",
    "ncat": "ncat -k --exec cat",
}


def handshake_section(results, item, title, targets):
    out = [f"## {item}. {title}", ""]
    rows, cols, c, t = grid(results, item, "handshakes/s")
    if not c:
        return out + ["Not measured in this run.", ""]
    for k, v in SERVER_NAMES.items():
        t = t.replace(f"| {k} |", f"| {v} |")
    out += [t, "", "Handshakes per second (median of the repetitions, range below it)."]
    groups = sorted({str((r.get("extra") or {}).get("group")) for recs in c.values() for r in recs if r.get("extra")})
    if groups:
        out.append(f"Key exchange negotiated by `tlskit bench`: {', '.join(groups)} (per server, see the raw data).")
    if item == "2":
        fractions = []
        for (row, col), recs in c.items():
            ex = [r["extra"] for r in recs if r.get("extra")]
            if ex:
                res = sum(e["resumed"] for e in ex)
                tot = sum(e["succeeded"] for e in ex)
                fractions.append(f"{SERVER_NAMES.get(row, row)} {100 * res / max(tot, 1):.0f} %")
        if fractions:
            out.append("Share of `tlskit bench --resume` handshakes that really resumed: " + ", ".join(fractions) + ".")
    cpu_rows = []
    for col in cols:
        for r in rows:
            ex = [x["extra"] for x in c.get((r, col), []) if x.get("extra") and x["extra"].get("succeeded")]
            if ex and "server_cpu_s" in ex[0]:
                srv = statistics.median(e["server_cpu_s"] / e["succeeded"] * 1e6 for e in ex)
                cli = statistics.median(e["client_cpu_s"] / e["succeeded"] * 1e6 for e in ex)
                cpu_rows.append([col, SERVER_NAMES.get(r, r), f"{srv:,.0f} µs", f"{cli:,.0f} µs", f"{srv + cli:,.0f} µs",
                                 str(ex[0].get("group")), str(ex[0].get("suite"))])
    if cpu_rows:
        out += ["", "CPU time per handshake with `tlskit bench` as the client (median; server: user + system, "
                "children included; client: bench's own `client_cpu`):", "",
                table(["client", "server", "server CPU", "client CPU", "together", "group", "suite"], cpu_rows)]
    out.append("")
    if "tlskit" in rows:
        lines = []
        for col in cols:
            mine = c.get(("tlskit", col))
            if not mine:
                continue
            parts = []
            for peer in rows:
                if peer == "tlskit" or (peer, col) not in c:
                    continue
                parts.append(f"{ratio(med(mine), med(c[(peer, col)]))} {SERVER_NAMES.get(peer, peer)}")
            lines.append(f"- with {col}: tlskit serve = " + ", ".join(parts))
        out += ["Ratios (tlskit serve ÷ peer, same client):", ""] + lines + [""]
        for peer, want in targets:
            per = []
            for col in cols:
                if ("tlskit", col) in c and (peer, col) in c:
                    r = med(c[("tlskit", col)]) / med(c[(peer, col)])
                    per.append((r, col))
            if per:
                best = max(per)
                shown = "; ".join(f"{col}: {r:.2f}×" for r, col in per)
                out.append(f"Target ≥ {want}× {SERVER_NAMES[peer]}: {verdict(best[0] >= want)} "
                           f"(best {best[0]:.2f}× with {best[1]}; {shown}).")
        out.append("")
    return out


# Servers that forward to a plaintext echo rather than echo themselves: their
# floor per MiB is the relay's (four transfers per byte), not the echo's (two).
FORWARDERS = {"stunnel4", "tlskit tunnel server"}

COST_TARGETS = [
    # (column, server, peer or "floor", at most this ratio)
    ("full, X25519", "tlskit serve", "nginx", 0.35),
    ("full, X25519", "tlskit serve", "floor", 1.5),
    ("resumed", "tlskit serve", "nginx", 0.35),
    ("per MiB echoed", "tlskit serve", "floor", 1.3),
    ("per MiB echoed", "tlskit serve", "socat OPENSSL-LISTEN,fork", 0.5),
    ("full, X25519", "tlskit tunnel server", "stunnel4", 0.5),
    ("per MiB echoed", "tlskit tunnel server", "stunnel4", 0.5),
]


def cost_section(results):
    """Item 9: each server's own CPU per operation, against nginx, stunnel and the floor."""
    out = ["## Server CPU per operation", ""]
    c = cells(results, "9")
    floor_recs = c.pop(("floor", "floor"), None)
    if not c:
        return out + ["Not measured in this run.", ""]
    # One floor per repetition in newer runs: each figure is their median.
    floor = {}
    for key in ((floor_recs[0].get("extra") or {}) if floor_recs else {}):
        values = [x["extra"][key] for x in floor_recs
                  if isinstance((x.get("extra") or {}).get(key), (int, float))]
        if values:
            floor[key] = round(statistics.median(values), 2)
    floors = {
        "full, X25519": floor.get("handshake_x25519_us"),
        "full, default groups": floor.get("handshake_x25519mlkem768_us"),
        "per MiB echoed": (floor.get("aes256gcm_seal_open_per_mib_us") or 0) / 1000 or None,
    }
    # The floor with loopback TCP's own cost added (present in runs since the
    # floor measured it): per connection, and per MiB echoed or forwarded.
    ms = lambda k: (floor.get(k) or 0) / 1000 or None
    tcp_floors = {
        "full, X25519": floor.get("handshake_x25519_with_tcp_us"),
        "full, default groups": (floor.get("handshake_x25519mlkem768_us") or 0)
        + (floor.get("key_schedule_sha384_us") or 0)
        + (floor.get("tcp_connection_us") or 0) if floor.get("tcp_connection_us") else None,
        "per MiB echoed": ms("echo_per_mib_with_tcp_us"),
    }
    relay_floor = ms("relay_per_mib_with_tcp_us")

    def tcp_floor(server, col):
        if col == "per MiB echoed" and server in FORWARDERS:
            return relay_floor
        return tcp_floors.get(col)

    rows = list(OrderedDict.fromkeys(k[0] for k in c))
    cols = list(OrderedDict.fromkeys(k[1] for k in c))
    units = {col: ("ms" if col.startswith("per MiB") else "µs") for col in cols}
    body = []
    for r in rows:
        line = [r]
        for col in cols:
            recs = c.get((r, col))
            if not recs:
                line.append("–")
                continue
            v = med(recs)
            cell = f"{v:,.1f} {units[col]}" if units[col] == "µs" else f"{v:.2f} {units[col]}"
            f = floors.get(col)
            if f:
                cell += f" ({v / f:.2f}× floor"
                t = tcp_floor(r, col)
                cell += f", {v / t:.2f}× with TCP)" if t else ")"
            groups = {str((x.get("extra") or {}).get("group")) for x in recs}
            if col.startswith("full") and groups:
                cell += f" <sub>{', '.join(sorted(groups))}</sub>"
            line.append(cell + spread(recs, units[col]).replace(" ms", "").replace(" s", ""))
        body.append(line)
    out += [table(["server"] + cols, body), ""]
    if floor:
        out += [
            "The floor (`tlskit bench --floor`, aws-lc through aws-lc-rs, one core's CPU time; "
            f"the median of its {len(floor_recs)} measurement{'s' if len(floor_recs) != 1 else ''} "
            "in this run): "
            f"ECDSA P-256 signature {floor.get('ecdsa_p256_sign_us')} µs, X25519 key share "
            f"{floor.get('x25519_keygen_us')} µs, agreement {floor.get('x25519_agree_us')} µs, "
            f"ML-KEM-768 encapsulation {floor.get('mlkem768_encapsulate_us')} µs; a full handshake "
            f"with X25519 at least {floors['full, X25519']} µs, with X25519MLKEM768 "
            f"{floors['full, default groups']} µs; AES-256-GCM seal + open "
            f"{floor.get('aes256gcm_seal_open_per_mib_us')} µs per MiB.",
            "",
        ]
    if floor.get("tcp_connection_us"):
        out += [
            "With TCP: the same floor plus the handshake's key schedule (HKDF-SHA-384 as RFC 8446 "
            "lays it out: 12 HMAC keys, 22 HMACs, the transcript hash and four AES-256-GCM keys, "
            f"{floor.get('key_schedule_sha384_us')} µs) and what loopback TCP alone costs a "
            "server's system calls (`bench --floor`, both ends in one thread in lockstep, so nothing "
            "sleeps or polls): "
            f"{floor.get('tcp_connection_us')} µs per connection with a handshake's traffic, "
            f"{floor.get('tcp_echo_per_mib_us')} µs per MiB echoed, "
            f"{floor.get('tcp_relay_per_mib_us')} µs per MiB forwarded both ways; together "
            f"{floor.get('handshake_x25519_with_tcp_us')} µs per full X25519 handshake, "
            f"{floor.get('echo_per_mib_with_tcp_us'):,} µs per MiB echoed (serve, socat) and "
            f"{floor.get('relay_per_mib_with_tcp_us'):,} µs per MiB forwarded (stunnel4, tunnel).",
            "",
        ]
    out += [
        "Per handshake: the server's user + system CPU (all its processes and threads, read from "
        "`/proc` by `tlskit bench --server-pid`) over the run ÷ connections completed; the client is "
        "`tlskit bench -c 16 --tls13`, tickets off for full handshakes and on for resumed ones. "
        "Per MiB: one 256 MiB stream echoed (tlskit serve, socat) or forwarded to a plaintext echo "
        "(stunnel4, tlskit tunnel server), the server's CPU ÷ MiB. Medians of the repetitions.",
        "",
    ]
    lines = []
    for col, mine, peer, want in COST_TARGETS:
        m = c.get((mine, col))
        if not m:
            continue
        if peer == "floor":
            theirs = floors.get(col)
            name = "the floor"
        else:
            t = c.get((peer, col))
            theirs = med(t) if t else None
            name = peer
        if not theirs:
            continue
        r = med(m) / theirs
        line = f"- {col}: {mine} = {r:.2f}× {name} (target ≤ {want}×: {verdict(r <= want)})"
        if peer != "floor" and r > want and tcp_floor(mine, col):
            t = tcp_floor(mine, col)
            unit = "ms" if col.startswith("per MiB") else "µs"
            line += (f"; {want}× {name} is {want * theirs:,.2f} {unit}, {want * theirs / t:.2f}× the floor "
                     f"with TCP, where {mine} is at {med(m) / t:.2f}×")
        if peer == "floor" and tcp_floor(mine, col):
            t = tcp_floor(mine, col)
            line += (f"; the floor with TCP is {t:,.2f} {'ms' if col.startswith('per MiB') else 'µs'}"
                     f" = {t / theirs:.2f}× the crypto floor, and {mine} is {med(m) / t:.2f}× it")
        lines.append(line)
    if lines:
        out += ["Targets:", ""] + lines + [""]
    return out


def main():
    meta = json.load(open(sys.argv[1]))
    results = load(sys.argv[2])
    notes = open(sys.argv[3]).read() if len(sys.argv) > 3 else ""
    o = []
    o.append("# tlskit performance record")
    o.append("")
    o.append("Generated by `bench/run.sh` (see README, `## bench`); do not edit by hand — "
             "the analysis at the end comes from `bench/NOTES.md`.")
    if meta.get("quick"):
        o.append("")
        o.append("> **Quick dry run** (short runs, few repetitions): not a record.")
    o.append("")
    o.append(table(["", ""], [
        ["date", meta["date"]],
        ["tlskit", meta["tlskit"]],
        ["machine", f'{meta["cpu"]}, {meta["cores"]} cores, {meta["kernel"]}'],
        ["peers", f'{meta["openssl"]}; socat {meta["socat"] or "–"}; ncat {meta["ncat"] or "–"}; curl {meta["curl"] or "–"}; hyperfine {meta["hyperfine"] or "–"}'],
        ["load average (1/5/15 min)", f'before {meta["load_before"]}, after {meta["load_after"]}; '
         'at the start of each item: ' + ", ".join(f"{k}: {v}" for k, v in meta.get("load_per_item", {}).items())],
        ["method", f'{meta["reps"]} repetitions of {meta["secs"]} s per handshake cell, interleaved across servers; echo {meta["echo_size"]} per connection; hyperfine medians of {meta["hyperfine_runs"]} runs (3 warm-up)'],
    ]))
    o.append("")
    o.append("Everything runs on loopback on this one machine: clients and servers share its cores, "
             "so a client's own cost is part of every figure. Certificates: ECDSA P-256 from `tlskit gencert`, "
             "verified by every client against that certificate (`--ca`, `-CAfile`, `--cacert`).")
    o.append("")
    if meta.get("skipped"):
        o.append("Skipped: " + "; ".join(meta["skipped"]) + ".")
        o.append("")

    o += cost_section(results)
    o += handshake_section(results, "1", "Full TLS 1.3 handshakes per second",
                           [("s_server", 4), ("socat", 10)])
    o += handshake_section(results, "2", "Resumed handshakes per second", [])

    o.append("## 3. Echo throughput")
    o.append("")
    c = cells(results, "3")
    if c:
        body = []
        rows3 = list(OrderedDict.fromkeys(k[0] for k in c))
        cols3 = list(OrderedDict.fromkeys(k[1] for k in c))
        for row in rows3:
            line = [SERVER_NAMES.get(row, row)]
            for col in cols3:
                recs = c.get((row, col))
                if not recs:
                    line.append("–")
                elif all(r["value"] == 0 for r in recs):
                    line.append("stalls (nothing echoed back for 5 s)")
                else:
                    line.append(fmt(med(recs), "MiB/s") + " MiB/s" + spread(recs, "MiB/s"))
            body.append(line)
        o.append(table(["server \\ client"] + cols3, body))
        o.append("")
        cpu_rows = []
        for row in rows3:
            for col in cols3:
                ex = [x["extra"] for x in c.get((row, col), []) if x.get("extra") and x["extra"].get("bytes")]
                if ex:
                    srv = statistics.median(e["server_cpu_s"] / (e["bytes"] / 2**20) * 1e3 for e in ex)
                    cli = statistics.median(e["client_cpu_s"] / (e["bytes"] / 2**20) * 1e3 for e in ex)
                    cpu_rows.append([SERVER_NAMES.get(row, row), col, f"{srv:.2f} ms", f"{cli:.2f} ms"])
        if cpu_rows:
            o.append("CPU time per MiB echoed (median; server: user + system, children included; client: "
                     "bench's own `client_cpu` during the run, the data and its SHA-256 being made before it):")
            o.append("")
            o.append(table(["server", "client", "server CPU / MiB", "client CPU / MiB"], cpu_rows))
            o.append("")
        for col in cols3:
            mine = c.get(("tlskit", col))
            for peer in ("socat", "ncat"):
                theirs = c.get((peer, col))
                if mine and theirs and med(theirs) > 0:
                    r = med(mine) / med(theirs)
                    line = f"with {col}: tlskit serve ÷ {SERVER_NAMES[peer]} = {r:.2f}×"
                    # The target is for the plain echo; the window exists for servers that stall.
                    if peer == "socat" and "--window" not in col:
                        line += f" (target ≥ 2×: {verdict(r >= 2)})"
                    o.append("- " + line)
        o.append("")
        o.append("MiB/s = bytes echoed and checked (header byte for byte, body by SHA-256) ÷ wall time of the connection, handshake included.")
    else:
        o.append("Not measured in this run.")
    o.append("")

    o.append("## 4. Memory per idle connection (`tlskit serve`)")
    o.append("")
    c = cells(results, "4")
    if c:
        body = []
        worst = 0
        for (row, col), recs in c.items():
            ex = recs[len(recs) // 2].get("extra") or {}
            m = med(recs)
            worst = max(worst, m)
            body.append([row, f"{ex.get('rss_before_kib', 0):,} KiB", f"{ex.get('rss_with_kib', 0):,} KiB", f"**{m:.1f} KiB**" + spread(recs, "KiB")])
        o.append(table(["held (TLS 1.3, handshake done, no data)", "RSS before", "RSS holding them", "per connection (median)"], body))
        o.append("")
        o.append(f"Target ≤ 64 KiB per idle connection: {verdict(worst <= 64)} (worst case {worst:.1f} KiB).")
    else:
        o.append("Not measured in this run.")
    o.append("")

    def hyper_section(item, title, mine_row, peers, target=None, note=None):
        o.append(f"## {item}. {title}")
        o.append("")
        if note:
            o.append(note)
            o.append("")
        c = cells(results, item)
        if not c:
            o.append("Not measured in this run.")
            o.append("")
            return
        groups = OrderedDict()
        for (row, col), recs in c.items():
            groups.setdefault(col if item != "6" else row, []).append((row if item != "6" else col, recs))
        body = []
        for g, entries in groups.items():
            for name, recs in entries:
                ex = recs[0].get("extra") or {}
                body.append([g, f"`{name}`", fmt(med(recs), "s"),
                             f"{fmt(ex.get('min', 0), 's')} – {fmt(ex.get('max', 0), 's')}" if ex else ""])
        o.append(table(["case", "command", "median", "min – max"], body))
        o.append("")
        for g, entries in groups.items():
            d = {n: med(r) for n, r in entries}
            for mine in [n for n in d if n == mine_row or n.startswith(mine_row + " ")]:
                for p in peers:
                    if p in d:
                        r = d[mine] / d[p]
                        shown = f"{r:.2f}×" if r >= 0.1 else f"1/{1 / r:,.0f}"
                        line = f"{mine} ÷ {p} ({g}): {shown} the time"
                        if target and p in target and (item != "6" or g.startswith("ECDSA P-256")):
                            want, kind = target[p]
                            ok = d[mine] / d[p] <= want
                            line += f" (target ≤ {kind}: {verdict(ok)})"
                        o.append("- " + line)
        o.append("")

    hyper_section("5", "One-shot client latency, process start to exit (against `tlskit serve --www`)",
                  "tlskit connect", ["openssl s_client", "curl"],
                  {"openssl s_client": (0.5, "0.5×")},
                  "Every client verifies the server against the same CA file and name. `tlskit connect` "
                  "offers the post-quantum hybrid X25519MLKEM768 by default (a 1.2 KB key share each way "
                  "and ML-KEM work on both sides); OpenSSL 3.0 and curl built on it negotiate X25519, "
                  "which `--groups x25519` makes tlskit do too.")
    hyper_section("6", "Certificate generation (self-signed, localhost 127.0.0.1 ::1)",
                  "tlskit gencert", ["openssl req -x509"], {"openssl req -x509": (0.5, "0.5×")},
                  "tlskit writes both files atomically and `fsync`s them (one journal commit for the pair) "
                  "and their directory, so a crash never leaves a half-written key; `openssl req` does not. "
                  "On tmpfs, where `fsync` costs nothing, what is left is the CPU.")
    hyper_section("7", "Reading the system CA bundle", "tlskit inspect", ["openssl storeutl -text"])
    hyper_section("8", "Scanning a legacy server (openssl s_server, TLS 1.0–1.2, every suite OpenSSL has, RSA-2048)",
                  "tlskit scan", ["sslyze", "testssl.sh -p -E"],
                  {"sslyze": (0.5, "0.5×"), "testssl.sh -p -E": (0.05, "1/20")},
                  "Each tool covers at least protocol versions and the suites of each: `tlskit scan` "
                  "(versions, suites, groups, certificate, ALPN, OCSP, resumption, grade), sslyze "
                  "(`--sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3`), testssl.sh (`-p -E`: protocols, "
                  "then suites per protocol). Medians of 5 runs (3 for testssl.sh) after one warm-up.")

    o.append("## 10. Scanning a fleet: 100 loopback targets, `tlskit scan --targets` vs `sslyze --targets_in`")
    o.append("")
    c = cells(results, "10")
    if c:
        rows10 = list(OrderedDict.fromkeys(k[0] for k in c))
        body = []
        for row in rows10:
            cell = lambda col: f"{med(c[(row, col)]):.2f} s" if (row, col) in c else "–"
            body.append([f"`{row}`", cell("wall"), cell("client_cpu"), cell("server_cpu")])
        o.append(table(["client", "wall time", "client CPU (user + system)", "server CPU"], body))
        o.append("")
        mine, theirs = c.get(("tlskit scan --targets", "wall")), c.get(("sslyze --targets_in", "wall"))
        if mine and theirs and med(theirs) > 0:
            r = med(mine) / med(theirs)
            shown = f"{r:.2f}×" if r >= 0.1 else f"1/{1 / r:,.0f}"
            o.append(f"- tlskit ÷ sslyze, wall time: {shown} (target ≤ 1/10: {verdict(r <= 0.1)})")
        mine, theirs = c.get(("tlskit scan --targets", "client_cpu")), c.get(("sslyze --targets_in", "client_cpu"))
        if mine and theirs and med(theirs) > 0:
            o.append(f"- tlskit ÷ sslyze, client CPU: {med(mine) / med(theirs):.2f}×")
        o.append("")
        o.append("One Python asyncio process serves all 100 ports (ECDSA certificate from a test CA); each "
                 "client runs once. sslyze runs what its Mozilla intermediate check needs (certificate, "
                 "every version's suites, curves, compression, fallback SCSV, Heartbleed, CCS injection, "
                 "ROBOT, renegotiation, extended master secret); tlskit its whole scan with the grade. "
                 "Server CPU is what the clients cost the Python server (`/proc/PID/stat`).")
    else:
        o.append("Not measured in this run.")
    o.append("")

    o.append("## 11. DTLS: `tlskit serve --dtls` vs `openssl s_server -dtls1_2` and `gnutls-serv --udp`")
    o.append("")
    c = cells(results, "11")
    if c:
        rows11 = list(OrderedDict.fromkeys(k[0] for k in c))
        cols11 = ["DTLS 1.2 handshakes/s", "DTLS 1.2 server CPU per handshake",
                  "DTLS 1.3 handshakes/s", "DTLS 1.3 server CPU per handshake",
                  "echo datagrams/s, 1 association, 254 B", "echo datagrams/s, 4 associations, 512 B"]
        body = []
        for row in rows11:
            def cell(col, row=row):
                v = c.get((row, col))
                if not v:
                    return "–"
                return f"{med(v):,.0f} µs" if "CPU" in col else f"{med(v):,.0f}"
            body.append([f"`{row}`"] + [cell(col) for col in cols11])
        o.append(table(["server"] + cols11, body))
        o.append("")
        mine = c.get(("tlskit serve --dtls", "DTLS 1.2 server CPU per handshake"))
        for other in ("openssl s_server -dtls1_2", "gnutls-serv --udp"):
            theirs = c.get((other, "DTLS 1.2 server CPU per handshake"))
            if mine and theirs and med(theirs) > 0:
                o.append(f"- serve ÷ {other.split()[0]}, server CPU per DTLS 1.2 handshake: "
                         f"{med(mine) / med(theirs):.2f}×")
        o.append("")
        o.append("All three servers hold the same ECDSA P-256 certificate and are loaded by the same "
                 "`tlskit bench --dtls -c 1 --server-pid PID` (s_server and gnutls-serv serve one "
                 "association at a time), with the cookie exchange each server asks for. gnutls-serv runs "
                 "with `-a --noticket` (no client certificate request, no ticket: as the other two) in a "
                 "network namespace of its own, since it cannot be bound to loopback only; the client "
                 "joins that namespace. Its handshake rate is bounded by its own waits, not by CPU: "
                 "GnuTLS's blocking DTLS handshake sleeps 50 ms at least twice per handshake (seen with "
                 "strace, with gnutls-cli and openssl s_client as clients too), so compare its CPU per "
                 "handshake, not its rate. The echo sends 20,000 datagrams on each association, each "
                 "compared with what was sent: 254 bytes over one association (gnutls-serv echoes at "
                 "most 254 bytes at a time, splitting a larger datagram), 512 bytes over four (serve "
                 "only; s_server does not echo). Medians of the repetitions.")
    else:
        o.append("Not measured in this run.")
    o.append("")

    if notes.strip():
        o.append(notes.strip())
        o.append("")
    sys.stdout.write("\n".join(o))


if __name__ == "__main__":
    main()
