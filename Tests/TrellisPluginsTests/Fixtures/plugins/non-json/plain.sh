#!/bin/sh
# Fixture: not JSON.
cat >/dev/null
echo "plain: answering in prose" >&2
echo "The answer is 42"
