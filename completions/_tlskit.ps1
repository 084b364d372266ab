
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
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('gencert', 'gencert', [CompletionResultType]::ParameterValue, 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR')
            [CompletionResult]::new('ca', 'ca', [CompletionResultType]::ParameterValue, 'A local CA: a root and a name-constrained intermediate, and trust-store install')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to a TLS server and report what was negotiated and verified')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show certificates, keys and CSRs from files or live hosts')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Compute, check and remember SPKI pins')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Audit a server for legacy protocols, weak suites and certificate problems')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test a TLS endpoint: handshakes per second, resumption, throughput')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port')
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
            [CompletionResult]::new('--pathlen', '--pathlen', [CompletionResultType]::ParameterName, 'How many CAs may follow this one below it (basicConstraints pathlen) [default: 0]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Sign with this CA certificate instead of self-signing; without FILE, with the CA home''s intermediate (tlskit ca init). The certificate file then holds the certificate followed by the issuer''s intermediates, as servers send them')
            [CompletionResult]::new('--sign-csr', '--sign-csr', [CompletionResultType]::ParameterName, 'Sign the PKCS#10 request in FILE (PEM or DER) with --issuer: its signature is checked and only its names are copied (never CA:TRUE nor key usages)')
            [CompletionResult]::new('--issuer-key', '--issuer-key', [CompletionResultType]::ParameterName, 'The issuer''s private key [default: the -key.pem beside the issuer]')
            [CompletionResult]::new('--csr', '--csr', [CompletionResultType]::ParameterName, 'Write a PKCS#10 request to FILE instead of a certificate (and its key beside it)')
            [CompletionResult]::new('--p12', '--p12', [CompletionResultType]::ParameterName, 'Also write the key, the certificate and its chain as PKCS#12 to FILE (for Windows, Java, browsers and Android), mode 0600')
            [CompletionResult]::new('--p12-password-file', '--p12-password-file', [CompletionResultType]::ParameterName, 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]')
            [CompletionResult]::new('--ocsp-url', '--ocsp-url', [CompletionResultType]::ParameterName, 'Name this OCSP responder in the certificate (AIA), e.g. the issuer''s `openssl ocsp` responder')
            [CompletionResult]::new('--crl-url', '--crl-url', [CompletionResultType]::ParameterName, 'Name this CRL distribution point in the certificate')
            [CompletionResult]::new('--ca-issuers-url', '--ca-issuers-url', [CompletionResultType]::ParameterName, 'Name where the issuer''s certificate is published (AIA caIssuers), so that clients can fetch a missing intermediate')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Make a local CA (CA:TRUE, pathlen 0, keyCertSign + cRLSign): ca.pem and ca-key.pem. With --issuer, an intermediate under that CA, carrying its name constraints')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Make a client certificate for mTLS (clientAuth only; the CN is the identity)')
            [CompletionResult]::new('--p12-no-password', '--p12-no-password', [CompletionResultType]::ParameterName, 'Write the PKCS#12 file with an empty password: whoever has the file has the key')
            [CompletionResult]::new('--must-staple', '--must-staple', [CompletionResultType]::ParameterName, 'Mark the certificate must-staple (TLS Feature status_request): clients that honour it refuse a server that does not staple a good OCSP response')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing files')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make a root and a name-constrained intermediate in the CA home')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the CA home: its CAs, name constraints, pins and files')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the CA home''s root from the trust stores it was installed in')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say where the CA home''s root is trusted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;ca;init' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The CA''s name: its certificates are "NAME root" and "NAME intermediate" [default: tlskit local CA and 8 random hex digits]')
            [CompletionResult]::new('--permit-dns', '--permit-dns', [CompletionResultType]::ParameterName, 'DNS names the CA may sign for, comma-separated: `.test` (or `test`) allows test and every name under it [default: localhost,.test]')
            [CompletionResult]::new('--permit-ip', '--permit-ip', [CompletionResultType]::ParameterName, 'IP networks the CA may sign for, comma-separated [default: 127.0.0.0/8,::1/128]')
            [CompletionResult]::new('--offline-root', '--offline-root', [CompletionResultType]::ParameterName, 'Write the root''s key to FILE instead of the CA home, to be moved offline: it is never needed to issue certificates')
            [CompletionResult]::new('--key-type', '--key-type', [CompletionResultType]::ParameterName, 'Key algorithm of the root and the intermediate')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Days of validity of the root (the intermediate: at most 3650)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--no-constraints', '--no-constraints', [CompletionResultType]::ParameterName, 'Make a CA that may sign for any name (not recommended: once trusted, it can impersonate any site)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing CA home')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;export' {
            [CompletionResult]::new('--p12', '--p12', [CompletionResultType]::ParameterName, 'The PKCS#12 file to write (mode 0600)')
            [CompletionResult]::new('--p12-password-file', '--p12-password-file', [CompletionResultType]::ParameterName, 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--p12-no-password', '--p12-no-password', [CompletionResultType]::ParameterName, 'Write the PKCS#12 file with an empty password')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing file')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;install' {
            [CompletionResult]::new('--java-keystore', '--java-keystore', [CompletionResultType]::ParameterName, 'The Java keystore to change instead of the JDK''s cacerts (password changeit)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)')
            [CompletionResult]::new('--nss', '--nss', [CompletionResultType]::ParameterName, 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)')
            [CompletionResult]::new('--java', '--java', [CompletionResultType]::ParameterName, 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;uninstall' {
            [CompletionResult]::new('--java-keystore', '--java-keystore', [CompletionResultType]::ParameterName, 'The Java keystore to change instead of the JDK''s cacerts (password changeit)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)')
            [CompletionResult]::new('--nss', '--nss', [CompletionResultType]::ParameterName, 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)')
            [CompletionResult]::new('--java', '--java', [CompletionResultType]::ParameterName, 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;status' {
            [CompletionResult]::new('--java-keystore', '--java-keystore', [CompletionResultType]::ParameterName, 'The Java keystore to change instead of the JDK''s cacerts (password changeit)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)')
            [CompletionResult]::new('--nss', '--nss', [CompletionResultType]::ParameterName, 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)')
            [CompletionResult]::new('--java', '--java', [CompletionResultType]::ParameterName, 'A Java keystore (keytool): the JDK''s cacerts unless --java-keystore')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;ca;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make a root and a name-constrained intermediate in the CA home')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the CA home: its CAs, name constraints, pins and files')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the CA home''s root from the trust stores it was installed in')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say where the CA home''s root is trusted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;ca;help;init' {
            break
        }
        'tlskit;ca;help;show' {
            break
        }
        'tlskit;ca;help;export' {
            break
        }
        'tlskit;ca;help;install' {
            break
        }
        'tlskit;ca;help;uninstall' {
            break
        }
        'tlskit;ca;help;status' {
            break
        }
        'tlskit;ca;help;help' {
            break
        }
        'tlskit;serve' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Certificate chain: PEM, leaf first, then intermediates (or one DER certificate) [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The certificate''s private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`]')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless --client-auth optional')
            [CompletionResult]::new('--client-auth', '--client-auth', [CompletionResultType]::ParameterName, 'Whether clients must present a certificate [default: required]')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'ALPN protocols, comma-separated, in the server''s order of preference [default: none; h2,http/1.1 with --www]')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--ocsp-response', '--ocsp-response', [CompletionResultType]::ParameterName, 'Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that ask for one. It must be a successful response; one about another certificate, saying revoked or unknown, or out of date is served with a warning')
            [CompletionResult]::new('--ocsp', '--ocsp', [CompletionResultType]::ParameterName, '`auto`: fetch the certificate''s OCSP response from the responder it names (the issuer must follow it in --cert), staple it, and refresh it halfway to its nextUpdate; a failed refresh keeps the last good response until it expires. Only a checked, good response about this certificate is ever stapled')
            [CompletionResult]::new('--keylog', '--keylog', [CompletionResultType]::ParameterName, 'Append session secrets to FILE in NSS key log format, so Wireshark can decrypt [default: the file named by SSLKEYLOGFILE, if set]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more are closed at once and counted')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Seconds the whole handshake may take, from accept to Finished (defeats slowloris). Fractions and units work: 2.5, 500ms, 1m')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a connection may wait for the client to send, or to take what it is sent; 0 means no limit')
            [CompletionResult]::new('--max-accept', '--max-accept', [CompletionResultType]::ParameterName, 'Stop accepting after N connections, wait for them to finish, and exit 0 (like `openssl s_server -naccept`)')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)')
            [CompletionResult]::new('--mtu', '--mtu', [CompletionResultType]::ParameterName, 'With --dtls: the largest datagram to send, in bytes [default: 1232]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--www', '--www', [CompletionResultType]::ParameterName, 'Answer HTTP requests (HTTP/2 when the client picks h2 by ALPN, else HTTP/1.1) with a page describing the client''s handshake (JSON when the request accepts application/json) instead of echoing')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Accept TLS 1.3 only (the default accepts 1.2 and 1.3)')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Accept TLS 1.2 only (to test clients)')
            [CompletionResult]::new('--no-tickets', '--no-tickets', [CompletionResultType]::ParameterName, 'Issue no session tickets and cache no sessions: every handshake is a full one')
            [CompletionResult]::new('--no-log', '--no-log', [CompletionResultType]::ParameterName, 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on the --www page, and warnings are still printed')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA certificates only (the README''s DTLS section says what else differs)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;connect' {
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed')
            [CompletionResult]::new('--check-revocation', '--check-revocation', [CompletionResultType]::ParameterName, 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)')
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
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use')
            [CompletionResult]::new('--fetch-intermediates', '--fetch-intermediates', [CompletionResultType]::ParameterName, 'When the server sent no intermediate and its certificate names its issuer (caIssuers), fetch it and verify again, to tell whether the chain is only incomplete (a fetched certificate is never trusted as a root)')
            [CompletionResult]::new('--tofu', '--tofu', [CompletionResultType]::ParameterName, 'Trust on first use: on first contact record the server''s pin in the pin store ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a server whose key changed. The name and dates are still checked')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Offer TLS 1.3 only')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Offer TLS 1.2 only')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'Connect a second time, resuming the first session, and report whether it resumed')
            [CompletionResult]::new('--no-io', '--no-io', [CompletionResultType]::ParameterName, 'Only handshake and report; no data')
            [CompletionResult]::new('--showcerts', '--showcerts', [CompletionResultType]::ParameterName, 'Write the presented chain as PEM to stdout (the report goes to stderr)')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;inspect' {
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'Also inspect the servers listed in FILE (- for standard input), one per line with # comments, as scan --targets reads them: a line''s starttls=, servername=, connect-to=HOST[:PORT] and timeout=SECS apply to its server (the flags are the defaults), and names=A,B also inspects the certificate presented for each name (SNI)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Check that this private key belongs to the certificate (the leaf of each input, or the request of an input without certificates); exit 1 when it does not')
            [CompletionResult]::new('--expires-within', '--expires-within', [CompletionResultType]::ParameterName, 'Exit 7 when any certificate inspected expires within DURATION (30d, 12h, 2w), or has expired already')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Judge where chains end against these CA certificates instead of Mozilla''s roots')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Servers: speak this protocol''s plaintext upgrade before TLS (a server given without a port gets the protocol''s port)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)')
            [CompletionResult]::new('--p12-password-file', '--p12-password-file', [CompletionResultType]::ParameterName, 'The password of PKCS#12 inputs: the first line of FILE [default: an empty password]')
            [CompletionResult]::new('--check-revocation', '--check-revocation', [CompletionResultType]::ParameterName, 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--pem', '--pem', [CompletionResultType]::ParameterName, 'Print the certificates as PEM instead of the report (to save a server''s chain)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
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
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Servers: verify the chain against the CA certificates in FILE instead of Mozilla''s roots (a chain that does not verify is still pinned, with a note)')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Servers: speak this protocol''s plaintext upgrade before TLS (a server given without a port gets the protocol''s port)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--chain', '--chain', [CompletionResultType]::ParameterName, 'Pin every certificate of the chain, labelled (to keep an intermediate as a backup pin)')
            [CompletionResult]::new('--trust', '--trust', [CompletionResultType]::ParameterName, 'Servers: record the pin in the pin store on first use; afterwards exit 6 if it changed')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the pin store')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;scan' {
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'Read targets from FILE, one per line with optional settings (starttls=PROTO, servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME) and # comments; FILE may be - for stdin')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Also ask for the certificate the server presents for NAME (sent as SNI, verified against NAME): each is reported with its chain and findings, and counts in the grade as the main certificate does. Repeatable; a targets file line may say names=NAME,NAME instead')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial this HOST[:PORT] instead, keeping the target''s name for SNI and verification')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Speak this protocol''s plaintext upgrade before every probe')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each probe (TCP connect + STARTTLS + the server''s answer), in seconds')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Probes in flight at once over all targets')
            [CompletionResult]::new('--per-target', '--per-target', [CompletionResultType]::ParameterName, 'Probes in flight at once for one target (kept small so that scanning a server is polite, and so that one slow server cannot take every slot)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl''s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with '';'', to allow several. A CA''s pin matches only when the server''s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed')
            [CompletionResult]::new('--check-revocation', '--check-revocation', [CompletionResultType]::ParameterName, 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned')
            [CompletionResult]::new('--min-grade', '--min-grade', [CompletionResultType]::ParameterName, 'Exit with code 8 when a grade is below GRADE (A+, A, A-, B, C, D, F)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Check each server against a policy: mozilla-modern, mozilla-intermediate, mozilla-old (Mozilla''s server-side TLS 5.7) or a TOML FILE; exit 8 on any violation')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Compare with FILE, an earlier --json output (one document or JSON Lines): list what changed per target; exit 8 when anything regressed')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: text, or prometheus (node_exporter''s textfile collector). --json prints JSON (one object per line with several targets)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use')
            [CompletionResult]::new('--details', '--details', [CompletionResultType]::ParameterName, 'With several targets, print each full report after the summary table')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites per version that tlskit''s DTLS can offer')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;bench' {
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'Also read this process''s CPU time (user + system, with its threads and child processes) before and after the run, and report the server''s CPU per handshake and per MiB. Repeat for several processes')
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
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target''s address, keeping its name (like curl''s --connect-to)')
            [CompletionResult]::new('--starttls', '--starttls', [CompletionResultType]::ParameterName, 'Speak this protocol''s plaintext upgrade before TLS on every connection (a target without a port gets the protocol''s)')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--datagrams', '--datagrams', [CompletionResultType]::ParameterName, 'With --dtls: datagrams echoed on each association (of --datagram-size bytes)')
            [CompletionResult]::new('--datagram-size', '--datagram-size', [CompletionResultType]::ParameterName, 'With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--floor', '--floor', [CompletionResultType]::ParameterName, 'Measure this machine''s floor instead: the CPU that one full TLS 1.3 handshake''s cryptography (ECDSA P-256 signature, X25519, ML-KEM-768) and one MiB of AES-256-GCM cost with the library tlskit uses, and what loopback TCP alone costs a server (on 127.0.0.1, no TLS) per connection and per MiB echoed or forwarded. No server does a handshake for less')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really resumed; without it every handshake is a full one')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'Offer TLS 1.2 only')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'Offer TLS 1.3 only')
            [CompletionResult]::new('--dtls', '--dtls', [CompletionResultType]::ParameterName, 'Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an echo where every datagram must come back intact (losses are counted)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;tunnel' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'Accept plaintext locally and forward it over verified TLS to a server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;tunnel;server' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a connection on which nothing moved either way for this long; 0 means never')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more are closed at once and logged')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)')
            [CompletionResult]::new('--mtu', '--mtu', [CompletionResultType]::ParameterName, 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Where plaintext goes: HOST:PORT or unix:PATH. Over TCP, `localhost` is dialled as 127.0.0.1, then ::1, without a name lookup')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Seconds a client''s TLS handshake may take, from accept to Finished (defeats clients that stall)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Certificate chain: PEM, leaf first [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory; its pin is printed]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The certificate''s private key [default: the key in the --cert file]')
            [CompletionResult]::new('--client-ca', '--client-ca', [CompletionResultType]::ParameterName, 'Require a client certificate issued by a CA in FILE (chain, dates and clientAuth usage are checked in the handshake)')
            [CompletionResult]::new('--allow-cn', '--allow-cn', [CompletionResultType]::ParameterName, 'Let through only client certificates with this subject CN (repeatable; any allow rule that matches lets a client through)')
            [CompletionResult]::new('--allow-dns', '--allow-dns', [CompletionResultType]::ParameterName, 'Let through client certificates with this DNS subject alternative name')
            [CompletionResult]::new('--allow-uri', '--allow-uri', [CompletionResultType]::ParameterName, 'Let through client certificates with this URI subject alternative name (a SPIFFE ID…)')
            [CompletionResult]::new('--allow-pin', '--allow-pin', [CompletionResultType]::ParameterName, 'Let through client certificates with this SPKI pin (sha256//BASE64 or hex)')
            [CompletionResult]::new('--ocsp', '--ocsp', [CompletionResultType]::ParameterName, 'Staple an OCSP response: `auto` fetches it from the responder the certificate names (its issuer must follow it in --cert) and refreshes it halfway to its nextUpdate, keeping the last good one while a refresh fails; FILE staples a DER response (read again on reload). Only a checked, good answer about this certificate is stapled')
            [CompletionResult]::new('--crl', '--crl', [CompletionResultType]::ParameterName, 'Refuse client certificates this CRL lists (PEM or DER, signed by their issuer; repeatable; read again on reload). The client''s own certificate is checked; one whose issuer has no CRL among these passes. A CRL past its nextUpdate is stale: a warning at start and reload, and its issuer''s clients are refused until a current one is loaded (as openssl -crl_check and stunnel do)')
            [CompletionResult]::new('--check-revocation', '--check-revocation', [CompletionResultType]::ParameterName, 'After the handshake, before the target is dialled, check each client certificate for revocation: its OCSP responder, else its CRL distribution point (answers reused until their nextUpdate). Revoked is refused; =require also refuses an unknown status')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'TLS 1.3 only')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'TLS 1.2 only')
            [CompletionResult]::new('--no-log', '--no-log', [CompletionResultType]::ParameterName, 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed')
            [CompletionResult]::new('--allow-remote-target', '--allow-remote-target', [CompletionResultType]::ParameterName, 'Allow a target that is not on this machine (not loopback, localhost or a Unix socket)')
            [CompletionResult]::new('--proxy-protocol', '--proxy-protocol', [CompletionResultType]::ParameterName, 'Send a PROXY protocol v2 header to the target first, so that it learns the client''s real address (HAProxy, nginx and others read it)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'With --check-revocation: fetch nothing (a status is then unknown)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;tunnel;client' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a connection on which nothing moved either way for this long; 0 means never')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more are closed at once and logged')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)')
            [CompletionResult]::new('--mtu', '--mtu', [CompletionResultType]::ParameterName, 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]')
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]')
            [CompletionResult]::new('--suites', '--suites', [CompletionResultType]::ParameterName, 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The TLS server: HOST:PORT or [IPv6]:PORT')
            [CompletionResult]::new('--servername', '--servername', [CompletionResultType]::ParameterName, 'The name to send as SNI and verify the certificate against, instead of the target''s host (which is still the one dialled)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Require an SPKI pin on the server''s chain: sha256//BASE64, pin-sha256="…" or 64 hex digits. Repeat to allow several. A matching pin also trusts a certificate no CA signed')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)')
            [CompletionResult]::new('--check-revocation', '--check-revocation', [CompletionResultType]::ParameterName, 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate''s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--udp', '--udp', [CompletionResultType]::ParameterName, 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)')
            [CompletionResult]::new('--tls13', '--tls13', [CompletionResultType]::ParameterName, 'TLS 1.3 only')
            [CompletionResult]::new('--tls12', '--tls12', [CompletionResultType]::ParameterName, 'TLS 1.2 only')
            [CompletionResult]::new('--no-log', '--no-log', [CompletionResultType]::ParameterName, 'No line per connection (as nginx''s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed')
            [CompletionResult]::new('--system-roots', '--system-roots', [CompletionResultType]::ParameterName, 'Trust the platform''s certificate store instead of the embedded Mozilla roots')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only what was asked for: no summaries, hints or progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tlskit;tunnel;help' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'Accept plaintext locally and forward it over verified TLS to a server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;tunnel;help;server' {
            break
        }
        'tlskit;tunnel;help;client' {
            break
        }
        'tlskit;tunnel;help;help' {
            break
        }
        'tlskit;generate' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory that receives `completions/` and `man/`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)')
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
            [CompletionResult]::new('ca', 'ca', [CompletionResultType]::ParameterValue, 'A local CA: a root and a name-constrained intermediate, and trust-store install')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to a TLS server and report what was negotiated and verified')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show certificates, keys and CSRs from files or live hosts')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Compute, check and remember SPKI pins')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Audit a server for legacy protocols, weak suites and certificate problems')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test a TLS endpoint: handshakes per second, resumption, throughput')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tlskit;help;gencert' {
            break
        }
        'tlskit;help;ca' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Make a root and a name-constrained intermediate in the CA home')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the CA home: its CAs, name constraints, pins and files')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Trust the CA home''s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the CA home''s root from the trust stores it was installed in')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say where the CA home''s root is trusted')
            break
        }
        'tlskit;help;ca;init' {
            break
        }
        'tlskit;help;ca;show' {
            break
        }
        'tlskit;help;ca;export' {
            break
        }
        'tlskit;help;ca;install' {
            break
        }
        'tlskit;help;ca;uninstall' {
            break
        }
        'tlskit;help;ca;status' {
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
        'tlskit;help;tunnel' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'Accept plaintext locally and forward it over verified TLS to a server')
            break
        }
        'tlskit;help;tunnel;server' {
            break
        }
        'tlskit;help;tunnel;client' {
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
