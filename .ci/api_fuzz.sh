#!/usr/bin/env bash
# API fuzzing: a throwaway SQLite database with a small demo firm and an API key, the app
# served by gunicorn on a free local port, schemathesis against the generated OpenAPI
# schema (a bounded number of examples per operation; any 5xx fails), and the schema
# validated by drf-spectacular. The server is always stopped. One server process and one
# client worker: the embedded SQLite database serializes writers, and the point here is the
# API's answers, not SQLite's locking.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
WORK=$(mktemp -d /tmp/api-fuzz.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset REDIS_URL CACHE_URL
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export API_RATE_LIMIT="1000000/min"
export DJANGO_DEBUG=1
MAX_EXAMPLES="${API_FUZZ_MAX_EXAMPLES:-20}"

echo "schema: validate (drf-spectacular, warnings fail)"
"$PY" manage.py spectacular --validate --fail-on-warn --file "$WORK/schema.yaml"

echo "data: migrate, a small demo firm, an API key with every scope"
"$PY" manage.py migrate -v0
"$PY" manage.py seed_demo --firm fuzz --accounts 12 >/dev/null
KEY=$("$PY" manage.py create_api_key --firm fuzz --scopes read,import,trade --name fuzz 2>/dev/null)

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "server: gunicorn on 127.0.0.1:$PORT"
.venv/bin/gunicorn rebalancer.wsgi:application --bind "127.0.0.1:$PORT" --workers 1 \
  --timeout 120 --log-level warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
"$PY" - "$PORT" <<'PYEOF'
import sys, time, urllib.request

url = f"http://127.0.0.1:{sys.argv[1]}/api/v1/schema/"
for _ in range(60):
    try:
        urllib.request.urlopen(url, timeout=5)
        break
    except OSError:
        time.sleep(1)
else:
    sys.exit(f"the server did not answer at {url}")
PYEOF

echo "fuzz: schemathesis, $MAX_EXAMPLES examples per operation, no server error allowed"
status=0
.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/v1/schema/" \
  --header "Authorization: Bearer $KEY" \
  --checks not_a_server_error \
  --max-examples "$MAX_EXAMPLES" \
  --workers 1 \
  --seed 20260101 \
  --request-timeout 120 \
  --generation-database none \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"
  tail -n 80 "$WORK/server.log" || true
fi
exit "$status"
