
use builtin;
use str;

set edit:completion:arg-completer[tlskit] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tlskit'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tlskit'= {
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand gencert 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR'
            cand ca 'A local CA: a root and a name-constrained intermediate, and trust-store install'
            cand serve 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)'
            cand connect 'Connect to a TLS server and report what was negotiated and verified'
            cand inspect 'Show certificates, keys and CSRs from files or live hosts'
            cand pin 'Compute, check and remember SPKI pins'
            cand scan 'Audit a server for legacy protocols, weak suites and certificate problems'
            cand bench 'Load-test a TLS endpoint: handshakes per second, resumption, throughput'
            cand tunnel 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port'
            cand generate 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;gencert'= {
            cand --cn 'Subject common name, at most 64 characters (default: the first name that fits)'
            cand --key-type 'Key algorithm'
            cand --days 'Days of validity [default: 30, or 3650 with --ca]'
            cand --not-before 'Start of validity: YYYY-MM-DD, RFC 3339, or relative like -40d (with --days, makes expired or not-yet-valid certificates for testing) [default: now, less 5 minutes]'
            cand --out 'Write PREFIX.pem and PREFIX-key.pem'
            cand --cert 'Write the certificate to FILE (with --key)'
            cand --key 'Write the private key to FILE'
            cand --pathlen 'How many CAs may follow this one below it (basicConstraints pathlen) [default: 0]'
            cand --issuer 'Sign with this CA certificate instead of self-signing; without FILE, with the CA home''s intermediate (tlskit ca init). The certificate file then holds the certificate followed by the issuer''s intermediates, as servers send them'
            cand --sign-csr 'Sign the PKCS#10 request in FILE (PEM or DER) with --issuer: its signature is checked and only its names are copied (never CA:TRUE nor key usages)'
            cand --issuer-key 'The issuer''s private key [default: the -key.pem beside the issuer]'
            cand --csr 'Write a PKCS#10 request to FILE instead of a certificate (and its key beside it)'
            cand --p12 'Also write the key, the certificate and its chain as PKCS#12 to FILE (for Windows, Java, browsers and Android), mode 0600'
            cand --p12-password-file 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]'
            cand --ocsp-url 'Name this OCSP responder in the certificate (AIA), e.g. the issuer''s `openssl ocsp` responder'
            cand --crl-url 'Name this CRL distribution point in the certificate'
            cand --ca-issuers-url 'Name where the issuer''s certificate is published (AIA caIssuers), so that clients can fetch a missing intermediate'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --ca 'Make a local CA (CA:TRUE, pathlen 0, keyCertSign + cRLSign): ca.pem and ca-key.pem. With --issuer, an intermediate under that CA, carrying its name constraints'
            cand --client 'Make a client certificate for mTLS (clientAuth only; the CN is the identity)'
            cand --p12-no-password 'Write the PKCS#12 file with an empty password: whoever has the file has the key'
            cand --must-staple 'Mark the certificate must-staple (TLS Feature status_request): clients that honour it refuse a server that does not staple a good OCSP response'
            cand --force 'Replace existing files'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca'= {
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Make a root and a name-constrained intermediate in the CA home'
            cand show 'Show the CA home: its CAs, name constraints, pins and files'
            cand export 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
            cand install 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
            cand uninstall 'Remove the CA home''s root from the trust stores it was installed in'
            cand status 'Say where the CA home''s root is trusted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;ca;init'= {
            cand --name 'The CA''s name: its certificates are "NAME root" and "NAME intermediate" [default: tlskit local CA and 8 random hex digits]'
            cand --permit-dns 'DNS names the CA may sign for, comma-separated: `.test` (or `test`) allows test and every name under it [default: localhost,.test]'
            cand --permit-ip 'IP networks the CA may sign for, comma-separated [default: 127.0.0.0/8,::1/128]'
            cand --offline-root 'Write the root''s key to FILE instead of the CA home, to be moved offline: it is never needed to issue certificates'
            cand --key-type 'Key algorithm of the root and the intermediate'
            cand --days 'Days of validity of the root (the intermediate: at most 3650)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --no-constraints 'Make a CA that may sign for any name (not recommended: once trusted, it can impersonate any site)'
            cand --force 'Replace an existing CA home'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;show'= {
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;export'= {
            cand --p12 'The PKCS#12 file to write (mode 0600)'
            cand --p12-password-file 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --p12-no-password 'Write the PKCS#12 file with an empty password'
            cand --force 'Replace an existing file'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;install'= {
            cand --java-keystore 'The Java keystore to change instead of the JDK''s cacerts (password changeit)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --system 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
            cand --nss 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
            cand --java 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;uninstall'= {
            cand --java-keystore 'The Java keystore to change instead of the JDK''s cacerts (password changeit)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --system 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
            cand --nss 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
            cand --java 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;status'= {
            cand --java-keystore 'The Java keystore to change instead of the JDK''s cacerts (password changeit)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --system 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
            cand --nss 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
            cand --java 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;ca;help'= {
            cand init 'Make a root and a name-constrained intermediate in the CA home'
            cand show 'Show the CA home: its CAs, name constraints, pins and files'
            cand export 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
            cand install 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
            cand uninstall 'Remove the CA home''s root from the trust stores it was installed in'
            cand status 'Say where the CA home''s root is trusted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;ca;help;init'= {
        }
        &'tlskit;ca;help;show'= {
        }
        &'tlskit;ca;help;export'= {
        }
        &'tlskit;ca;help;install'= {
        }
        &'tlskit;ca;help;uninstall'= {
        }
        &'tlskit;ca;help;status'= {
        }
        &'tlskit;ca;help;help'= {
        }
        &'tlskit;serve'= {
            cand -l 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --listen 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --cert 'Certificate chain: PEM, leaf first, then intermediates (or one DER certificate) [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory]'
            cand --key 'The certificate''s private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`]'
            cand --client-ca 'Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless --client-auth optional'
            cand --client-auth 'Whether clients must present a certificate [default: required]'
            cand --alpn 'ALPN protocols, comma-separated, in the server''s order of preference [default: none; h2,http/1.1 with --www]'
            cand --groups 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]'
            cand --suites 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]'
            cand --ocsp-response 'Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that ask for one. It must be a successful response; one about another certificate, saying revoked or unknown, or out of date is served with a warning'
            cand --ocsp '`auto`: fetch the certificate''s OCSP response from the responder it names (the issuer must follow it in --cert), staple it, and refresh it halfway to its nextUpdate; a failed refresh keeps the last good response until it expires. Only a checked, good response about this certificate is ever stapled'
            cand --keylog 'Append session secrets to FILE in NSS key log format, so Wireshark can decrypt [default: the file named by SSLKEYLOGFILE, if set]'
            cand --max-connections 'Connections open at once; more are closed at once and counted'
            cand --handshake-timeout 'Seconds the whole handshake may take, from accept to Finished (defeats slowloris). Fractions and units work: 2.5, 500ms, 1m'
            cand --idle-timeout 'Seconds a connection may wait for the client to send, or to take what it is sent; 0 means no limit'
            cand --max-accept 'Stop accepting after N connections, wait for them to finish, and exit 0 (like `openssl s_server -naccept`)'
            cand --grace 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)'
            cand --mtu 'With --dtls: the largest datagram to send, in bytes [default: 1232]'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --www 'Answer HTTP requests (HTTP/2 when the client picks h2 by ALPN, else HTTP/1.1) with a page describing the client''s handshake (JSON when the request accepts application/json) instead of echoing'
            cand --tls13 'Accept TLS 1.3 only (the default accepts 1.2 and 1.3)'
            cand --tls12 'Accept TLS 1.2 only (to test clients)'
            cand --no-tickets 'Issue no session tickets and cache no sessions: every handshake is a full one'
            cand --no-log 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on the --www page, and warnings are still printed'
            cand --dtls 'Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA certificates only (the README''s DTLS section says what else differs)'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;connect'= {
            cand --servername 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)'
            cand --connect-to 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification'
            cand --timeout 'Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds'
            cand --ca 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots'
            cand --pin 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed'
            cand --check-revocation 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned'
            cand --cert 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)'
            cand --key 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)'
            cand --alpn 'ALPN protocols to offer, comma-separated, in preference order (e.g. h2,http/1.1)'
            cand --groups 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]'
            cand --suites 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]'
            cand --keylog 'Append the session secrets to FILE (NSS key log format, for Wireshark); SSLKEYLOGFILE is honoured too'
            cand --send 'Send TEXT after the handshake and print the reply until the server closes or --read-timeout passes without data'
            cand --read-timeout 'With --send or piped input: stop after this many seconds without data from the server'
            cand --save-chain 'Write the presented chain as PEM to FILE'
            cand --starttls 'Speak this protocol''s plaintext upgrade before TLS'
            cand --mtu 'With --dtls: the largest datagram to send, in bytes [default: 1232]'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --no-sni 'Send no SNI (the name is still verified)'
            cand --system-roots 'Trust the platform''s certificate store instead of the embedded Mozilla roots'
            cand -k 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
            cand --insecure 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
            cand --offline 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
            cand --fetch-intermediates 'When the server sent no intermediate and its certificate names its issuer (caIssuers), fetch it and verify again, to tell whether the chain is only incomplete (a fetched certificate is never trusted as a root)'
            cand --tofu 'Trust on first use: on first contact record the server''s pin in the pin store ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a server whose key changed. The name and dates are still checked'
            cand --tls13 'Offer TLS 1.3 only'
            cand --tls12 'Offer TLS 1.2 only'
            cand --reconnect 'Connect a second time, resuming the first session, and report whether it resumed'
            cand --no-io 'Only handshake and report; no data'
            cand --showcerts 'Write the presented chain as PEM to stdout (the report goes to stderr)'
            cand --dtls 'Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;inspect'= {
            cand --targets 'Also inspect the servers listed in FILE (- for standard input), one per line with # comments, as scan --targets reads them: a line''s starttls=, servername=, connect-to=HOST[:PORT] and timeout=SECS apply to its server (the flags are the defaults), and names=A,B also inspects the certificate presented for each name (SNI)'
            cand --key 'Check that this private key belongs to the certificate (the leaf of each input, or the request of an input without certificates); exit 1 when it does not'
            cand --expires-within 'Exit 7 when any certificate inspected expires within DURATION (30d, 12h, 2w), or has expired already'
            cand --ca 'Judge where chains end against these CA certificates instead of Mozilla''s roots'
            cand --servername 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)'
            cand --starttls 'Servers: speak this protocol''s plaintext upgrade before TLS (a server given without a port gets the protocol''s port)'
            cand --timeout 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)'
            cand --p12-password-file 'The password of PKCS#12 inputs: the first line of FILE [default: an empty password]'
            cand --check-revocation 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --pem 'Print the certificates as PEM instead of the report (to save a server''s chain)'
            cand --offline 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;pin'= {
            cand --format 'How to write pins'
            cand --expect 'Exit 0 when a pin matches one of these, 6 otherwise (repeatable; curl''s `sha256//a;sha256//b` lists, HPKP and hex forms are accepted too). With --chain, a pin on a CA certificate counts only if the first certificate chains up to it'
            cand --forget 'Remove a server from the pin store'
            cand --servername 'Servers: the name to send as SNI, instead of the host'
            cand --ca 'Servers: verify the chain against the CA certificates in FILE instead of Mozilla''s roots (a chain that does not verify is still pinned, with a note)'
            cand --starttls 'Servers: speak this protocol''s plaintext upgrade before TLS (a server given without a port gets the protocol''s port)'
            cand --timeout 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --chain 'Pin every certificate of the chain, labelled (to keep an intermediate as a backup pin)'
            cand --trust 'Servers: record the pin in the pin store on first use; afterwards exit 6 if it changed'
            cand --list 'List the pin store'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;scan'= {
            cand --targets 'Read targets from FILE, one per line with optional settings (starttls=PROTO, servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME) and # comments; FILE may be - for stdin'
            cand --servername 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)'
            cand --sni 'Also ask for the certificate the server presents for NAME (sent as SNI, verified against NAME): each is reported with its chain and findings, and counts in the grade as the main certificate does. Repeatable; a targets file line may say names=NAME,NAME instead'
            cand --connect-to 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification'
            cand --starttls 'Speak this protocol''s plaintext upgrade before every probe'
            cand --timeout 'Bound on each probe (TCP connect + STARTTLS + the server''s answer), in seconds'
            cand --concurrency 'Probes in flight at once over all targets'
            cand --per-target 'Probes in flight at once for one target (kept small so that scanning a server is polite, and so that one slow server cannot take every slot)'
            cand --ca 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots'
            cand --pin 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed'
            cand --check-revocation 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned'
            cand --min-grade 'Exit with code 8 when a grade is below GRADE (A+, A, A-, B, C, D, F)'
            cand --policy 'Check each server against a policy: mozilla-modern, mozilla-intermediate, mozilla-old (Mozilla''s server-side TLS 5.7) or a TOML FILE; exit 8 on any violation'
            cand --baseline 'Compare with FILE, an earlier --json output (one document or JSON Lines): list what changed per target; exit 8 when anything regressed'
            cand --format 'Output format: text, or prometheus (node_exporter''s textfile collector). --json prints JSON (one object per line with several targets)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --system-roots 'Trust the platform''s certificate store instead of the embedded Mozilla roots'
            cand --offline 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
            cand --details 'With several targets, print each full report after the summary table'
            cand --dtls 'Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites per version that tlskit''s DTLS can offer'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;bench'= {
            cand --server-pid 'Also read this process''s CPU time (user + system, with its threads and child processes) before and after the run, and report the server''s CPU per handshake and per MiB. Repeat for several processes'
            cand -c 'Connections open at once'
            cand --concurrency 'Connections open at once'
            cand -d 'Start no connection after SECS seconds [default: 5, or 3600 as the cap with --connections; at most 3600]. Running handshakes get --timeout more; running echoes finish while they move (within an hour of the start)'
            cand --duration 'Start no connection after SECS seconds [default: 5, or 3600 as the cap with --connections; at most 3600]. Running handshakes get --timeout more; running echoes finish while they move (within an hour of the start)'
            cand -n 'Start exactly N connections (at most 100,000,000), within the --duration cap'
            cand --connections 'Start exactly N connections (at most 100,000,000), within the --duration cap'
            cand --bytes 'Echo mode: each connection sends SIZE bytes of pseudo-random data while reading them back, and checks by SHA-256 that exactly what was sent came back (sizes like 64k, 1m, 256m, 1g; powers of 1024; at most 16g)'
            cand --window 'With --bytes: at most SIZE bytes sent and not yet echoed back (default: as much as TCP takes). For servers that stall when the echo backs up (ncat --exec)'
            cand --timeout 'Per connection: limit on TCP connect + handshake, and on any stall of an echo'
            cand --ca 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots'
            cand --pin 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed'
            cand --cert 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)'
            cand --key 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)'
            cand --servername 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)'
            cand --connect-to 'Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target''s address, keeping its name (like curl''s --connect-to)'
            cand --starttls 'Speak this protocol''s plaintext upgrade before TLS on every connection (a target without a port gets the protocol''s)'
            cand --groups 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]'
            cand --suites 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]'
            cand --datagrams 'With --dtls: datagrams echoed on each association (of --datagram-size bytes)'
            cand --datagram-size 'With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead)'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --floor 'Measure this machine''s floor instead: the CPU that one full TLS 1.3 handshake''s cryptography (ECDSA P-256 signature, X25519, ML-KEM-768) and one MiB of AES-256-GCM cost with the library tlskit uses, and what loopback TCP alone costs a server (on 127.0.0.1, no TLS) per connection and per MiB echoed or forwarded. No server does a handshake for less'
            cand --resume 'Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really resumed; without it every handshake is a full one'
            cand --system-roots 'Trust the platform''s certificate store instead of the embedded Mozilla roots'
            cand -k 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
            cand --insecure 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
            cand --tls12 'Offer TLS 1.2 only'
            cand --tls13 'Offer TLS 1.3 only'
            cand --dtls 'Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an echo where every datagram must come back intact (losses are counted)'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;tunnel'= {
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand server 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
            cand client 'Accept plaintext locally and forward it over verified TLS to a server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;tunnel;server'= {
            cand -l 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --listen 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --connect-timeout 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m'
            cand --idle-timeout 'Close a connection on which nothing moved either way for this long; 0 means never'
            cand --max-connections 'Connections open at once; more are closed at once and logged'
            cand --grace 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)'
            cand --alpn 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)'
            cand --mtu 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]'
            cand --groups 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]'
            cand --suites 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]'
            cand --status 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)'
            cand --target 'Where plaintext goes: HOST:PORT or unix:PATH. Over TCP, `localhost` is dialled as 127.0.0.1, then ::1, without a name lookup'
            cand --handshake-timeout 'Seconds a client''s TLS handshake may take, from accept to Finished (defeats clients that stall)'
            cand --cert 'Certificate chain: PEM, leaf first [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory; its pin is printed]'
            cand --key 'The certificate''s private key [default: the key in the --cert file]'
            cand --client-ca 'Require a client certificate issued by a CA in FILE (chain, dates and clientAuth usage are checked in the handshake)'
            cand --allow-cn 'Let through only client certificates with this subject CN (repeatable; any allow rule that matches lets a client through)'
            cand --allow-dns 'Let through client certificates with this DNS subject alternative name'
            cand --allow-uri 'Let through client certificates with this URI subject alternative name (a SPIFFE ID…)'
            cand --allow-pin 'Let through client certificates with this SPKI pin (sha256//BASE64 or hex)'
            cand --ocsp 'Staple an OCSP response: `auto` fetches it from the responder the certificate names (its issuer must follow it in --cert) and refreshes it halfway to its nextUpdate, keeping the last good one while a refresh fails; FILE staples a DER response (read again on reload). Only a checked, good answer about this certificate is stapled'
            cand --crl 'Refuse client certificates this CRL lists (PEM or DER, signed by their issuer; repeatable; read again on reload). The client''s own certificate is checked; one whose issuer has no CRL among these passes. A CRL past its nextUpdate is stale: a warning at start and reload, and its issuer''s clients are refused until a current one is loaded (as openssl -crl_check and stunnel do)'
            cand --check-revocation 'After the handshake, before the target is dialled, check each client certificate for revocation: its OCSP responder, else its CRL distribution point (answers reused until their nextUpdate). Revoked is refused; =require also refuses an unknown status'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --udp 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)'
            cand --tls13 'TLS 1.3 only'
            cand --tls12 'TLS 1.2 only'
            cand --no-log 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed'
            cand --allow-remote-target 'Allow a target that is not on this machine (not loopback, localhost or a Unix socket)'
            cand --proxy-protocol 'Send a PROXY protocol v2 header to the target first, so that it learns the client''s real address (HAProxy, nginx and others read it)'
            cand --offline 'With --check-revocation: fetch nothing (a status is then unknown)'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;tunnel;client'= {
            cand -l 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --listen 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one'
            cand --connect-timeout 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m'
            cand --idle-timeout 'Close a connection on which nothing moved either way for this long; 0 means never'
            cand --max-connections 'Connections open at once; more are closed at once and logged'
            cand --grace 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)'
            cand --alpn 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)'
            cand --mtu 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]'
            cand --groups 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]'
            cand --suites 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]'
            cand --status 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)'
            cand --target 'The TLS server: HOST:PORT or [IPv6]:PORT'
            cand --servername 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)'
            cand --ca 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots'
            cand --pin 'Require an SPKI pin on the server''s chain: sha256//BASE64, pin-sha256="…" or 64 hex digits. Repeat to allow several. A matching pin also trusts a certificate no CA signed'
            cand --cert 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)'
            cand --key 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)'
            cand --check-revocation 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --udp 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)'
            cand --tls13 'TLS 1.3 only'
            cand --tls12 'TLS 1.2 only'
            cand --no-log 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed'
            cand --system-roots 'Trust the platform''s certificate store instead of the embedded Mozilla roots'
            cand --offline 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;tunnel;help'= {
            cand server 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
            cand client 'Accept plaintext locally and forward it over verified TLS to a server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;tunnel;help;server'= {
        }
        &'tlskit;tunnel;help;client'= {
        }
        &'tlskit;tunnel;help;help'= {
        }
        &'tlskit;generate'= {
            cand --out-dir 'Directory that receives `completions/` and `man/`'
            cand --color 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
            cand -q 'Print only what was asked for: no summaries, hints or progress'
            cand --quiet 'Print only what was asked for: no summaries, hints or progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tlskit;help'= {
            cand gencert 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR'
            cand ca 'A local CA: a root and a name-constrained intermediate, and trust-store install'
            cand serve 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)'
            cand connect 'Connect to a TLS server and report what was negotiated and verified'
            cand inspect 'Show certificates, keys and CSRs from files or live hosts'
            cand pin 'Compute, check and remember SPKI pins'
            cand scan 'Audit a server for legacy protocols, weak suites and certificate problems'
            cand bench 'Load-test a TLS endpoint: handshakes per second, resumption, throughput'
            cand tunnel 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port'
            cand generate 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tlskit;help;gencert'= {
        }
        &'tlskit;help;ca'= {
            cand init 'Make a root and a name-constrained intermediate in the CA home'
            cand show 'Show the CA home: its CAs, name constraints, pins and files'
            cand export 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
            cand install 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
            cand uninstall 'Remove the CA home''s root from the trust stores it was installed in'
            cand status 'Say where the CA home''s root is trusted'
        }
        &'tlskit;help;ca;init'= {
        }
        &'tlskit;help;ca;show'= {
        }
        &'tlskit;help;ca;export'= {
        }
        &'tlskit;help;ca;install'= {
        }
        &'tlskit;help;ca;uninstall'= {
        }
        &'tlskit;help;ca;status'= {
        }
        &'tlskit;help;serve'= {
        }
        &'tlskit;help;connect'= {
        }
        &'tlskit;help;inspect'= {
        }
        &'tlskit;help;pin'= {
        }
        &'tlskit;help;scan'= {
        }
        &'tlskit;help;bench'= {
        }
        &'tlskit;help;tunnel'= {
            cand server 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
            cand client 'Accept plaintext locally and forward it over verified TLS to a server'
        }
        &'tlskit;help;tunnel;server'= {
        }
        &'tlskit;help;tunnel;client'= {
        }
        &'tlskit;help;generate'= {
        }
        &'tlskit;help;help'= {
        }
    ]
    $completions[$command]
}
