#!/usr/bin/env bash
# Starts milepost serve with the given args, waits until it listens, stops it.
exe=$1; shift
coproc SERVER { exec "$exe" serve --listen 127.0.0.1:0 "$@" 2>/dev/null; }
while read -r line <&"${SERVER[0]}"; do
  case "$line" in "Milepost is listening"*) break;; esac
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
exit 0
