#!/bin/sh
# Fixture: a reply for a call that is not this one.
cat >/dev/null
printf '{"call_id":"call_other","content":"stale","is_error":false}\n'
