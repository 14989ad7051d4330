#!/bin/sh
# postfix-local.sh - a private Postfix in a folder, for benchmarks and
# interop tests (bench/, the relay-chain test). Never installs the postfix
# package system-wide: the Debian package is fetched with `apt-get download`
# and unpacked with `dpkg -x` under a prefix (default bench/out/postfix:
# not build/, whose *.d names the Makefile includes as dependency files), and
# every instance runs with its own config_directory, queue_directory and
# data_directory on loopback ports.
#
#   tools/postfix-local.sh [install] [PREFIX]
#       idempotent; unpacks Postfix into PREFIX/root, creates the postfix
#       user and postdrop group when missing (needs root), prints PREFIX.
#   tools/postfix-local.sh instance DIR [name=value ...]
#       writes DIR/etc/main.cf and master.cf, makes DIR/queue, DIR/data,
#       DIR/log; prints DIR. Pseudo-parameter listen=127.0.0.1:PORT puts
#       smtpd on that address (default 127.0.0.1:2526); every other
#       name=value replaces that parameter's line in main.cf (or adds it).
#   tools/postfix-local.sh start|stop|flush DIR   (postfix -c DIR/etc ...)
#   tools/postfix-local.sh cmd DIR PROGRAM [args]  (a PREFIX/root/usr/sbin
#       program, e.g. postqueue -p, with MAIL_CONFIG=DIR/etc)
#   tools/postfix-local.sh bin PROGRAM  (prints the path, e.g. smtp-sink)
#
# Environment: POSTFIX_PREFIX (default <top>/bench/out/postfix).
# What it takes: root (Postfix's master must start as root and drop to
# mail_owner=postfix), the runtime libraries the package depends on (all in
# a Debian 12 base here: libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3).
# The binaries carry RUNPATH /usr/lib/postfix, which does not exist here:
# LD_LIBRARY_PATH points at PREFIX/root/usr/lib/postfix for the commands we
# run, and import_environment passes it on to the daemons master starts.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
prefix=${POSTFIX_PREFIX:-$top/bench/out/postfix}

die() { echo "postfix-local: $*" >&2; exit 1; }

# install - unpack the package under $prefix once; make the accounts.
install_postfix() {
    root=$prefix/root
    if [ ! -x "$root/usr/sbin/postfix" ]; then
        command -v dpkg >/dev/null || die "dpkg not found (Debian only)"
        mkdir -p "$prefix/deb"
        if ! ls "$prefix"/deb/postfix_*.deb >/dev/null 2>&1; then
            (cd "$prefix/deb" && apt-get download postfix >/dev/null 2>&1) ||
                { apt-get update >/dev/null 2>&1 &&
                  (cd "$prefix/deb" && apt-get download postfix >/dev/null); } ||
                die "apt-get download postfix failed"
        fi
        rm -rf "$root.tmp"
        dpkg -x "$(ls "$prefix"/deb/postfix_*.deb | head -1)" "$root.tmp"
        # dynamic map types (cdb, pcre, ...) are listed in meta_directory
        cp "$root.tmp/usr/share/postfix/dynamicmaps.cf" "$root.tmp/etc/postfix/"
        mv "$root.tmp" "$root"
    fi
    getent group postdrop >/dev/null ||
        groupadd --system postdrop 2>/dev/null || die "cannot add group postdrop"
    getent passwd postfix >/dev/null ||
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin postfix 2>/dev/null ||
        die "cannot add user postfix (run as root)"
}

env_postfix() {
    LD_LIBRARY_PATH=$prefix/root/usr/lib/postfix
    export LD_LIBRARY_PATH
}

# instance DIR [name=value ...] - one private Postfix configuration.
make_instance() {
    dir=$1; shift
    root=$prefix/root
    listen=127.0.0.1:2526
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/log"
    dir=$(cd "$dir" && pwd)
    extra=""
    for kv in "$@"; do
        case $kv in
            listen=*) listen=${kv#listen=} ;;
            *=*) extra="$extra$kv
" ;;
            *) die "instance: not name=value: $kv" ;;
        esac
    done
    cat > "$dir/etc/main.cf" <<EOF
# written by tools/postfix-local.sh instance
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = $root/usr/sbin
daemon_directory = $root/usr/lib/postfix/sbin
shlib_directory = $root/usr/lib/postfix
meta_directory = $root/etc/postfix
sendmail_path = $root/usr/sbin/sendmail
newaliases_path = $root/usr/bin/newaliases
mailq_path = $root/usr/bin/mailq
manpage_directory = $root/usr/share/man
html_directory = no
readme_directory = no
sample_directory = $root/etc/postfix
mail_owner = postfix
setgid_group = postdrop
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$root/usr/lib/postfix
maillog_file = $dir/log/postfix.log
maillog_file_prefixes = $dir/log
syslog_name = postfix-local
myhostname = postfix.bench.test
mydomain = bench.test
mydestination = \$myhostname, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
EOF
    # a name=value replaces the line above (no "overriding" warnings)
    printf '%s' "$extra" | while IFS= read -r kv; do
        name=${kv%%=*}
        grep -v "^$name *=" "$dir/etc/main.cf" > "$dir/etc/main.cf.tmp" || :
        printf '%s = %s\n' "$name" "${kv#*=}" >> "$dir/etc/main.cf.tmp"
        mv "$dir/etc/main.cf.tmp" "$dir/etc/main.cf"
    done
    chown postfix "$dir/data"
    # service type private unpriv chroot wakeup maxproc command
    cat > "$dir/etc/master.cf" <<EOF
# written by tools/postfix-local.sh instance (chroot off everywhere)
$listen inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    echo "$dir"
}

cmd=${1:-install}
case $cmd in
    install)
        [ $# -ge 2 ] && prefix=$2
        install_postfix
        echo "$prefix" ;;
    /*) prefix=$1; install_postfix; echo "$prefix" ;;
    instance)
        [ $# -ge 2 ] || die "usage: instance DIR [name=value ...]"
        shift; install_postfix; make_instance "$@" ;;
    start|stop|flush|abort|reload|status|check)
        [ $# -eq 2 ] || die "usage: $cmd DIR"
        env_postfix
        exec "$prefix/root/usr/sbin/postfix" -c "$2/etc" "$cmd" ;;
    cmd)
        [ $# -ge 3 ] || die "usage: cmd DIR PROGRAM [args]"
        env_postfix
        MAIL_CONFIG=$2/etc; export MAIL_CONFIG
        p=$3; shift 3
        exec "$prefix/root/usr/sbin/$p" "$@" ;;
    bin)
        [ $# -eq 2 ] || die "usage: bin PROGRAM"
        echo "$prefix/root/usr/sbin/$2" ;;
    *) die "unknown command $cmd (install, instance, start, stop, flush, cmd, bin)" ;;
esac
