#!/bin/sh
# Fixture: answers every call; its plugin.yaml carries patterns Trellis cannot check.
cat >/dev/null
printf '{"content":"ok","is_error":false}\n'
