# Builds the test PKI with `openssl ca`: a root, an intermediate, and leaves
# whose AIA and CRL distribution points name the loopback servers ($WWW, $OCSP,
# $FIXED, $DEAD). Run in the test's directory.
set -e
# openssl expands every ${ENV::X} of the config on load: give each a value.
export CRLNAME=${CRLNAME:-int.crl} OCSPURL=${OCSPURL:-http://127.0.0.1:$DEAD/} ISSUERURL=${ISSUERURL:-http://127.0.0.1:$WWW/int.der} CRLURL=${CRLURL:-http://127.0.0.1:$WWW/int.crl}
for d in root int int2; do mkdir -p $d; : > $d/index.txt; echo 1000 > $d/serial; echo 1000 > $d/crlnumber; done
# KEY=rsa before a call makes an RSA key (a server's second certificate).
key() {
  if [ "${KEY:-}" = rsa ]; then openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
  else openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; fi
}
key root/key.pem
openssl req -x509 -new -key root/key.pem -out root/cert.pem -days 30 -subj "/CN=Test Root" -config ca.cnf -extensions v3_root
key int/key.pem
openssl req -new -key int/key.pem -out int.csr -subj "/CN=Test Intermediate" -config ca.cnf
openssl ca -batch -config ca.cnf -name root_ca -in int.csr -out int/cert.pem -extensions v3_int -notext 2>/dev/null
# A second intermediate, revoked by the root (key compromise).
key int2/key.pem
openssl req -new -key int2/key.pem -out int2.csr -subj "/CN=Revoked Intermediate" -config ca.cnf
openssl ca -batch -config ca.cnf -name root_ca -in int2.csr -out int2/cert.pem -extensions v3_int -notext 2>/dev/null
openssl ca -batch -config ca.cnf -name root_ca -revoke int2/cert.pem -crl_reason keyCompromise 2>/dev/null
leaf() {
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -out "$1.csr" -subj "/CN=$1" -config ca.cnf
  openssl ca -batch -config ca.cnf -name int_ca -in "$1.csr" -out "$1.pem" -extensions "$2" -notext 2>/dev/null
  cat "$1.pem" int/cert.pem > "$1-chain.pem"
}
leaf good v3_leaf
leaf revoked v3_leaf
leaf staple v3_leaf_staple
OCSPURL=http://127.0.0.1:$DEAD/ leaf down v3_leaf_ocsp
OCSPURL=http://127.0.0.1:$FIXED/ leaf other v3_leaf_ocsp
CRLNAME=stale.crl leaf stale v3_leaf_crl
CRLNAME=root.crl leaf foreign v3_leaf_crl
CRLNAME=forged.crl leaf forged v3_leaf_crl
ISSUERURL=http://127.0.0.1:$WWW/int.der leaf lonely v3_leaf_issuers
ISSUERURL=http://127.0.0.1:$OCSP/html leaf html v3_leaf_issuers
ISSUERURL=http://127.0.0.1:$OCSP/loop leaf loop v3_leaf_issuers
ISSUERURL=http://127.0.0.1:$OCSP/trickle leaf trickle v3_leaf_issuers
ISSUERURL=file:///etc/passwd leaf file v3_leaf_issuers
ISSUERURL=http://127.0.0.1:$WWW/int.p7c leaf p7 v3_leaf_issuers
ISSUERURL=http://127.0.0.1:$WWW/int.pem leaf pem v3_leaf_issuers
CRLURL=http://127.0.0.1:$OCSP/huge leaf huge v3_leaf_crlurl
# A leaf of the revoked intermediate, itself not revoked (its CRL: int2.crl).
key orphan-key.pem
openssl req -new -key orphan-key.pem -out orphan.csr -subj "/CN=orphan" -config ca.cnf
CRLNAME=int2.crl openssl ca -batch -config ca.cnf -name int2_ca -in orphan.csr -out orphan.pem -extensions v3_leaf_crl -notext 2>/dev/null
cat orphan.pem int2/cert.pem > orphan-chain.pem
OCSPURL=http://127.0.0.1:$OCSP/trickle leaf slow v3_leaf_ocsp
# Client certificates for mTLS: alice in good standing, mallory revoked.
leaf alice v3_client
leaf mallory v3_client
# Certificates for the name api.test (a server's other name, asked for by SNI).
leaf apigood v3_leaf_api
leaf apirevoked v3_leaf_api
OCSPURL=http://127.0.0.1:$DEAD/ leaf apidown v3_leaf_api_ocsp
# (Made last, so that the serials above stay as tests quote them.)
# An RSA certificate for localhost, revoked: served beside good's ECDSA one.
KEY=rsa leaf rsarevoked v3_leaf
openssl ca -batch -config ca.cnf -name int_ca -revoke mallory.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.cnf -name int_ca -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.cnf -name int_ca -revoke apirevoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.cnf -name int_ca -revoke rsarevoked.pem -crl_reason keyCompromise 2>/dev/null
mkdir -p www
openssl ca -batch -config ca.cnf -name int_ca -gencrl -out int-crl.pem 2>/dev/null
openssl crl -in int-crl.pem -outform DER -out www/int.crl
openssl ca -batch -config ca.cnf -name root_ca -gencrl -out www/root.crl 2>/dev/null
openssl ca -batch -config ca.cnf -name int2_ca -gencrl -out www/int2.crl 2>/dev/null
# A CRL in the intermediate's name, signed by another key: a forgery.
key fake-key.pem
openssl req -x509 -new -key fake-key.pem -out fake.pem -days 30 -subj "/CN=Test Intermediate" -config ca.cnf -extensions v3_root
openssl ca -batch -config ca.cnf -name int_ca -gencrl -cert fake.pem -keyfile fake-key.pem -out www/forged.crl 2>/dev/null
openssl ca -batch -config ca.cnf -name int_ca -gencrl -crl_lastupdate 20200101000000Z -crl_nextupdate 20200108000000Z -out www/stale.crl 2>/dev/null
openssl x509 -in int/cert.pem -outform DER -out www/int.der
openssl crl2pkcs7 -nocrl -certfile int/cert.pem -outform DER -out www/int.p7c
cp int/cert.pem www/int.pem
# OCSP responses made ahead: the good leaf's (what the "fixed" responder
# answers for any certificate) and the revoked leaf's (to staple).
for c in good revoked staple other; do
  openssl ocsp -issuer int/cert.pem -cert $c.pem -no_nonce -reqout $c-req.der
  openssl ocsp -index int/index.txt -CA int/cert.pem -rsigner int/cert.pem -rkey int/key.pem -reqin $c-req.der -respout $c-ocsp.der -ndays 1 2>/dev/null
done
# The "other" leaf's answers signed by someone else: the root (not its issuer,
# not authorised), and a responder the intermediate delegated OCSP signing to.
key responder-key.pem
openssl req -new -key responder-key.pem -out responder.csr -subj "/CN=Test OCSP Responder" -config ca.cnf
openssl ca -batch -config ca.cnf -name int_ca -in responder.csr -out responder.pem -extensions v3_ocsp -notext 2>/dev/null
openssl ocsp -index int/index.txt -CA int/cert.pem -rsigner root/cert.pem -rkey root/key.pem -reqin other-req.der -respout other-by-root.der -ndays 1 2>/dev/null
openssl ocsp -index int/index.txt -CA int/cert.pem -rsigner responder.pem -rkey responder-key.pem -reqin other-req.der -respout other-delegated.der -ndays 1 2>/dev/null
