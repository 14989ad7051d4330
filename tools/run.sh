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
[ -f "$run/etc/master.cf" ] || cp "$top/conf/master.cf" "$run/etc/master.cf"
echo "sluice: instance in $run; log in $run/log/sluice.log; Ctrl-C stops it"
echo "sluice: in another terminal: bin/sluice -c $run/etc status"
exec "$bin/sluice" -c "$run/etc" start -f
