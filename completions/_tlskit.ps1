
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tlskit' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tlskit'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tlskit' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('gencert', 'gencert', [CompletionResultType]::ParameterValue, 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to a TLS server and report what was negotiated and verified')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show certificates, keys and CSRs from files or live hosts')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Compute, check and remember SPKI pins')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Audit a server for legacy protocols, weak suites and certificate problems')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test a TLS endpoint: handshakes per second, resumption, throughput')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;gencert' {
            [CompletionResult]::new('--cn', '--cn', [CompletionResultType]::ParameterName, 'Subject common name, at most 64 characters (default: the first name that fits)')
            [CompletionResult]::new('--key-type', '--key-type', [CompletionResultType]::ParameterName, 'Key algorithm')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Days of validity [default: 30, or 3650 with --ca]')
            [CompletionResult]::new('--not-before', '--not-before', [CompletionResultType]::ParameterName, 'Start of validity: YYYY-MM-DD, RFC 3339, or relative like -40d (with --days, makes expired or not-yet-valid certificates for testing) [default: now, less 5 minutes]')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write PREFIX.pem and PREFIX-key.pem')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Write the certificate to FILE (with --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Write the private key to FILE')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Sign with this CA certificate instead of self-signing')
            [CompletionResult]::new('--issuer-key', '--issuer-key', [CompletionResultType]::ParameterName, 'The issuer''s private key [default: the -key.pem beside the issuer]')
            [CompletionResult]::new('--csr', '--csr', [CompletionResultType]::ParameterName, 'Write a PKCS#10 request to FILE instead of a certificate (and its key beside it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Make a local CA (CA:TRUE, pathlen 0, keyCertSign + cRLSign): ca.pem and ca-key.pem')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Make a client certificate for mTLS (clientAuth only; the CN is the identity)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing files')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;serve' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Certificate chain: PEM, leaf first, then intermediates (or one DER certificate) [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The certificate''s private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`]')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless --client-auth optional')
            [CompletionResult]::new('--client-auth', '--client-auth', [CompletionResultType]::ParameterName, 'Whether clients must present a certificate [default: required]')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'ALPN protocols, comma-separated, in the server''s order of preference [default: none; http/1.1 with --www]')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--ocsp-response', '--ocsp-response', [CompletionResultType]::ParameterName, 'Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that ask for one. It must be a successful response; one about another certificate, saying revoked or unknown, or out of date is served with a warning')
            [CompletionResult]::new('--keylog', '--keylog', [CompletionResultType]::ParameterName, 'Append session secrets to FILE in NSS key log format, so Wireshark can decrypt [default: the file named by SSLKEYLOGFILE, if set]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more are closed at once and counted')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Seconds the whole handshake may take, from accept to Finished (defeats slowloris). Fractions and units work: 2.5, 500ms, 1m')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may wait for the client to send, or to take what it is sent; 0 means no limit')
            [CompletionResult]::new('--max-accept', '--max-accept', [CompletionResultType]::ParameterName, 'Stop accepting after N connections, wait for them to finish, and exit 0 (like `openssl s_server -naccept`)')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)')
            [CompletionResult]::new('--mtu', '--mtu', [CompletionResultType]::ParameterName, 'With --dtls: the largest datagram to send, in bytes [default: 1232]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--www', '--www', [CompletionResultType]::ParameterName, 'Answer HTTP/1.1 requests with a page describing the client''s handshake (JSON when the request accepts application/json) instead of echoing')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Accept TLS 1.3 only (the default accepts 1.2 and 1.3)')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Accept TLS 1.2 only (to test clients)')
            [CompletionResult]::new('--no-tickets', '--no-tickets', [CompletionResultType]::ParameterName, 'Issue no session tickets and cache no sessions: every handshake is a full one')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA certificates only (the README''s DTLS section says what else differs)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;connect' {
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against [default: the target''s host]')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM chain) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of the client certificate')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'ALPN protocols to offer, comma-separated, in preference order (e.g. h2,http/1.1)')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--keylog', '--keylog', [CompletionResultType]::ParameterName, 'Append the session secrets to FILE (NSS key log format, for Wireshark); SSLKEYLOGFILE is honoured too')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'Send TEXT after the handshake and print the reply until the server closes or --read-timeout passes without data')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'With --send or piped input: stop after this many seconds without data from the server')
            [CompletionResult]::new('--save-chain', '--save-chain', [CompletionResultType]::ParameterName, 'Write the presented chain as PEM to FILE')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Speak this protocol''s plaintext upgrade before TLS')
            [CompletionResult]::new('--mtu', '--mtu', [CompletionResultType]::ParameterName, 'With --dtls: the largest datagram to send, in bytes [default: 1232]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--no-sni', '--no-sni', [CompletionResultType]::ParameterName, 'Send no SNI (the name is still verified)')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--tofu', '--tofu', [CompletionResultType]::ParameterName, 'Trust on first use: on first contact record the server''s pin in the pin store ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a server whose key changed. The name and dates are still checked')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Offer TLS 1.3 only')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Offer TLS 1.2 only')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'Connect a second time, resuming the first session, and report whether it resumed')
            [CompletionResult]::new('--no-io', '--no-io', [CompletionResultType]::ParameterName, 'Only handshake and report; no data')
            [CompletionResult]::new('--showcerts', '--showcerts', [CompletionResultType]::ParameterName, 'Write the presented chain as PEM to stdout (the report goes to stderr)')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;inspect' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Check that this private key belongs to the certificate (the leaf of each input, or the request of an input without certificates); exit 1 when it does not')
            [CompletionResult]::new('--expires-within', '--expires-within', [CompletionResultType]::ParameterName, 'Exit 7 when any certificate inspected expires within DURATION (30d, 12h, 2w), or has expired already')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Judge where chains end against these CA certificates instead of Mozilla''s roots')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'Servers: the name to send as SNI and verify, instead of the host')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--pem', '--pem', [CompletionResultType]::ParameterName, 'Print the certificates as PEM instead of the report (to save a server''s chain)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;pin' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to write pins')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Exit 0 when a pin matches one of these, 6 otherwise (repeatable; curl''s `sha256//a;sha256//b` lists, HPKP and hex forms are accepted too). With --chain, a pin on a CA certificate counts only if the first certificate chains up to it')
            [CompletionResult]::new('--forget', '--forget', [CompletionResultType]::ParameterName, 'Remove a server from the pin store')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'Servers: the name to send as SNI, instead of the host')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--chain', '--chain', [CompletionResultType]::ParameterName, 'Pin every certificate of the chain, labelled (to keep an intermediate as a backup pin)')
            [CompletionResult]::new('--trust', '--trust', [CompletionResultType]::ParameterName, 'Servers: record the pin in the pin store on first use; afterwards exit 6 if it changed')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the pin store')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;scan' {
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against [default: the target''s host]')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Speak this protocol''s plaintext upgrade before every probe')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each probe (TCP connect + STARTTLS + the server''s answer), in seconds')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Probes in flight at once (kept small so that scanning a server is polite)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--min-grade', '--min-grade', [CompletionResultType]::ParameterName, 'Exit with code 8 when the grade is below GRADE (A+, A, A-, B, C, D, F)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites per version that tlskit''s DTLS can offer')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;bench' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Connections open at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Connections open at once')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Start no connection after SECS seconds [default: 5, or 3600 as the cap with --connections; at most 3600]. Running handshakes get --timeout more; running echoes finish while they move (within an hour of the start)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Start no connection after SECS seconds [default: 5, or 3600 as the cap with --connections; at most 3600]. Running handshakes get --timeout more; running echoes finish while they move (within an hour of the start)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Start exactly N connections (at most 100,000,000), within the --duration cap')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Start exactly N connections (at most 100,000,000), within the --duration cap')
            [CompletionResult]::new('--bytes', '--bytes', [CompletionResultType]::ParameterName, 'Echo mode: each connection sends SIZE bytes of pseudo-random data while reading them back, and checks by SHA-256 that exactly what was sent came back (sizes like 64k, 1m, 256m, 1g; powers of 1024; at most 16g)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'With --bytes: at most SIZE bytes sent and not yet echoed back (default: as much as TCP takes). For servers that stall when the echo backs up (ncat --exec)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per connection: limit on TCP connect + handshake, and on any stall of an echo')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'Send NAME as SNI and verify the certificate against it (the host is still dialled)')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target''s address, keeping its name (like curl''s --connect-to)')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--datagrams', '--datagrams', [CompletionResultType]::ParameterName, 'With --dtls: datagrams echoed on each association (of --datagram-size bytes)')
            [CompletionResult]::new('--datagram-size', '--datagram-size', [CompletionResultType]::ParameterName, 'With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really resumed; without it every handshake is a full one')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Offer TLS 1.2 only')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Offer TLS 1.3 only')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an echo where every datagram must come back intact (losses are counted)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;generate' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory that receives `completions/` and `man/`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;help' {
            [CompletionResult]::new('gencert', 'gencert', [CompletionResultType]::ParameterValue, 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to a TLS server and report what was negotiated and verified')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show certificates, keys and CSRs from files or live hosts')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Compute, check and remember SPKI pins')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Audit a server for legacy protocols, weak suites and certificate problems')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test a TLS endpoint: handshakes per second, resumption, throughput')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;help;gencert' {
            break
        }
        'tlskit;help;serve' {
            break
        }
        'tlskit;help;connect' {
            break
        }
        'tlskit;help;inspect' {
            break
        }
        'tlskit;help;pin' {
            break
        }
        'tlskit;help;scan' {
            break
        }
        'tlskit;help;bench' {
            break
        }
        'tlskit;help;generate' {
            break
        }
        'tlskit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
