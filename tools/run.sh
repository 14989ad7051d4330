#!/bin/sh
# run.sh - "make run": make an instance under ./run (configuration from
# conf/, queue, logs, mailboxes) and start master in the foreground as the
# current user. Ctrl-C stops it cleanly. An existing run/etc is kept, so
# local edits survive; remove ./run to start afresh.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
run=$top/run
bin=$top/bin
mkdir -p "$run/etc" "$run/queue" "$run/log" "$run/mail"
if [ ! -f "$run/etc/main.cf" ]; then
    sed -e "s|@RUN@|$run|g" -e "s|@BIN@|$bin|g" "$top/conf/main.cf.run" \
        > "$run/etc/main.cf"
fi
# A self-signed certificate for smtpd's STARTTLS, made once.
if [ ! -f "$run/etc/smtpd.pem" ] && command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
        -subj "/CN=localhost.localdomain" \
        -keyout "$run/etc/smtpd.key" -out "$run/etc/smtpd.pem" 2>/dev/null
    chmod 600 "$run/etc/smtpd.key"
fi
[ -f "$run/etc/master.cf" ] || cp "$top/conf/master.cf" "$run/etc/master.cf"
echo "sluice: instance in $run; log in $run/log/sluice.log; Ctrl-C stops it"
echo "sluice: in another terminal: bin/sluice -c $run/etc status"
exec "$bin/sluice" -c "$run/etc" start -f
