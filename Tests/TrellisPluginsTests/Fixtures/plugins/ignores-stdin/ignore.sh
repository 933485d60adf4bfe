#!/bin/sh
# Fixture: never reads stdin; the host's write must not block or kill the runtime (EPIPE is fine).
printf '{"content":"did not read","is_error":false}\n'
