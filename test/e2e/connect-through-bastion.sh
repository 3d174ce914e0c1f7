#!/usr/bin/env bash
# End-to-end check of "Connect to a database", on this machine, with real OpenSSH and PostgreSQL:
#   - an sshd configured with the exact drop-in the bastion's user data writes (from the template),
#   - a PostgreSQL that, like RDS with rds.force_ssl=1, accepts only TLS, with a certificate for an
#     RDS-style endpoint name, signed by a CA given to the client as eu-west-1-bundle.pem,
#   - the stack's own BastionSshTunnelCommand and PsqlCommand outputs, rendered from the template.
# It proves the tunnel + `host=<endpoint> hostaddr=127.0.0.1 sslmode=verify-full` recipe works, and that the
# hardening refuses passwords, root and remote forwarding. Needs root and Debian's openssh-server, postgresql
# and openssl; it edits /etc/hosts for the run and restores it. Usage: npm run test:connect [-- TEMPLATE]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
template=${1:-$repo/test/snapshots/RdsStack-prod.template.json}
[ "$(id -u)" = 0 ] || { echo "connect: needs root (users, /etc/hosts, port 22)"; exit 2; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
for tool in /usr/sbin/sshd ssh ssh-keygen psql openssl "$pgbin/initdb"; do
  command -v "$tool" >/dev/null || { echo "connect: $tool missing: apt-get install -y openssh-server postgresql openssl"; exit 2; }
done
node=$( [ -x "$repo/node_modules/.bin/node" ] && echo "$repo/node_modules/.bin/node" || echo node )

endpoint=rdsstack-prod.c0abcdefgh12.eu-west-1.rds.amazonaws.com
bastion_ip=127.0.0.1
db_ip=127.0.0.3
operator=rdsstack-operator
work=$(mktemp -d /tmp/rdsstack-connect.XXXXXX)
chmod 755 "$work"
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok - $*"; }
fail() { failed=$((failed+1)); echo "not ok - $*"; }

render() { "$node" "$repo/test/e2e/render-output.js" "$template" "$@" --attr "Endpoint.Address=$endpoint" --ref "AWS::EC2::EIP=$bastion_ip"; }
tunnel_cmd=$(render BastionSshTunnelCommand)
psql_cmd=$(render PsqlCommand)
bastion_dns=$(sed -E 's/.*ec2-user@([^ ]+).*/\1/' <<<"$tunnel_cmd")
key_file=$(sed -E 's/^ssh -i ([^ ]+) .*/\1/' <<<"$tunnel_cmd")
echo "# tunnel: $tunnel_cmd"
echo "# psql:   $psql_cmd"

cp /etc/hosts "$work/hosts.orig"
cleanup() {
  set +e
  [ -n "${tunnel_pid:-}" ] && kill "$tunnel_pid" 2>/dev/null
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null
  [ -d "$work/pgdata" ] && su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -m fast stop" >/dev/null 2>&1
  cp "$work/hosts.orig" /etc/hosts
  if [ -f "$work/root_keys.orig" ]; then cp "$work/root_keys.orig" /root/.ssh/authorized_keys; elif [ -n "${root_keys_added:-}" ]; then rm -f /root/.ssh/authorized_keys; fi
  rm -rf "$work"
}
trap cleanup EXIT
printf '%s %s\n%s %s\n' "$bastion_ip" "$bastion_dns" "$db_ip" "$endpoint" >> /etc/hosts

# Users: the bastion's login user and a local operator (whose ~ the output commands refer to).
id ec2-user >/dev/null 2>&1 || useradd -m -s /bin/bash ec2-user
id "$operator" >/dev/null 2>&1 || useradd -m -s /bin/bash "$operator"
usermod -p '*' ec2-user   # no password, but not locked: key login only
home=$(getent passwd "$operator" | cut -d: -f6)
install -d -m 700 -o "$operator" "$home/.ssh"
install -d -m 700 -o ec2-user /home/ec2-user/.ssh

# The operator's key where BastionFetchKeyCommand would have written it.
key_path=${key_file/#\~/$home}
rm -f "$key_path" "$key_path.pub"
ssh-keygen -q -t ed25519 -N '' -f "$key_path"
chown "$operator" "$key_path" "$key_path.pub"
install -m 600 -o ec2-user "$key_path.pub" /home/ec2-user/.ssh/authorized_keys

# sshd with the bastion's own drop-in, included first as on Amazon Linux 2023.
mkdir -p /run/sshd "$work/sshd_config.d"
render --user-data | sed -n "/<<'SSHD'/,/^SSHD\$/p" | sed '1d;$d' > "$work/sshd_config.d/10-rdsstack.conf"
grep -q '^PasswordAuthentication no$' "$work/sshd_config.d/10-rdsstack.conf" && ok "user data writes the sshd hardening drop-in" || fail "user data has no sshd drop-in"
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
cat > "$work/sshd_config" <<CONF
Include $work/sshd_config.d/*.conf
Port 22
ListenAddress $bastion_ip
HostKey $work/host_ed25519
PidFile $work/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
CONF
if /usr/sbin/sshd -t -f "$work/sshd_config"; then ok "sshd accepts the bastion's configuration"; else fail "sshd rejects the configuration"; exit 1; fi
/usr/sbin/sshd -f "$work/sshd_config" -E "$work/sshd.log"
echo "$bastion_dns $(cut -d' ' -f1,2 "$work/host_ed25519.pub")" > "$home/.ssh/known_hosts"
chown "$operator" "$home/.ssh/known_hosts"

# PostgreSQL: TLS only (the rds.force_ssl=1 equivalent), certificate for the endpoint name.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test RDS CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=$endpoint" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$endpoint" > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
chown postgres "$work/server.key" "$work/server.pem"; chmod 600 "$work/server.key"
install -m 644 -o "$operator" "$work/ca.pem" "$home/eu-west-1-bundle.pem"
password=$(openssl rand -hex 16)
echo "$password" > "$work/pw"; chown postgres "$work/pw"
install -d -m 700 -o postgres "$work/pgdata"
su postgres -s /bin/sh -c "$pgbin/initdb -D $work/pgdata -U dbadmin --pwfile=$work/pw --auth=scram-sha-256 >/dev/null"
cat >> "$work/pgdata/postgresql.conf" <<CONF
listen_addresses = '$db_ip'
port = 5432
unix_socket_directories = ''
ssl = on
ssl_cert_file = '$work/server.pem'
ssl_key_file = '$work/server.key'
ssl_min_protocol_version = 'TLSv1.2'
CONF
echo "hostssl all all 127.0.0.0/8 scram-sha-256" > "$work/pgdata/pg_hba.conf"
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -l $work/pgdata/server.log -w start >/dev/null"
PGPASSWORD=$password psql "host=$db_ip user=dbadmin dbname=postgres sslmode=require" -qc "create database app"

# The stack's tunnel command, run by the operator.
su - "$operator" -c "$tunnel_cmd" 2>/dev/null & tunnel_pid=$!
for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 0.2; done
if (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then ok "BastionSshTunnelCommand opens localhost:5432 through sshd"; else fail "the tunnel did not open"; cat "$work/sshd.log"; exit 1; fi

# The stack's psql command through the tunnel, certificate verified against the endpoint name.
result=$(su - "$operator" -c "PGPASSWORD=$password $psql_cmd -tAc \"select ssl, version from pg_stat_ssl where pid = pg_backend_pid()\"" 2>&1) || true
if [[ "$result" =~ ^t\|TLSv1\.[23]$ ]]; then ok "PsqlCommand connects with sslmode=verify-full through the tunnel ($result)"; else fail "PsqlCommand failed: $result"; fi

wrong=${psql_cmd/host=$endpoint/host=not-the-endpoint.example.com}
if su - "$operator" -c "PGPASSWORD=$password $wrong -tAc 'select 1'" >/dev/null 2>&1; then fail "a wrong host name was accepted"; else ok "verify-full refuses a certificate for another name"; fi

plain=${psql_cmd/sslmode=verify-full/sslmode=disable}
if su - "$operator" -c "PGPASSWORD=$password $plain -tAc 'select 1'" >/dev/null 2>&1; then fail "a connection without TLS was accepted"; else ok "sslmode=disable gets no session from a TLS-only server (hostssl, like rds.force_ssl=1)"; fi

ssh_base="ssh -o BatchMode=yes -o ConnectTimeout=5"
if su - "$operator" -c "$ssh_base -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive ec2-user@$bastion_dns true" >/dev/null 2>&1; then fail "password login possible"; else ok "sshd offers no password login"; fi
# Give root the operator's key for this check only: PermitRootLogin no must refuse it anyway.
install -d -m 700 /root/.ssh
[ -f /root/.ssh/authorized_keys ] && cp /root/.ssh/authorized_keys "$work/root_keys.orig"
cat "$key_path.pub" >> /root/.ssh/authorized_keys; root_keys_added=1
if su - "$operator" -c "$ssh_base -i $key_file root@$bastion_dns true" >/dev/null 2>&1; then fail "root login possible"; else ok "sshd refuses root"; fi
# With remote forwarding allowed, "ssh -N -R" would stay connected: give it 10 seconds.
if timeout 10 su - "$operator" -c "$ssh_base -i $key_file -o ExitOnForwardFailure=yes -N -R 16000:127.0.0.1:22 ec2-user@$bastion_dns" >/dev/null 2>&1; then
  fail "remote forwarding allowed"
elif [ $? -eq 124 ]; then fail "remote forwarding allowed (the session stayed up)"; else ok "sshd refuses remote forwarding (local forwarding only)"; fi

# PermitOpen: the bastion forwards to the database endpoint only. Forward a local port to the bastion's own
# sshd (127.0.0.1:22 seen from the bastion) and read: an allowed forward returns the SSH banner.
su - "$operator" -c "$ssh_base -i $key_file -N -L 15433:127.0.0.1:22 ec2-user@$bastion_dns" 2>/dev/null & forward_pid=$!
for _ in $(seq 1 25); do (echo > /dev/tcp/127.0.0.1/15433) 2>/dev/null && break; sleep 0.2; done
banner=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/15433; head -c 3 <&3' 2>/dev/null || true)
kill "$forward_pid" 2>/dev/null || true
if [ "$banner" = "SSH" ]; then fail "the bastion forwards to hosts other than the database"; else ok "sshd forwards only to <db endpoint>:5432 (PermitOpen)"; fi

echo "connect: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
