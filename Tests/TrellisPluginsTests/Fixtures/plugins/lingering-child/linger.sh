#!/bin/sh
# Fixture: a good reply, but a background child outlives the plugin and keeps stdout open. The reply must count
# at once (not after the child's 30 s), and the child must not survive the call.
cat >/dev/null
sleep 30 &
echo $! >> "$FIXTURE_PIDS"
printf '{"content":"answered","is_error":false}\n'
