#!/usr/bin/env bash
# Row-level security as deployed: the tables belong to a role that is not a superuser, and
# the application connects as another role that owns nothing. `migrate` runs as the owner
# (DATABASE_OWNER_URL); two demo firms are seeded and optimized by the application's role;
# then the owner itself, with no firm set, sees no firm's rows (the policies are forced),
# and the application's role can neither rewrite the audit log nor lift the policies.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
DB=rebalancer_rls_smoke
OWNER=rebalancer_owner_ci
APP=rebalancer_app_ci
HOST=127.0.0.1
admin() { psql -h "$HOST" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
as_role() { local role=$1; shift; psql -h "$HOST" -U "$role" -d "$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }
fail() { echo "row-level security smoke: $*" >&2; exit 1; }

cleanup() { admin -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "roles: owner $OWNER and application $APP, neither a superuser nor BYPASSRLS"
cleanup
for role in "$OWNER" "$APP"; do
  admin -c "DO \$\$ BEGIN CREATE ROLE $role LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
done
admin -c "CREATE DATABASE $DB OWNER $OWNER"

unset REDIS_URL CACHE_URL
export DATABASE_URL="postgres://$APP@$HOST:5432/$DB"
export DATABASE_OWNER_URL="postgres://$OWNER@$HOST:5432/$DB"

echo "migrate as the owner"
"$PY" manage.py migrate -v1 | tail -1
"$PY" manage.py row_security | tail -2

echo "two firms seeded and optimized as the application's role"
for firm in smoke-a smoke-b; do
  "$PY" manage.py seed_demo --firm "$firm" --accounts 20 | tail -1
  "$PY" manage.py rebalance --firm "$firm" --as-of 2026-11-20 --no-progress | grep "^run "
done
KEY=$("$PY" manage.py create_api_key --firm smoke-a --name smoke --scopes read 2>/dev/null)
DJANGO_SETTINGS_MODULE=rebalancer.settings "$PY" - "$KEY" <<'PYEOF'
import sys

import django

django.setup()
from django.test import Client  # noqa: E402

api = Client(HTTP_AUTHORIZATION=f"Bearer {sys.argv[1]}")
response = api.get("/api/v1/proposals/", HTTP_HOST="localhost")
assert response.status_code == 200, response.content[:300]
rows = response.json()["results"]
# smoke-a has 20 accounts, one proposal each; smoke-b's 20 must not show
assert len(rows) == 20, len(rows)
print(f"the API, as the application's role with smoke-a's key: {len(rows)} proposals")
PYEOF

firm_a=$(as_role "$APP" -c "SELECT id FROM accounts_firm WHERE slug = 'smoke-a'")
firm_b=$(as_role "$APP" -c "SELECT id FROM accounts_firm WHERE slug = 'smoke-b'")
scoped() {  # role, firm id, query: the query in a transaction with that firm set
  as_role "$1" -c "BEGIN" -c "SELECT set_config('app.firm_id', '$2', true)" -c "$3" -c "COMMIT" \
    | sed -n 2p
}
for role in "$APP" "$OWNER"; do
  for table in trading_proposal trading_taxlot accounts_household accounts_auditevent; do
    bare=$(as_role "$role" -c "SELECT count(*) FROM $table")
    [ "$bare" = 0 ] || fail "$role sees $bare rows of $table with no firm set"
    mine=$(scoped "$role" "$firm_a" "SELECT count(*) FROM $table WHERE firm_id = $firm_a")
    theirs=$(scoped "$role" "$firm_a" "SELECT count(*) FROM $table WHERE firm_id = $firm_b")
    [ "$mine" -gt 0 ] || fail "$role sees none of smoke-a's rows of $table in smoke-a's scope"
    [ "$theirs" = 0 ] || fail "$role sees $theirs of smoke-b's rows of $table in smoke-a's scope"
  done
  echo "$role: no setting, no rows; smoke-a's setting, smoke-a's rows only (4 tables)"
done
if as_role "$APP" -c "DELETE FROM accounts_auditevent" >/dev/null 2>&1; then
  fail "the application's role deleted audit events"
fi
if as_role "$APP" -c "ALTER TABLE trading_proposal NO FORCE ROW LEVEL SECURITY" >/dev/null 2>&1; then
  fail "the application's role lifted a policy"
fi
echo "the application's role cannot delete audit events or lift a policy"
# a demo reset throws a firm's audit log away: the owner's job, refused to the application
if "$PY" manage.py seed_demo --firm smoke-b --accounts 20 --reset >/tmp/rls-reset.log 2>&1; then
  fail "the application's role reset a firm, audit log included"
fi
grep -q "append-only" /tmp/rls-reset.log || { cat /tmp/rls-reset.log; fail "unclear reset refusal"; }
DATABASE_URL="$DATABASE_OWNER_URL" "$PY" manage.py seed_demo --firm smoke-b --accounts 20 --reset \
  | grep "^Created"
echo "a demo reset: refused to the application's role with a clear message; done by the owner"
echo "row-level security smoke: passed"
