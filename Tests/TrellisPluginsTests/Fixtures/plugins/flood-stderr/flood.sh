#!/bin/sh
# Fixture: 1 MB of logs before the reply; a host that does not drain stderr deadlocks here.
cat >/dev/null
head -c 1048576 /dev/zero | tr '\0' 'e' >&2
echo >&2
echo "flood: last log line" >&2
printf '{"content":"made it","is_error":false}\n'
