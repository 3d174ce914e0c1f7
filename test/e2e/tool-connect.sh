#!/usr/bin/env bash
# End-to-end check of `rdsstack connect` and `rdsstack users sync` on this machine, with real OpenSSH and
# PostgreSQL and the tool's own in-process tunnel (no ssh client involved):
#   - the facts file is the stack's connection-facts SSM parameter rendered from the sandbox template
#     (render-facts.js), pointed at this machine's ports, plus the bastion's host keys (what the bastion publishes);
#   - sshd on 127.0.0.12:2222 with the exact hardening drop-in from the bastion's user data; the only edits are the
#     PermitOpen port (this test's PostgreSQL listens on 15432, not 5432, to leave 5432 to the other e2e script) and
#     AllowUsers (this test's two people, where the stack lists the named operators of config/access.json);
#   - PostgreSQL 15 on 127.0.0.11:15432 accepting only TLS (hostssl, like rds.force_ssl=1) with a certificate for an
#     RDS-style endpoint name, signed by a test CA passed with --ca-bundle (the tool otherwise trusts only the RDS
#     roots it ships); pgaudit preloaded when installed; a stand-in rds_iam role.
#   - A local PostgreSQL cannot check RDS IAM tokens, so here the personal users log in with a password given by
#     --password-from-env (a tests-only flag); the token itself is tested against botocore in RdsAuthTokenTests.
#     With that flag, --print names the variable (export PGPASSWORD="${VAR}") where it would print the
#     generate-db-auth-token command, and prints the value only with --show-token, as it would the token.
# Needs root and Debian's openssh-server, postgresql, openssl. Edits /etc/hosts (lines marked, removed on exit).
# Usage: bash test/e2e/tool-connect.sh [TEMPLATE]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
template=${1:-$repo/test/snapshots/RdsStack-sandbox-alice.template.json}
[ "$(id -u)" = 0 ] || { echo "tool-connect: needs root (users, /etc/hosts)"; exit 2; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
for tool in /usr/sbin/sshd ssh-keygen psql openssl "$pgbin/initdb" dotnet; do
  command -v "$tool" >/dev/null || { echo "tool-connect: $tool missing: apt-get install -y openssh-server postgresql openssl"; exit 2; }
done
node=$( [ -x "$repo/node_modules/.bin/node" ] && echo "$repo/node_modules/.bin/node" || echo node )

stack=RdsStack-sandbox-alice
endpoint=rdsstack-sandbox-alice.c0i11tool0e2e.eu-west-1.rds.amazonaws.com
db_ip=127.0.0.11
bastion_ip=127.0.0.12
bastion_dns=ec2-127-0-0-12.eu-west-1.compute.amazonaws.com
ssh_port=2222
pg_port=15432
erin=tool_erin     # a person with a database login (owner)
hank=tool_hank     # a person with a bastion login but no database user yet
frank=tool_frank   # a person declared, then removed from the declaration, then declared again
marker="# rdsstack-i11-tool-e2e"
work=$(mktemp -d /tmp/rdsstack-tool-e2e.XXXXXX)
chmod 755 "$work"
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok - $*"; }
fail() { failed=$((failed+1)); echo "not ok - $*"; }

cleanup() {
  set +e
  [ -n "${print_pid:-}" ] && kill "$print_pid" 2>/dev/null
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null
  [ -f "$work/pgdata/postmaster.pid" ] && su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -m fast stop" >/dev/null 2>&1
  sed -i "/$marker\$/d" /etc/hosts
  for u in "$erin" "$hank" "$frank"; do id "$u" >/dev/null 2>&1 && userdel -r "$u" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
printf '%s %s %s\n%s %s %s\n' "$bastion_ip" "$bastion_dns" "$marker" "$db_ip" "$endpoint" "$marker" >> /etc/hosts

echo "# building the tool"
dotnet build "$repo/src/RdsStack.Tool" -c Release -o "$work/tool" -v q -nologo >/dev/null
rdsstack() { dotnet "$work/tool/RdsStack.Tool.dll" "$@"; }

# Bastion logins: the people's own names (personal identity), key login only, created as the bastion's user data
# creates a named operator: no shell, no password, and a key restricted to forwarding to the database endpoint.
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"
for u in "$erin" "$hank" "$frank"; do
  id "$u" >/dev/null 2>&1 || useradd -m -s /sbin/nologin "$u"
  usermod -p '*' "$u"
  install -d -m 700 -o "$u" "/home/$u/.ssh"
  printf 'restrict,port-forwarding,permitopen="%s:%s" %s\n' "$endpoint" "$pg_port" "$(cut -d' ' -f1,2 "$work/id_ed25519.pub")" > "/home/$u/.ssh/authorized_keys"
  chown "$u" "/home/$u/.ssh/authorized_keys"; chmod 600 "/home/$u/.ssh/authorized_keys"
done

# sshd with the bastion's own drop-in.
mkdir -p /run/sshd "$work/sshd_config.d"
"$node" "$repo/test/e2e/render-output.js" "$template" --user-data --attr "Endpoint.Address=$endpoint" \
  | sed -n "/<<'SSHD'/,/^SSHD\$/p" | sed '1d;$d' | sed "s/^PermitOpen $endpoint:5432\$/PermitOpen $endpoint:$pg_port/" \
  | sed "s/^AllowUsers .*/AllowUsers $erin $hank $frank/" > "$work/sshd_config.d/10-rdsstack.conf"
grep -q "^PermitOpen $endpoint:$pg_port\$" "$work/sshd_config.d/10-rdsstack.conf" && ok "the bastion's sshd drop-in, PermitOpen moved to this test's port" || fail "no drop-in rendered"
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
ssh-keygen -q -t ecdsa -N '' -f "$work/host_ecdsa"
cat > "$work/sshd_config" <<CONF
Include $work/sshd_config.d/*.conf
Port $ssh_port
ListenAddress $bastion_ip
HostKey $work/host_ed25519
HostKey $work/host_ecdsa
PidFile $work/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
CONF
/usr/sbin/sshd -t -f "$work/sshd_config"
/usr/sbin/sshd -f "$work/sshd_config" -E "$work/sshd.log"
# What the bastion publishes at boot: "<type> <base64>" per host key, without the comment.
cut -d' ' -f1,2 "$work/host_ed25519.pub" "$work/host_ecdsa.pub" > "$work/host-keys"

# PostgreSQL: TLS only, a certificate for the endpoint name from a test CA.
cert() { # name, file prefix
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$work/$2.key" -out "$work/$2.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\n' "$1" > "$work/$2.ext"
  openssl x509 -req -in "$work/$2.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/$2.ext" -out "$work/$2.pem" 2>/dev/null
  chown postgres "$work/$2.key" "$work/$2.pem"; chmod 600 "$work/$2.key"
}
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test RDS CA i11" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
cert "$endpoint" server
cert "someone-else.c0i11tool0e2e.eu-west-1.rds.amazonaws.com" other
master_password=$(openssl rand -hex 16); erin_password=$(openssl rand -hex 16); frank_password=$(openssl rand -hex 16)
echo "$master_password" > "$work/pw"; chown postgres "$work/pw"
install -d -m 700 -o postgres "$work/pgdata"
su postgres -s /bin/sh -c "$pgbin/initdb -D $work/pgdata -U dbadmin --pwfile=$work/pw --auth=scram-sha-256 >/dev/null"
preload=""; [ -f "$(dirname "$pgbin")/lib/pgaudit.so" ] && preload=pgaudit
cat >> "$work/pgdata/postgresql.conf" <<CONF
listen_addresses = '$db_ip'
port = $pg_port
unix_socket_directories = ''
ssl = on
ssl_cert_file = '$work/server.pem'
ssl_key_file = '$work/server.key'
ssl_min_protocol_version = 'TLSv1.2'
shared_preload_libraries = '$preload'
CONF
echo "hostssl all all 127.0.0.0/8 scram-sha-256" > "$work/pgdata/pg_hba.conf"
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -l $work/pgdata/server.log -w start >/dev/null"
admin() { PGPASSWORD=$master_password psql "host=$db_ip port=$pg_port user=dbadmin dbname=${2:-app} sslmode=require" -qtAc "$1"; }
admin "create database app" postgres
admin "create role rds_iam"   # stand-in for RDS's role

# The facts: the stack's own parameter value, rendered; then this machine's SSH port and the published host keys.
"$node" "$repo/test/e2e/render-facts.js" "$template" \
  --attr "Endpoint.Address=$endpoint" --attr "MasterUserSecret.SecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-test" \
  --attr "DbiResourceId=db-I11TOOLE2E" --attr "KeyPairId=key-0i11tool" \
  --ref "AWS::EC2::EIP=$bastion_ip" --ref "AWS::EC2::Instance=i-0i11tool" \
  --set "bastion.sshPort=$ssh_port" --set "database.port=$pg_port" --set-file "bastion.hostKeys=$work/host-keys" > "$work/facts.json"
grep -q "\"publicDnsName\": \"$bastion_dns\"" "$work/facts.json" && ok "facts rendered from the stack's /rdsstack/$stack/connection parameter" || { fail "facts not rendered"; cat "$work/facts.json"; }

common=(--facts "$work/facts.json" --identity "$work/id_ed25519" --ca-bundle "$work/ca.pem" --ssh-timeout 5)
export MASTER_PASSWORD=$master_password ERIN_PASSWORD=$erin_password FRANK_PASSWORD=$frank_password

# users sync: create, re-run with no change.
cat > "$work/users.json" <<JSON
{ "sandbox": { "application": { "app_user": "readwrite" }, "people": { "$erin": "owner", "$frank": "readonly" } } }
JSON
sync() { rdsstack users sync "$stack" "${common[@]}" --user "$erin" --declaration "$1" --password-from-env MASTER_PASSWORD "${@:2}"; }
out=$(sync "$work/users.json" 2>&1) || true
echo "$out" | sed 's/^/#   /'
if grep -q "created login $erin" <<<"$out" && grep -q "granted owner to $erin" <<<"$out" && grep -q "granted readonly to tool_frank" <<<"$out" && grep -q "granted rds_iam to app_user" <<<"$out"; then
  ok "users sync creates the group roles, IAM logins (rds_iam) and memberships"
else fail "users sync did not create the logins"; fi
[ -n "$preload" ] && { grep -q "created extension pgaudit" <<<"$out" && ok "users sync creates the pgaudit extension when preloaded" || fail "pgaudit not created"; }
roles=$(admin "select string_agg(r.rolname || '>' || m.rolname, ',' order by r.rolname || '>' || m.rolname) from pg_auth_members a join pg_roles r on r.oid=a.roleid join pg_roles m on m.oid=a.member where m.rolname in ('$erin','tool_frank','app_user')")
[ "$roles" = "owner>$erin,rds_iam>app_user,rds_iam>$erin,rds_iam>tool_frank,readonly>tool_frank,readwrite>app_user" ] && ok "the database holds exactly the declared memberships ($roles)" || fail "memberships: $roles"
out=$(sync "$work/users.json" 2>&1) || true
grep -q "^$stack: no changes" <<<"$out" && ok "users sync again: no changes (idempotent)" || fail "second sync changed something: $out"

# An unknown role is refused before anything changes.
before=$(admin "select count(*) from pg_roles")/$(admin "select count(*) from pg_auth_members")
printf '{ "sandbox": { "people": { "tool_gina": "readonly", "%s": "superuser" } } }\n' "$erin" > "$work/bad.json"
if out=$(sync "$work/bad.json" 2>&1); then fail "a declaration with an unknown role was applied"; else
  after=$(admin "select count(*) from pg_roles")/$(admin "select count(*) from pg_auth_members")
  grep -q "unknown role 'superuser'" <<<"$out" && [ "$before" = "$after" ] && ok "an unknown role is refused and nothing changes ($out)" || fail "unknown role: $out ($before -> $after)"
fi

# The personal user connects through the tool's own tunnel, host key checked, verify-full.
admin "alter role $erin password '$erin_password'"   # stands in for the IAM token (see header)
connect() { rdsstack connect "$stack" "${common[@]}" --password-from-env ERIN_PASSWORD "$@"; }
connect_as() { rdsstack connect "$stack" "${common[@]}" "$@"; }   # with a password variable of its own
out=$(connect --user "$erin" --exec "select current_user" 2>"$work/err") || true
[ "$out" = "$erin" ] && ok "rdsstack connect --exec 'select current_user' answers $out through the tool's tunnel" || { fail "connect: $out $(cat "$work/err")"; cat "$work/sshd.log"; }
out=$(connect --user "$erin" --exec "select s.ssl, s.version, pg_has_role('owner', 'member') from pg_stat_ssl s where s.pid = pg_backend_pid()" 2>"$work/err") || true
[[ "$out" =~ ^True$'\t'TLSv1\.[23]$'\t'True$ ]] && ok "the session is TLS ($out) and carries the declared role" || fail "ssl/role: $out"

# Timing: tunnel up to first answer, five runs.
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  dotnet "$work/tool/RdsStack.Tool.dll" connect "$stack" "${common[@]}" --password-from-env ERIN_PASSWORD --user "$erin" --exec "select 1" --verbose >/dev/null 2>"$work/timing" || true
  echo "# timing run $i: $(grep -o 'tunnel up.*' "$work/timing"); whole command $(( ($(date +%s%N) - start) / 1000000 )) ms"
done

# psql mode: psql started by the tool with PGHOST/PGHOSTADDR/PGSSLMODE=verify-full, the password only in its environment.
out=$(echo "select 'psql as ' || current_user || ' ' || (select ssl from pg_stat_ssl where pid = pg_backend_pid());" | connect --user "$erin" --psql 2>&1) || true
grep -q "psql as $erin t" <<<"$out" && ok "--psql starts psql through the tunnel with verify-full" || fail "psql mode: $out"

# --print keeps the tunnel open for another client until Ctrl-C, then leaves nothing running.
# (job control on: its own process group, which gets the SIGINT as a terminal's Ctrl-C would; a background job of a
# script would otherwise start with SIGINT ignored)
# By default the token (here: the tests-only password) is not printed; the PGPASSWORD line names where it comes from.
set -m; connect --user "$erin" --print > "$work/print" 2>"$work/print.err" & print_pid=$!; set +m
for _ in $(seq 1 100); do grep -q '^# or: psql' "$work/print" 2>/dev/null && break; sleep 0.2; done
port=$(sed -nE "s/^export PGPORT='([0-9]+)'/\1/p" "$work/print")
printed_client() { (eval "$(grep '^export ' "$1")"; psql -tAc "select current_user || ' ' || (select ssl from pg_stat_ssl where pid = pg_backend_pid())" 2>&1); }
if grep -q "$erin_password" "$work/print" "$work/print.err"; then fail "--print wrote the password without --show-token"
elif grep -qx 'export PGPASSWORD="${ERIN_PASSWORD}"' "$work/print" && grep -qx "export PGSSLMODE='verify-full'" "$work/print"; then
  ok "--print leaves the token out and says where the password comes from (--show-token to print it)"
else fail "--print output: $(cat "$work/print")"; fi
out=$(printed_client "$work/print") || true
[ "$out" = "$erin true" ] && ok "--print: another client connects with the printed settings (port $port, verify-full)" || fail "--print: $out $(cat "$work/print" "$work/print.err")"
kill -INT -- "-$print_pid"; status=0; wait "$print_pid" || status=$?; print_pid=""
if [ "$status" = 0 ] && ! (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ -z "$(pgrep -f "RdsStack.Tool.dll connect" || true)" ]; then
  ok "Ctrl-C closes the tunnel: the tool exits 0, port $port is closed, no tool process is left"
else fail "after Ctrl-C: exit $status, port $port still open or a process left"; fi
# --show-token prints it, and the printed lines alone are enough (the variable is not needed).
set -m; connect --user "$erin" --print --show-token > "$work/print" 2>"$work/print.err" & print_pid=$!; set +m
for _ in $(seq 1 100); do grep -q '^# or: psql' "$work/print" 2>/dev/null && break; sleep 0.2; done
out=$(env -u ERIN_PASSWORD bash -c "$(declare -f printed_client); printed_client '$work/print'") || true
grep -qx "export PGPASSWORD='$erin_password'" "$work/print" && [ "$out" = "$erin true" ] && ok "--print --show-token prints the password, and a client connects with the printed lines alone" || fail "--show-token: $out $(cat "$work/print" "$work/print.err")"
kill -INT -- "-$print_pid"; wait "$print_pid" || true; print_pid=""
if out=$(connect --user "$erin" --exec "select 1" --show-token 2>&1); then fail "--show-token was accepted without --print"; else
  grep -q -- "--show-token only goes with --print" <<<"$out" && ok "--show-token is refused outside --print" || fail "--show-token with --exec: $out"
fi

# Host key mismatch: refused, both fingerprints shown.
ssh-keygen -q -t ed25519 -N '' -f "$work/impostor"
"$node" -e 'const f=require(process.argv[1]);f.bastion.hostKeys=require("fs").readFileSync(process.argv[2],"utf8");console.log(JSON.stringify(f))' "$work/facts.json" "$work/impostor.pub" > "$work/facts-wrong-key.json"
presented=$(ssh-keygen -lf "$work/host_ed25519.pub" | cut -d' ' -f2); published=$(ssh-keygen -lf "$work/impostor.pub" | cut -d' ' -f2)
if out=$(rdsstack connect "$stack" --facts "$work/facts-wrong-key.json" --identity "$work/id_ed25519" --ca-bundle "$work/ca.pem" --password-from-env ERIN_PASSWORD --user "$erin" --exec "select 1" 2>&1); then
  fail "a host key that was not published was accepted"
elif grep -q REFUSED <<<"$out" && grep -q "presented: ssh-ed25519 $presented" <<<"$out" && grep -q "published: ssh-ed25519 $published" <<<"$out"; then
  ok "a host key that was not published is refused, with both fingerprints (ssh-keygen agrees)"
else fail "host key mismatch: $out"; fi

# verify-full: a certificate for another name is refused (the server switches certificates, reload).
sed -i "s#^ssl_cert_file = .*#ssl_cert_file = '$work/other.pem'#; s#^ssl_key_file = .*#ssl_key_file = '$work/other.key'#" "$work/pgdata/postgresql.conf"
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata reload >/dev/null"; sleep 1
if out=$(connect --user "$erin" --exec "select 1" 2>&1); then fail "a certificate for another name was accepted"; else
  grep -q "REFUSED: TLS verification (verify-full) failed: the server certificate is for 'someone-else" <<<"$out" && ok "verify-full refuses a certificate for another name" || fail "wrong name: $out"
fi
# ...and a server certificate from a CA other than the pinned one.
if out=$(rdsstack connect "$stack" --facts "$work/facts.json" --identity "$work/id_ed25519" --password-from-env ERIN_PASSWORD --user "$erin" --exec "select 1" 2>&1); then fail "the shipped RDS roots accepted a test certificate"; else
  grep -q "does not chain to the shipped RDS root CAs of eu-west-1" <<<"$out" && ok "without --ca-bundle only the shipped RDS roots are trusted" || fail "pinned roots: $out"
fi
sed -i "s#^ssl_cert_file = .*#ssl_cert_file = '$work/server.pem'#; s#^ssl_key_file = .*#ssl_key_file = '$work/server.key'#" "$work/pgdata/postgresql.conf"
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata reload >/dev/null"; sleep 1

# Revoke: a person taken out of the declaration loses the group role, rds_iam and LOGIN; the role itself is kept.
admin "alter role $frank password '$frank_password'"   # stands in for the IAM token (see header)
out=$(connect_as --user "$frank" --password-from-env FRANK_PASSWORD --exec "select current_user" 2>&1) || true
[ "$out" = "$frank" ] && ok "a declared person ($frank) logs in through the tool" || fail "$frank before removal: $out"
printf '{ "sandbox": { "application": { "app_user": "readwrite" }, "people": { "%s": "owner" } } }\n' "$erin" > "$work/users-less.json"
frank_state() { admin "select rolcanlogin::text || ',' || pg_has_role('$frank', 'rds_iam', 'member')::text || ',' || pg_has_role('$frank', 'readonly', 'member')::text from pg_roles where rolname = '$frank'"; }
out=$(sync "$work/users-less.json" --dry-run 2>&1) || true
grep -q "^$stack: would change 3:" <<<"$out" && grep -q "disabled login $frank" <<<"$out" && [ "$(frank_state)" = "true,true,true" ] && ok "users sync --dry-run shows the removal and changes nothing" || fail "dry run: $out ($(frank_state))"
out=$(sync "$work/users-less.json" 2>&1) || true
echo "$out" | sed 's/^/#   /'
if grep -q "revoked readonly from $frank" <<<"$out" && grep -q "revoked rds_iam from $frank" <<<"$out" && grep -q "disabled login $frank" <<<"$out" \
  && ! grep -q "login $frank is not declared" <<<"$out" && [ "$(admin "select count(*) from pg_roles where rolname='$frank'")" = 1 ]; then
  ok "users sync revokes the role of someone no longer declared, and revokes rds_iam and LOGIN; the role is kept"
else fail "revoke: $out"; fi
[ "$(frank_state)" = "false,false,false" ] && ok "$frank: rolcanlogin = false, not a member of rds_iam nor readonly" || fail "$frank after removal: $(frank_state)"
if out=$(connect_as --user "$frank" --password-from-env FRANK_PASSWORD --exec "select current_user" 2>&1); then fail "$frank still logs in after removal: $out"; else
  grep -q "The database refused '$frank'" <<<"$out" && grep -q "not permitted to log in" <<<"$out" && grep -q "is disabled (NOLOGIN)" <<<"$out" && ok "$frank can no longer log in through the tool" || fail "$frank login after removal: $out"
fi
out=$(sync "$work/users-less.json" 2>&1) || true
grep -q "no changes" <<<"$out" && ok "and then: no changes" || fail "after revoke: $out"
# Declared again: LOGIN, rds_iam and the group come back; then no changes.
out=$(sync "$work/users.json" 2>&1) || true
echo "$out" | sed 's/^/#   /'
grep -q "allowed $frank to log in" <<<"$out" && grep -q "granted rds_iam to $frank" <<<"$out" && grep -q "granted readonly to $frank" <<<"$out" && [ "$(frank_state)" = "true,true,true" ] \
  && ok "declaring $frank again restores LOGIN, rds_iam and readonly" || fail "re-declare: $out ($(frank_state))"
out=$(connect_as --user "$frank" --password-from-env FRANK_PASSWORD --exec "select current_user" 2>&1) || true
[ "$out" = "$frank" ] && ok "$frank logs in through the tool again" || fail "$frank after re-declaring: $out"
out=$(sync "$work/users.json" 2>&1) || true
grep -q "^$stack: no changes" <<<"$out" && ok "and then: no changes" || fail "after re-declaring: $out"

# A person whose database user does not exist yet is told to run users sync.
if out=$(connect --user "$hank" --exec "select 1" 2>&1); then fail "a missing database user connected"; else
  grep -q "rdsstack users sync $stack" <<<"$out" && ok "a missing database user is told: rdsstack users sync $stack" || fail "missing user: $out"
fi

# The database stopped: the bastion cannot open the forward.
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -m fast stop >/dev/null"
if out=$(connect --user "$erin" --exec "select 1" 2>&1); then fail "connected to a stopped database"; else
  grep -q "stopped, starting, or being modified" <<<"$out" && ok "a stopped database is reported as stopped/starting, with the command to check it" || fail "stopped: $out"
fi

echo "tool-connect: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
