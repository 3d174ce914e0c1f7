#!/usr/bin/env bash
# npm run test:log-redaction [-- <template.json>]
# Proves on a real PostgreSQL 15 with Debian's postgresql-15-pgaudit that the parameter group the stack SHIPS keeps
# passwords and statement text out of the server log, while pgaudit still records role and DDL changes.
# The values are read from the synthesized prod template (default cdk.out/RdsStack-prod.template.json; synthesized
# when missing), never from a copy. RDS-only parameters (rds.*) have no meaning outside RDS and are listed as skipped.
# Runs as root on loopback port 25432; removes everything it creates.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=25432
PGBIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root (initdb runs as the postgres user)"
[ -x "$PGBIN/initdb" ] || fail "PostgreSQL 15 is not installed: apt-get install postgresql-15 postgresql-15-pgaudit"
[ -f /usr/lib/postgresql/15/lib/pgaudit.so ] || fail "pgaudit is not installed: apt-get install postgresql-15-pgaudit"
NODE=node_modules/.bin/node; [ -x "$NODE" ] || NODE=node

TEMPLATE=${1:-cdk.out/RdsStack-prod.template.json}
if [ ! -f "$TEMPLATE" ]; then
  echo "== synthesizing (no $TEMPLATE)"
  npx cdk synth --quiet >/dev/null
fi

WORK=$(mktemp -d /tmp/rdsstack-i9-pg.XXXXXX)
chown postgres "$WORK"
cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The shipped parameter group, as postgresql.conf lines.
"$NODE" -e '
  const t = require(require("path").resolve(process.argv[1]));
  const groups = Object.values(t.Resources).filter((r) => r.Type === "AWS::RDS::DBParameterGroup");
  if (groups.length !== 1) throw new Error(`expected one DB parameter group, found ${groups.length}`);
  for (const [name, value] of Object.entries(groups[0].Properties.Parameters)) {
    if (name.startsWith("rds.")) { console.error(`skipped (RDS-only): ${name} = ${value}`); continue; }
    console.log(`${name} = '"'"'${value}'"'"'`);
  }' "$TEMPLATE" > "$WORK/shipped.conf"
echo "== shipped parameters"; cat "$WORK/shipped.conf"
grep -q "^pgaudit.log = 'role,ddl'" "$WORK/shipped.conf" || fail "the template does not ship pgaudit.log = role,ddl"

run_server() { # $1 = extra conf file; writes $WORK/server.log
  rm -rf "$WORK/data" "$WORK/server.log"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
  { echo "listen_addresses = '127.0.0.1'"; echo "port = $PORT"; echo "unix_socket_directories = '$WORK'"; echo "logging_collector = off"; cat "$1"; } >> "$WORK/data/postgresql.conf"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
}
stop_server() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -w stop >/dev/null; }
psql_run() { runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p $PORT -U postgres -d postgres -v ON_ERROR_STOP=0 -qAt "$@"; }

exercise() { # the statements an administrator and `users sync` run
  psql_run -c "CREATE EXTENSION pgaudit;"
  psql_run -c "CREATE EXTENSION pg_stat_statements;"
  psql_run -c "CREATE ROLE alice_probe LOGIN PASSWORD 'secret-on-create-1';"
  psql_run -c "ALTER ROLE alice_probe PASSWORD 'secret-on-alter-2';"
  psql_run -c "CREATE ROLE alice_probe LOGIN PASSWORD 'secret-in-failed-3';" 2>/dev/null || true
  psql_run -c "CREATE TABLE audit_probe (id int);"
  psql_run -c "SELECT pg_sleep(0.3), 'personal.data@example.com';" >/dev/null
}

echo "== shipped settings: passwords, failed statements and query text must stay out of the log"
run_server "$WORK/shipped.conf"
exercise
[ "$(psql_run -c "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'alice_probe'")" = t ] || fail "password not stored as SCRAM-SHA-256"
# pg_stat_statements (what Performance Insights reads) must not keep the statements that carry passwords either.
psql_run -c "SELECT query FROM pg_stat_statements" > "$WORK/statements.txt"
[ -s "$WORK/statements.txt" ] || fail "pg_stat_statements recorded nothing: the statistics check would prove nothing"
for secret in secret-on-create-1 secret-on-alter-2; do
  if grep -q "$secret" "$WORK/statements.txt"; then fail "'$secret' is kept in pg_stat_statements"; fi
done
stop_server
LOG="$WORK/server.log"
for secret in secret-on-create-1 secret-on-alter-2 secret-in-failed-3 personal.data@example.com; do
  if grep -q "$secret" "$LOG"; then grep -n "$secret" "$LOG" >&2; fail "'$secret' appears in the server log"; fi
done
grep -q 'AUDIT: SESSION,[0-9]*,[0-9]*,ROLE,CREATE ROLE,,,CREATE ROLE alice_probe LOGIN PASSWORD <REDACTED>' "$LOG" || { cat "$LOG" >&2; fail "no redacted pgaudit ROLE line for CREATE ROLE"; }
grep -q 'AUDIT: SESSION,[0-9]*,[0-9]*,ROLE,ALTER ROLE,,,ALTER ROLE alice_probe PASSWORD <REDACTED>' "$LOG" || fail "no redacted pgaudit ROLE line for ALTER ROLE"
grep -q 'AUDIT: SESSION,[0-9]*,[0-9]*,DDL,CREATE TABLE' "$LOG" || fail "no pgaudit DDL line for CREATE TABLE"
grep -q 'connection authorized' "$LOG" || fail "connections are not logged"
echo "ok: no password, failed statement or query text in the log or in pg_stat_statements; pgaudit ROLE (redacted) and DDL lines present; SCRAM storage"

echo "== control: the same check sees the leak that log_statement = ddl causes (so the check can fail)"
sed -e "s/^log_statement = .*/log_statement = 'ddl'/" -e "s/^log_min_error_statement = .*/log_min_error_statement = 'error'/" \
  -e "s/^pg_stat_statements.track_utility = .*/pg_stat_statements.track_utility = 'on'/" "$WORK/shipped.conf" > "$WORK/leaky.conf"
run_server "$WORK/leaky.conf"
exercise
psql_run -c "SELECT query FROM pg_stat_statements" > "$WORK/statements.txt"
stop_server
grep -q "secret-on-alter-2" "$WORK/statements.txt" || fail "control: track_utility = on should have kept the password in pg_stat_statements; the detector is broken"
grep -q "secret-on-create-1" "$WORK/server.log" || fail "control: log_statement = ddl should have leaked the password; the detector is broken"
grep -q "secret-in-failed-3" "$WORK/server.log" || fail "control: log_min_error_statement = error should have leaked the failed statement; the detector is broken"
echo "ok: the control leaks as expected"
echo "PASS: shipped PostgreSQL log parameters keep secrets out of the log"
