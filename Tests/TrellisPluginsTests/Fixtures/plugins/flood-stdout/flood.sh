#!/bin/sh
# Fixture: 10 MB of stdout, far over the 1 MiB cap.
echo $$ >> "$FIXTURE_PIDS"
echo "flood: writing 10 MB" >&2
head -c 10485760 /dev/zero | tr '\0' 'x'
printf '{"content":"too late","is_error":false}\n'
