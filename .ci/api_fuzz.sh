#!/usr/bin/env bash
# API fuzzing as deployed: a throwaway PostgreSQL database owned by an owner role, migrated
# as the owner (DATABASE_OWNER_URL), and the app served by gunicorn connected as the
# application's role, which owns nothing and is bound by row-level security (NUL characters
# and out-of-range numbers fail only on PostgreSQL). A small demo firm and an API key with
# every scope; schemathesis against the generated OpenAPI schema with a fixed seed and a
# bounded number of examples per operation, checking that no answer is a server error and
# that every answer's status, media type and body are what the schema declares. The schema
# itself is validated by drf-spectacular first. The server and the database are always
# removed. The last line of the output is a one-line result.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
HOST=127.0.0.1
DB=rebalancer_api_fuzz_$$
OWNER=rebalancer_owner_ci
APP=rebalancer_app_ci
WORK=$(mktemp -d /tmp/api-fuzz.XXXXXX)
SERVER_PID=""
admin() { psql -h "$HOST" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  admin -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

unset REDIS_URL CACHE_URL
export API_RATE_LIMIT="1000000/min"
export DJANGO_DEBUG=1
MAX_EXAMPLES="${API_FUZZ_MAX_EXAMPLES:-20}"
SEED="${API_FUZZ_SEED:-20260101}"
CHECKS=not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance

echo "schema: validate (drf-spectacular, warnings fail)"
"$PY" manage.py spectacular --validate --fail-on-warn --file "$WORK/schema.yaml"

echo "database: $DB owned by $OWNER; the app connects as $APP (neither a superuser)"
for role in "$OWNER" "$APP"; do
  admin -c "DO \$\$ BEGIN CREATE ROLE $role LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
done
admin -c "CREATE DATABASE $DB OWNER $OWNER"
export DATABASE_URL="postgres://$APP@$HOST:5432/$DB"
export DATABASE_OWNER_URL="postgres://$OWNER@$HOST:5432/$DB"

echo "data: migrate as the owner; a small demo firm and an API key with every scope as the app"
"$PY" manage.py migrate -v0
"$PY" manage.py seed_demo --firm fuzz --accounts 12 >/dev/null
KEY=$("$PY" manage.py create_api_key --firm fuzz --scopes read,import,trade --name fuzz 2>/dev/null)

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "server: gunicorn on 127.0.0.1:$PORT as $APP"
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

echo "fuzz: schemathesis, seed $SEED, $MAX_EXAMPLES examples per operation; checks $CHECKS"
status=0
.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/v1/schema/" \
  --header "Authorization: Bearer $KEY" \
  --checks "$CHECKS" \
  --max-examples "$MAX_EXAMPLES" \
  --workers 1 \
  --seed "$SEED" \
  --request-timeout 120 \
  --generation-database none \
  --report ndjson --report-ndjson-path "$WORK/events.ndjson" \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"
  tail -n 80 "$WORK/server.log" || true
fi
"$PY" .ci/api_fuzz_summary.py "$WORK/events.ndjson" "$status"
exit "$status"
