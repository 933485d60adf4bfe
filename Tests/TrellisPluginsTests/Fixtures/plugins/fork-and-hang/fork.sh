#!/bin/sh
# Fixture: a child that ignores SIGTERM keeps stdout and stderr open; the parent dies on SIGTERM and would
# leave it behind if only the parent were killed.
(trap '' TERM; exec sleep 30) &
echo $! >> "$FIXTURE_PIDS"
echo $$ >> "$FIXTURE_PIDS"
echo "fork: child $! started" >&2
wait
