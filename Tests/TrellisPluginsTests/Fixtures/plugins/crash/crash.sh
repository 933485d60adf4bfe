#!/bin/sh
# Fixture: logs, then fails.
cat >/dev/null
echo "crash: opening units.db" >&2
echo "crash: cannot open units.db: no such file" >&2
exit 3
