#!/bin/sh
# deps.sh - install with apt-get what the build, the tests and the proofs use.
# Does nothing (and needs no network) when everything is already there.
set -e
PKGS="gcc make clang libclang-rt-14-dev libcunit1-dev libssl-dev gcovr \
python3 openssl swaks python3-aiosmtpd frama-c-base why3 z3 cvc4 cvc5 spin \
valgrind procps"

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
