#!/usr/bin/env bash
# First start of the PostgreSQL container (docker-entrypoint-initdb.d): the two roles of a
# deployment and the database. Neither role is a superuser or has BYPASSRLS:
#   - REBALANCER_DB_OWNER owns the database and its tables; only `manage.py migrate` uses it;
#   - REBALANCER_DB_APP is what the web, worker and beat processes connect as; it owns
#     nothing, so the forced row-level security policies bind it (rebalancer/rowsecurity.py).
set -euo pipefail
: "${REBALANCER_DB:=rebalancer}"
: "${REBALANCER_DB_OWNER:=rebalancer_owner}"
: "${REBALANCER_DB_APP:=rebalancer_app}"
: "${REBALANCER_DB_OWNER_PASSWORD:?set REBALANCER_DB_OWNER_PASSWORD}"
: "${REBALANCER_DB_APP_PASSWORD:?set REBALANCER_DB_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v db="$REBALANCER_DB" -v owner="$REBALANCER_DB_OWNER" -v app="$REBALANCER_DB_APP" \
  -v owner_pw="$REBALANCER_DB_OWNER_PASSWORD" -v app_pw="$REBALANCER_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE :"app" LOGIN PASSWORD :'app_pw' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
SQL
