#!/bin/sh
# Fixture: both pipes reach end-of-file while the plugin keeps running; the deadline must still stop it.
cat >/dev/null
echo $$ >> "$FIXTURE_PIDS"
exec >/dev/null 2>&1
sleep 30
