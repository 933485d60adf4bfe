#!/bin/sh
# Fixture: slow to start, but well within its timeout.
sleep 0.3
request=$(cat)
printf '{"content":"ready after a nap","is_error":false}\n'
