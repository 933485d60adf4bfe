#!/bin/sh
# Fixture: ignores SIGTERM (and so does its sleep), never replies; only SIGKILL ends it.
trap '' TERM
echo $$ >> "$FIXTURE_PIDS"
echo "hang: thinking forever" >&2
sleep 30 &
echo $! >> "$FIXTURE_PIDS"
wait
