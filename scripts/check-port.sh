#!/usr/bin/env bash
# The web port of make run (PORT, default 8000): a wrong or taken one is said before anything is installed
# or started. Needs only bash and Python 3 (the venv may not exist yet). Sourced by scripts/run.sh too.
PORT="${PORT:-8000}"
if ! [[ "$PORT" =~ ^[1-9][0-9]{0,4}$ ]] || [ "$PORT" -gt 65535 ]; then
  echo "PORT=$PORT is not a port number (1-65535), e.g. make run PORT=8001" >&2
  exit 1
fi
# SO_REUSEADDR as runserver sets it: a port a stopped server left in TIME_WAIT is free to it.
if ! "${PYTHON:-python3}" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
  echo "Port $PORT is taken on 127.0.0.1: stop what uses it, or pick another, e.g. make run PORT=$((PORT == 8001 ? 8002 : 8001))" >&2
  exit 1
fi
