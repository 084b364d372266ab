# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tlskit_global_optspecs
    string join \n color= json q/quiet h/help V/version
end

function __fish_tlskit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tlskit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tlskit_using_subcommand
    set -l cmd (__fish_tlskit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tlskit -n "__fish_tlskit_needs_command" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_needs_command" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_needs_command" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_needs_command" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "gencert" -d 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "ca" -d 'A local CA: a root and a name-constrained intermediate, and trust-store install'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "serve" -d 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "connect" -d 'Connect to a TLS server and report what was negotiated and verified'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "inspect" -d 'Show certificates, keys and CSRs from files or live hosts'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "pin" -d 'Compute, check and remember SPKI pins'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "scan" -d 'Audit a server for legacy protocols, weak suites and certificate problems'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "bench" -d 'Load-test a TLS endpoint: handshakes per second, resumption, throughput'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "tunnel" -d 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "generate" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c tlskit -n "__fish_tlskit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l cn -d 'Subject common name, at most 64 characters (default: the first name that fits)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l key-type -d 'Key algorithm' -r -f -a "p256\t'ECDSA on NIST P-256 (default: small, fast, universally supported)'
p384\t'ECDSA on NIST P-384'
ed25519\t'Ed25519 (not accepted by browsers for TLS)'
rsa2048\t'RSA, 2048-bit modulus'
rsa3072\t'RSA, 3072-bit modulus'
rsa4096\t'RSA, 4096-bit modulus'"
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l days -d 'Days of validity [default: 30, or 3650 with --ca]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l not-before -d 'Start of validity: YYYY-MM-DD, RFC 3339, or relative like -40d (with --days, makes expired or not-yet-valid certificates for testing) [default: now, less 5 minutes]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l out -d 'Write PREFIX.pem and PREFIX-key.pem' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l cert -d 'Write the certificate to FILE (with --key)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l key -d 'Write the private key to FILE' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l pathlen -d 'How many CAs may follow this one below it (basicConstraints pathlen) [default: 0]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l issuer -d 'Sign with this CA certificate instead of self-signing; without FILE, with the CA home\'s intermediate (tlskit ca init). The certificate file then holds the certificate followed by the issuer\'s intermediates, as servers send them' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l sign-csr -d 'Sign the PKCS#10 request in FILE (PEM or DER) with --issuer: its signature is checked and only its names are copied (never CA:TRUE nor key usages)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l issuer-key -d 'The issuer\'s private key [default: the -key.pem beside the issuer]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l csr -d 'Write a PKCS#10 request to FILE instead of a certificate (and its key beside it)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l p12 -d 'Also write the key, the certificate and its chain as PKCS#12 to FILE (for Windows, Java, browsers and Android), mode 0600' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l p12-password-file -d 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l ocsp-url -d 'Name this OCSP responder in the certificate (AIA), e.g. the issuer\'s `openssl ocsp` responder' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l crl-url -d 'Name this CRL distribution point in the certificate' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l ca-issuers-url -d 'Name where the issuer\'s certificate is published (AIA caIssuers), so that clients can fetch a missing intermediate' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l ca -d 'Make a local CA (CA:TRUE, pathlen 0, keyCertSign + cRLSign): ca.pem and ca-key.pem. With --issuer, an intermediate under that CA, carrying its name constraints'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l client -d 'Make a client certificate for mTLS (clientAuth only; the CN is the identity)'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l p12-no-password -d 'Write the PKCS#12 file with an empty password: whoever has the file has the key'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l must-staple -d 'Mark the certificate must-staple (TLS Feature status_request): clients that honour it refuse a server that does not staple a good OCSP response'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l force -d 'Replace existing files'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand gencert" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "init" -d 'Make a root and a name-constrained intermediate in the CA home'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "show" -d 'Show the CA home: its CAs, name constraints, pins and files'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "export" -d 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "install" -d 'Trust the CA home\'s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "uninstall" -d 'Remove the CA home\'s root from the trust stores it was installed in'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "status" -d 'Say where the CA home\'s root is trusted'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and not __fish_seen_subcommand_from init show export install uninstall status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l name -d 'The CA\'s name: its certificates are "NAME root" and "NAME intermediate" [default: tlskit local CA and 8 random hex digits]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l permit-dns -d 'DNS names the CA may sign for, comma-separated: `.test` (or `test`) allows test and every name under it [default: localhost,.test]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l permit-ip -d 'IP networks the CA may sign for, comma-separated [default: 127.0.0.0/8,::1/128]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l offline-root -d 'Write the root\'s key to FILE instead of the CA home, to be moved offline: it is never needed to issue certificates' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l key-type -d 'Key algorithm of the root and the intermediate' -r -f -a "p256\t'ECDSA on NIST P-256 (default: small, fast, universally supported)'
p384\t'ECDSA on NIST P-384'
ed25519\t'Ed25519 (not accepted by browsers for TLS)'
rsa2048\t'RSA, 2048-bit modulus'
rsa3072\t'RSA, 3072-bit modulus'
rsa4096\t'RSA, 4096-bit modulus'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l days -d 'Days of validity of the root (the intermediate: at most 3650)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l no-constraints -d 'Make a CA that may sign for any name (not recommended: once trusted, it can impersonate any site)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing CA home'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from show" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from show" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l p12 -d 'The PKCS#12 file to write (mode 0600)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l p12-password-file -d 'The PKCS#12 password: the first line of FILE [default: asked on the terminal]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l p12-no-password -d 'Write the PKCS#12 file with an empty password'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l force -d 'Replace an existing file'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l java-keystore -d 'The Java keystore to change instead of the JDK\'s cacerts (password changeit)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l system -d 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l nss -d 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l java -d 'A Java keystore (keytool): the JDK\'s cacerts unless --java-keystore'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l java-keystore -d 'The Java keystore to change instead of the JDK\'s cacerts (password changeit)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l system -d 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l nss -d 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l java -d 'A Java keystore (keytool): the JDK\'s cacerts unless --java-keystore'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from uninstall" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l java-keystore -d 'The Java keystore to change instead of the JDK\'s cacerts (password changeit)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l system -d 'The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l nss -d 'The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l java -d 'A Java keystore (keytool): the JDK\'s cacerts unless --java-keystore'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "init" -d 'Make a root and a name-constrained intermediate in the CA home'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the CA home: its CAs, name constraints, pins and files'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "install" -d 'Trust the CA home\'s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove the CA home\'s root from the trust stores it was installed in'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say where the CA home\'s root is trusted'
complete -c tlskit -n "__fish_tlskit_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -s l -l listen -d 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l cert -d 'Certificate chain: PEM, leaf first, then intermediates (or one DER certificate) [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l key -d 'The certificate\'s private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l client-ca -d 'Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless --client-auth optional' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l client-auth -d 'Whether clients must present a certificate [default: required]' -r -f -a "required\t'The handshake fails without a valid certificate'
optional\t'A client may send none; one it sends must verify'"
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l alpn -d 'ALPN protocols, comma-separated, in the server\'s order of preference [default: none; h2,http/1.1 with --www]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l groups -d 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l suites -d 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l ocsp-response -d 'Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that ask for one. It must be a successful response; one about another certificate, saying revoked or unknown, or out of date is served with a warning' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l ocsp -d '`auto`: fetch the certificate\'s OCSP response from the responder it names (the issuer must follow it in --cert), staple it, and refresh it halfway to its nextUpdate; a failed refresh keeps the last good response until it expires. Only a checked, good response about this certificate is ever stapled' -r -f -a "auto\t'Fetch it from the responder the certificate names, and keep it fresh'"
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l keylog -d 'Append session secrets to FILE in NSS key log format, so Wireshark can decrypt [default: the file named by SSLKEYLOGFILE, if set]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l max-connections -d 'Connections open at once; more are closed at once and counted' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l handshake-timeout -d 'Seconds the whole handshake may take, from accept to Finished (defeats slowloris). Fractions and units work: 2.5, 500ms, 1m' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l idle-timeout -d 'Seconds a connection may wait for the client to send, or to take what it is sent; 0 means no limit' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l max-accept -d 'Stop accepting after N connections, wait for them to finish, and exit 0 (like `openssl s_server -naccept`)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l grace -d 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l mtu -d 'With --dtls: the largest datagram to send, in bytes [default: 1232]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l www -d 'Answer HTTP requests (HTTP/2 when the client picks h2 by ALPN, else HTTP/1.1) with a page describing the client\'s handshake (JSON when the request accepts application/json) instead of echoing'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l tls13 -d 'Accept TLS 1.3 only (the default accepts 1.2 and 1.3)'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l tls12 -d 'Accept TLS 1.2 only (to test clients)'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l no-tickets -d 'Issue no session tickets and cache no sessions: every handshake is a full one'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l no-log -d 'No line per connection (as nginx\'s `access_log off`): connections are still counted in the summary and on the --www page, and warnings are still printed'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l dtls -d 'Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA certificates only (the README\'s DTLS section says what else differs)'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand serve" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l servername -d 'The name to send as SNI and verify the certificate against, instead of the target\'s host (which is still the one dialled)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l connect-to -d 'Dial this HOST[:PORT] instead, keeping the target\'s name for SNI and verification' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l timeout -d 'Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l ca -d 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l pin -d 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl\'s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with \';\', to allow several. A CA\'s pin matches only when the server\'s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l check-revocation -d 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate\'s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned' -r -f -a "warn\t'Unknown is a warning; revoked fails (exit 5)'
require\t'Unknown fails too (exit 5)'"
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l cert -d 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l key -d 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l alpn -d 'ALPN protocols to offer, comma-separated, in preference order (e.g. h2,http/1.1)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l groups -d 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l suites -d 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l keylog -d 'Append the session secrets to FILE (NSS key log format, for Wireshark); SSLKEYLOGFILE is honoured too' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l send -d 'Send TEXT after the handshake and print the reply until the server closes or --read-timeout passes without data' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l read-timeout -d 'With --send or piped input: stop after this many seconds without data from the server' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l save-chain -d 'Write the presented chain as PEM to FILE' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l starttls -d 'Speak this protocol\'s plaintext upgrade before TLS' -r -f -a "smtp\t'SMTP (EHLO, STARTTLS); port 25'
imap\t'IMAP (STARTTLS); port 143'
pop3\t'POP3 (STLS); port 110'
ftp\t'FTP (AUTH TLS); port 21'
xmpp\t'XMPP client stream (<starttls/>); port 5222'
postgres\t'PostgreSQL (SSLRequest); port 5432'
ldap\t'LDAP (StartTLS extended operation); port 389'
lmtp\t'LMTP (LHLO, STARTTLS); port 24'
nntp\t'NNTP (STARTTLS); port 119'
sieve\t'ManageSieve (STARTTLS); port 4190'
irc\t'IRC (STARTTLS, numeric 670); port 6667'
mysql\t'MySQL/MariaDB (SSLRequest); port 3306'"
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l mtu -d 'With --dtls: the largest datagram to send, in bytes [default: 1232]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l no-sni -d 'Send no SNI (the name is still verified)'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l system-roots -d 'Trust the platform\'s certificate store instead of the embedded Mozilla roots'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -s k -l insecure -d 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l offline -d 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l fetch-intermediates -d 'When the server sent no intermediate and its certificate names its issuer (caIssuers), fetch it and verify again, to tell whether the chain is only incomplete (a fetched certificate is never trusted as a root)'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l tofu -d 'Trust on first use: on first contact record the server\'s pin in the pin store ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a server whose key changed. The name and dates are still checked'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l tls13 -d 'Offer TLS 1.3 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l tls12 -d 'Offer TLS 1.2 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l reconnect -d 'Connect a second time, resuming the first session, and report whether it resumed'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l no-io -d 'Only handshake and report; no data'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l showcerts -d 'Write the presented chain as PEM to stdout (the report goes to stderr)'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l dtls -d 'Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand connect" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l targets -d 'Also inspect the servers listed in FILE (- for standard input), one per line with # comments, as scan --targets reads them: a line\'s starttls=, servername=, connect-to=HOST[:PORT] and timeout=SECS apply to its server (the flags are the defaults), and names=A,B also inspects the certificate presented for each name (SNI)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l key -d 'Check that this private key belongs to the certificate (the leaf of each input, or the request of an input without certificates); exit 1 when it does not' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l expires-within -d 'Exit 7 when any certificate inspected expires within DURATION (30d, 12h, 2w), or has expired already' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l ca -d 'Judge where chains end against these CA certificates instead of Mozilla\'s roots' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l servername -d 'The name to send as SNI and verify the certificate against, instead of the target\'s host (which is still the one dialled)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l starttls -d 'Servers: speak this protocol\'s plaintext upgrade before TLS (a server given without a port gets the protocol\'s port)' -r -f -a "smtp\t'SMTP (EHLO, STARTTLS); port 25'
imap\t'IMAP (STARTTLS); port 143'
pop3\t'POP3 (STLS); port 110'
ftp\t'FTP (AUTH TLS); port 21'
xmpp\t'XMPP client stream (<starttls/>); port 5222'
postgres\t'PostgreSQL (SSLRequest); port 5432'
ldap\t'LDAP (StartTLS extended operation); port 389'
lmtp\t'LMTP (LHLO, STARTTLS); port 24'
nntp\t'NNTP (STARTTLS); port 119'
sieve\t'ManageSieve (STARTTLS); port 4190'
irc\t'IRC (STARTTLS, numeric 670); port 6667'
mysql\t'MySQL/MariaDB (SSLRequest); port 3306'"
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l timeout -d 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l p12-password-file -d 'The password of PKCS#12 inputs: the first line of FILE [default: an empty password]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l check-revocation -d 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate\'s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned' -r -f -a "warn\t'Unknown is a warning; revoked fails (exit 5)'
require\t'Unknown fails too (exit 5)'"
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l pem -d 'Print the certificates as PEM instead of the report (to save a server\'s chain)'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l offline -d 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l format -d 'How to write pins' -r -f -a "curl\t'`sha256//BASE64`, for curl\'s --pinnedpubkey (and tlskit\'s --pin)'
hex\t'Lower-case hex of the SHA-256'
base64\t'Base64 of the SHA-256'
hpkp\t'`pin-sha256="BASE64"`, as in an HTTP Public-Key-Pins header'
tlsa\t'A DANE TLSA record (SPKI, SHA-256): `3 1 1 HEX` for a server\'s own certificate, `2 1 1 HEX` for a CA\'s'
all\t'Every form, labelled'"
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l expect -d 'Exit 0 when a pin matches one of these, 6 otherwise (repeatable; curl\'s `sha256//a;sha256//b` lists, HPKP and hex forms are accepted too). With --chain, a pin on a CA certificate counts only if the first certificate chains up to it' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l forget -d 'Remove a server from the pin store' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l servername -d 'Servers: the name to send as SNI, instead of the host' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l ca -d 'Servers: verify the chain against the CA certificates in FILE instead of Mozilla\'s roots (a chain that does not verify is still pinned, with a note)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l starttls -d 'Servers: speak this protocol\'s plaintext upgrade before TLS (a server given without a port gets the protocol\'s port)' -r -f -a "smtp\t'SMTP (EHLO, STARTTLS); port 25'
imap\t'IMAP (STARTTLS); port 143'
pop3\t'POP3 (STLS); port 110'
ftp\t'FTP (AUTH TLS); port 21'
xmpp\t'XMPP client stream (<starttls/>); port 5222'
postgres\t'PostgreSQL (SSLRequest); port 5432'
ldap\t'LDAP (StartTLS extended operation); port 389'
lmtp\t'LMTP (LHLO, STARTTLS); port 24'
nntp\t'NNTP (STARTTLS); port 119'
sieve\t'ManageSieve (STARTTLS); port 4190'
irc\t'IRC (STARTTLS, numeric 670); port 6667'
mysql\t'MySQL/MariaDB (SSLRequest); port 3306'"
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l timeout -d 'Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l chain -d 'Pin every certificate of the chain, labelled (to keep an intermediate as a backup pin)'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l trust -d 'Servers: record the pin in the pin store on first use; afterwards exit 6 if it changed'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l list -d 'List the pin store'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand pin" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l targets -d 'Read targets from FILE, one per line with optional settings (starttls=PROTO, servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME) and # comments; FILE may be - for stdin' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l servername -d 'The name to send as SNI and verify the certificate against, instead of the target\'s host (which is still the one dialled)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l sni -d 'Also ask for the certificate the server presents for NAME (sent as SNI, verified against NAME): each is reported with its chain and findings, and counts in the grade as the main certificate does. Repeatable; a targets file line may say names=NAME,NAME instead' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l connect-to -d 'Dial this HOST[:PORT] instead, keeping the target\'s name for SNI and verification' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l starttls -d 'Speak this protocol\'s plaintext upgrade before every probe' -r -f -a "smtp\t'SMTP (EHLO, STARTTLS); port 25'
imap\t'IMAP (STARTTLS); port 143'
pop3\t'POP3 (STLS); port 110'
ftp\t'FTP (AUTH TLS); port 21'
xmpp\t'XMPP client stream (<starttls/>); port 5222'
postgres\t'PostgreSQL (SSLRequest); port 5432'
ldap\t'LDAP (StartTLS extended operation); port 389'
lmtp\t'LMTP (LHLO, STARTTLS); port 24'
nntp\t'NNTP (STARTTLS); port 119'
sieve\t'ManageSieve (STARTTLS); port 4190'
irc\t'IRC (STARTTLS, numeric 670); port 6667'
mysql\t'MySQL/MariaDB (SSLRequest); port 3306'"
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l timeout -d 'Bound on each probe (TCP connect + STARTTLS + the server\'s answer), in seconds' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l concurrency -d 'Probes in flight at once over all targets' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l per-target -d 'Probes in flight at once for one target (kept small so that scanning a server is polite, and so that one slow server cannot take every slot)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l ca -d 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l pin -d 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl\'s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with \';\', to allow several. A CA\'s pin matches only when the server\'s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l check-revocation -d 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate\'s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned' -r -f -a "warn\t'Unknown is a warning; revoked fails (exit 5)'
require\t'Unknown fails too (exit 5)'"
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l min-grade -d 'Exit with code 8 when a grade is below GRADE (A+, A, A-, B, C, D, F)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l policy -d 'Check each server against a policy: mozilla-modern, mozilla-intermediate, mozilla-old (Mozilla\'s server-side TLS 5.7) or a TOML FILE; exit 8 on any violation' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l baseline -d 'Compare with FILE, an earlier --json output (one document or JSON Lines): list what changed per target; exit 8 when anything regressed' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l format -d 'Output format: text, or prometheus (node_exporter\'s textfile collector). --json prints JSON (one object per line with several targets)' -r -f -a "text\t'A report (one target) or a summary table (several)'
prometheus\t'The Prometheus text exposition format'"
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l system-roots -d 'Trust the platform\'s certificate store instead of the embedded Mozilla roots'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l offline -d 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l details -d 'With several targets, print each full report after the summary table'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l dtls -d 'Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites per version that tlskit\'s DTLS can offer'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand scan" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l server-pid -d 'Also read this process\'s CPU time (user + system, with its threads and child processes) before and after the run, and report the server\'s CPU per handshake and per MiB. Repeat for several processes' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s c -l concurrency -d 'Connections open at once' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s d -l duration -d 'Start no connection after SECS seconds [default: 5, or 3600 as the cap with --connections; at most 3600]. Running handshakes get --timeout more; running echoes finish while they move (within an hour of the start)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s n -l connections -d 'Start exactly N connections (at most 100,000,000), within the --duration cap' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l bytes -d 'Echo mode: each connection sends SIZE bytes of pseudo-random data while reading them back, and checks by SHA-256 that exactly what was sent came back (sizes like 64k, 1m, 256m, 1g; powers of 1024; at most 16g)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l window -d 'With --bytes: at most SIZE bytes sent and not yet echoed back (default: as much as TCP takes). For servers that stall when the echo backs up (ncat --exec)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l timeout -d 'Per connection: limit on TCP connect + handshake, and on any stall of an echo' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l ca -d 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l pin -d 'Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl\'s form), pin-sha256="…" or 64 hex digits. Repeat, or separate with \';\', to allow several. A CA\'s pin matches only when the server\'s certificate chains up to that CA. A matching pin also trusts a certificate no CA signed' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l cert -d 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l key -d 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l servername -d 'The name to send as SNI and verify the certificate against, instead of the target\'s host (which is still the one dialled)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l connect-to -d 'Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target\'s address, keeping its name (like curl\'s --connect-to)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l starttls -d 'Speak this protocol\'s plaintext upgrade before TLS on every connection (a target without a port gets the protocol\'s)' -r -f -a "smtp\t'SMTP (EHLO, STARTTLS); port 25'
imap\t'IMAP (STARTTLS); port 143'
pop3\t'POP3 (STLS); port 110'
ftp\t'FTP (AUTH TLS); port 21'
xmpp\t'XMPP client stream (<starttls/>); port 5222'
postgres\t'PostgreSQL (SSLRequest); port 5432'
ldap\t'LDAP (StartTLS extended operation); port 389'
lmtp\t'LMTP (LHLO, STARTTLS); port 24'
nntp\t'NNTP (STARTTLS); port 119'
sieve\t'ManageSieve (STARTTLS); port 4190'
irc\t'IRC (STARTTLS, numeric 670); port 6667'
mysql\t'MySQL/MariaDB (SSLRequest); port 3306'"
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l groups -d 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l suites -d 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l datagrams -d 'With --dtls: datagrams echoed on each association (of --datagram-size bytes)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l datagram-size -d 'With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l floor -d 'Measure this machine\'s floor instead: the CPU that one full TLS 1.3 handshake\'s cryptography (ECDSA P-256 signature, X25519, ML-KEM-768) and one MiB of AES-256-GCM cost with the library tlskit uses, and what loopback TCP alone costs a server (on 127.0.0.1, no TLS) per connection and per MiB echoed or forwarded. No server does a handshake for less'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l resume -d 'Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really resumed; without it every handshake is a full one'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l system-roots -d 'Trust the platform\'s certificate store instead of the embedded Mozilla roots'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s k -l insecure -d 'Do not fail on certificate errors: the chain is still verified and reported as NOT VERIFIED, and pins still apply. DANGEROUS outside a test bench'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l tls12 -d 'Offer TLS 1.2 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l tls13 -d 'Offer TLS 1.3 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l dtls -d 'Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an echo where every datagram must come back intact (losses are counted)'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand bench" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -f -a "server" -d 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -f -a "client" -d 'Accept plaintext locally and forward it over verified TLS to a server'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and not __fish_seen_subcommand_from server client help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -s l -l listen -d 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l connect-timeout -d 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l idle-timeout -d 'Close a connection on which nothing moved either way for this long; 0 means never' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l max-connections -d 'Connections open at once; more are closed at once and logged' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l grace -d 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l alpn -d 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l mtu -d 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l groups -d 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l suites -d 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l status -d 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l target -d 'Where plaintext goes: HOST:PORT or unix:PATH. Over TCP, `localhost` is dialled as 127.0.0.1, then ::1, without a name lookup' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l handshake-timeout -d 'Seconds a client\'s TLS handshake may take, from accept to Finished (defeats clients that stall)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l cert -d 'Certificate chain: PEM, leaf first [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory; its pin is printed]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l key -d 'The certificate\'s private key [default: the key in the --cert file]' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l client-ca -d 'Require a client certificate issued by a CA in FILE (chain, dates and clientAuth usage are checked in the handshake)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l allow-cn -d 'Let through only client certificates with this subject CN (repeatable; any allow rule that matches lets a client through)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l allow-dns -d 'Let through client certificates with this DNS subject alternative name' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l allow-uri -d 'Let through client certificates with this URI subject alternative name (a SPIFFE ID…)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l allow-pin -d 'Let through client certificates with this SPKI pin (sha256//BASE64 or hex)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l ocsp -d 'Staple an OCSP response: `auto` fetches it from the responder the certificate names (its issuer must follow it in --cert) and refreshes it halfway to its nextUpdate, keeping the last good one while a refresh fails; FILE staples a DER response (read again on reload). Only a checked, good answer about this certificate is stapled' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l crl -d 'Refuse client certificates this CRL lists (PEM or DER, signed by their issuer; repeatable; read again on reload). The client\'s own certificate is checked; one whose issuer has no CRL among these passes. A CRL past its nextUpdate is stale: a warning at start and reload, and its issuer\'s clients are refused until a current one is loaded (as openssl -crl_check and stunnel do)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l check-revocation -d 'After the handshake, before the target is dialled, check each client certificate for revocation: its OCSP responder, else its CRL distribution point (answers reused until their nextUpdate). Revoked is refused; =require also refuses an unknown status' -r -f -a "warn\t'Unknown is a warning; revoked fails (exit 5)'
require\t'Unknown fails too (exit 5)'"
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l udp -d 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l tls13 -d 'TLS 1.3 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l tls12 -d 'TLS 1.2 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l no-log -d 'No line per connection (as nginx\'s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l allow-remote-target -d 'Allow a target that is not on this machine (not loopback, localhost or a Unix socket)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l proxy-protocol -d 'Send a PROXY protocol v2 header to the target first, so that it learns the client\'s real address (HAProxy, nginx and others read it)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l offline -d 'With --check-revocation: fetch nothing (a status is then unknown)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from server" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -s l -l listen -d 'Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a free port; the first line of output shows the real one' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l connect-timeout -d 'Seconds to wait for the target to accept (and, in client mode, to finish the TLS handshake). Fractions and units work: 2.5, 500ms, 1m' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l idle-timeout -d 'Close a connection on which nothing moved either way for this long; 0 means never' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l max-connections -d 'Connections open at once; more are closed at once and logged' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l grace -d 'Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l alpn -d 'ALPN protocols, comma-separated, in order of preference (offered in client mode, accepted in server mode)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l mtu -d 'With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l groups -d 'Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519, secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024 [default: X25519MLKEM768, X25519, secp256r1, secp384r1]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l suites -d 'Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…) [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first]' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l status -d 'Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics (connections open and total, bytes, failures by outcome, and in server mode the seconds until the certificate expires)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l target -d 'The TLS server: HOST:PORT or [IPv6]:PORT' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l servername -d 'The name to send as SNI and verify the certificate against, instead of the target\'s host (which is still the one dialled)' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l ca -d 'Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded Mozilla roots' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l pin -d 'Require an SPKI pin on the server\'s chain: sha256//BASE64, pin-sha256="…" or 64 hex digits. Repeat to allow several. A matching pin also trusts a certificate no CA signed' -r
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l cert -d 'Client certificate for mutual TLS: a PEM chain, leaf first (or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l key -d 'Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER)' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l check-revocation -d 'Check whether each certificate of the chain was revoked: the stapled OCSP response, else the certificate\'s OCSP responder, else its CRL. Revoked fails (exit 5); =require also fails when the status cannot be learned' -r -f -a "warn\t'Unknown is a warning; revoked fails (exit 5)'
require\t'Unknown fails too (exit 5)'"
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l udp -d 'Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client address, and in server mode one UDP socket to the target per association (ECDSA certificates only)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l tls13 -d 'TLS 1.3 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l tls12 -d 'TLS 1.2 only'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l no-log -d 'No line per connection (as nginx\'s `access_log off`): connections are still counted in the summary and on --status, and warnings are still printed'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l system-roots -d 'Trust the platform\'s certificate store instead of the embedded Mozilla roots'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l offline -d 'Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from client" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from help" -f -a "server" -d 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from help" -f -a "client" -d 'Accept plaintext locally and forward it over verified TLS to a server'
complete -c tlskit -n "__fish_tlskit_using_subcommand tunnel; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -l out-dir -d 'Directory that receives `completions/` and `man/`' -r -F
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -l color -d 'When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -l json -d 'Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event)'
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -s q -l quiet -d 'Print only what was asked for: no summaries, hints or progress'
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tlskit -n "__fish_tlskit_using_subcommand generate" -s V -l version -d 'Print version'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "gencert" -d 'Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "ca" -d 'A local CA: a root and a name-constrained intermediate, and trust-store install'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "serve" -d 'Run a concurrent TLS echo or status-page server (ephemeral certificate by default)'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "connect" -d 'Connect to a TLS server and report what was negotiated and verified'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "inspect" -d 'Show certificates, keys and CSRs from files or live hosts'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "pin" -d 'Compute, check and remember SPKI pins'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "scan" -d 'Audit a server for legacy protocols, weak suites and certificate problems'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "bench" -d 'Load-test a TLS endpoint: handshakes per second, resumption, throughput'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "tunnel" -d 'Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "generate" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and not __fish_seen_subcommand_from gencert ca serve connect inspect pin scan bench tunnel generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "init" -d 'Make a root and a name-constrained intermediate in the CA home'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "show" -d 'Show the CA home: its CAs, name constraints, pins and files'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "export" -d 'Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere)'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "install" -d 'Trust the CA home\'s root: the system store (as root), NSS (Chromium, Firefox), Java [default: the system store when run as root, and NSS when certutil is installed]'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "uninstall" -d 'Remove the CA home\'s root from the trust stores it was installed in'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "status" -d 'Say where the CA home\'s root is trusted'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from tunnel" -f -a "server" -d 'Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service'
complete -c tlskit -n "__fish_tlskit_using_subcommand help; and __fish_seen_subcommand_from tunnel" -f -a "client" -d 'Accept plaintext locally and forward it over verified TLS to a server'
