#!/bin/sh
# Fixture: replies after starting a grandchild in a session of its own (setsid), out of reach of the kill of the
# plugin's process group. The grandchild must not survive the call.
cat >/dev/null
setsid sh -c 'echo $$ >> "$FIXTURE_PIDS"; exec sleep 300' </dev/null >/dev/null 2>&1 &
while [ ! -s "$FIXTURE_PIDS" ]; do sleep 0.01; done
printf '{"content":"answered","is_error":false}\n'
