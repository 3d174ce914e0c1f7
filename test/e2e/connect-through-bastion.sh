#!/usr/bin/env bash
# End-to-end check of "Connect to a database" and of the tunnel-only bastion, on this machine, with real OpenSSH and
# PostgreSQL:
#   - an sshd configured with the exact drop-in the bastion's user data writes (from the template), and the named
#     operators' logins created by the user data's own "operators" section (keys in a root-owned directory),
#   - the host keys published by the user data's "host-keys" section and trusted through the stack's
#     BastionKnownHostsCommand (a stand-in `aws` keeps the parameter in a file),
#   - a PostgreSQL that, like RDS with rds.force_ssl=1, accepts only TLS, with a certificate for an RDS-style
#     endpoint name, signed by a CA given to the client as eu-west-1-bundle.pem,
#   - the stack's own BastionSshTunnelCommand and PsqlCommand outputs, run as the first named operator (the
#     stand-in `aws` returns the database password as the IAM token).
# It proves the personal login tunnels, and that the bastion refuses: a shell command, a TTY, sudo, forwarding to
# another host or port, remote forwarding, another person's key, logins not listed, passwords and root.
# Needs root and Debian's openssh-server, postgresql and openssl; it edits /etc/hosts and adds users for the run and
# restores both. Ports: sshd 127.0.0.1:22, PostgreSQL 127.0.0.3:5432, tunnel 127.0.0.1:5432.
# Usage: npm run test:connect [-- TEMPLATE]   (default: the dev snapshot, which lists named operators)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
template=${1:-$repo/test/snapshots/RdsStack-dev.template.json}
[ "$(id -u)" = 0 ] || { echo "connect: needs root (users, /etc/hosts, port 22)"; exit 2; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
for tool in /usr/sbin/sshd ssh ssh-keygen psql openssl "$pgbin/initdb"; do
  command -v "$tool" >/dev/null || { echo "connect: $tool missing: apt-get install -y openssh-server postgresql openssl"; exit 2; }
done
node=$( [ -x "$repo/node_modules/.bin/node" ] && echo "$repo/node_modules/.bin/node" || echo node )

endpoint=rdsstack-e2e-i8.c0abcdefgh12.eu-west-1.rds.amazonaws.com
bastion_ip=127.0.0.1
db_ip=127.0.0.3
laptop=rdsstack-operator                 # the operator's own machine account
keys_dir=/etc/ssh/rdsstack-e2e-keys      # stands in for the bastion's /etc/ssh/authorized_keys
work=$(mktemp -d /tmp/rdsstack-connect.XXXXXX)
chmod 755 "$work"
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok - $*"; }
fail() { failed=$((failed+1)); echo "not ok - $*"; }

render() { "$node" "$repo/test/e2e/render-output.js" "$template" "$@" --attr "Endpoint.Address=$endpoint" --ref "AWS::EC2::EIP=$bastion_ip" --ref "AWS::EC2::Instance=i-0123456789abcdef0" --ref "AWS::SSM::Document=RdsStack-e2e-TunnelDocument"; }
section() { render --user-data | sed -n "/^# rdsstack:$1:start\$/,/^# rdsstack:$1:end\$/p"; }
login=$("$node" -e 'const t=require(process.argv[1]);const i=Object.values(t.Resources).find(r=>r.Type==="AWS::EC2::Instance");const o=(i.Metadata||{})["RdsStack::Operators"]||[];if(!o.length)process.exit(3);console.log(o[0].name+" "+(o[1]?o[1].name:""))' "$template") \
  || { echo "connect: $template lists no named operators (RdsStack::Operators metadata)"; exit 2; }
read -r login other_login <<<"$login"
committed_key=$("$node" -e 'const t=require(process.argv[1]);const i=Object.values(t.Resources).find(r=>r.Type==="AWS::EC2::Instance");console.log(i.Metadata["RdsStack::Operators"][0].publicKey)' "$template")
tunnel_cmd=$(render BastionSshTunnelCommand); tunnel_cmd=${tunnel_cmd//YOUR_OPERATOR_NAME/$login}
psql_cmd=$(render PsqlCommand); psql_cmd=${psql_cmd//YOUR_OPERATOR_NAME/$login}
known_hosts_cmd=$(render BastionKnownHostsCommand)
fingerprints_cmd=$(render BastionHostKeyFingerprintsCommand)
bastion_dns=$(sed -E 's/.*@([^ ]+)$/\1/' <<<"$tunnel_cmd")
key_file=$(sed -E 's/^ssh -i ([^ ]+) .*/\1/' <<<"$tunnel_cmd")
echo "# login:  $login (other listed login: ${other_login:-none})"
echo "# tunnel: $tunnel_cmd"
echo "# psql:   $psql_cmd"

cp /etc/hosts "$work/hosts.orig"
created_users=()
cleanup() {
  set +e
  [ -n "${tunnel_pid:-}" ] && kill "$tunnel_pid" 2>/dev/null
  [ -f "$work/sshd.pid" ] && kill "$(cat "$work/sshd.pid")" 2>/dev/null
  [ -d "$work/pgdata" ] && su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pgdata -m fast stop" >/dev/null 2>&1
  cp "$work/hosts.orig" /etc/hosts
  if [ -f "$work/root_keys.orig" ]; then cp "$work/root_keys.orig" /root/.ssh/authorized_keys; elif [ -n "${root_keys_added:-}" ]; then rm -f /root/.ssh/authorized_keys; fi
  for user in "${created_users[@]}"; do userdel -r "$user" >/dev/null 2>&1; done
  rm -rf "$keys_dir" "$work"
}
trap cleanup EXIT
printf '%s %s\n%s %s\n' "$bastion_ip" "$bastion_dns" "$db_ip" "$endpoint" >> /etc/hosts

# The operator's laptop account with their own key (its public half replaces the committed one for this run).
id "$laptop" >/dev/null 2>&1 || { useradd -m -s /bin/bash "$laptop"; created_users+=("$laptop"); }
home=$(getent passwd "$laptop" | cut -d: -f6)
install -d -m 700 -o "$laptop" "$home/.ssh"
key_path=${key_file/#\~/$home}
rm -f "$key_path" "$key_path.pub" "$home/.ssh/known_hosts"
ssh-keygen -q -t ed25519 -N '' -f "$key_path"
chown "$laptop" "$key_path" "$key_path.pub"
test_key=$(cut -d' ' -f1,2 "$key_path.pub")

# A stand-in for the AWS CLI: SSM parameters in files, and the database password as the IAM auth token.
install -d -m 755 "$work/bin" "$work/ssm"
cat > "$work/bin/aws" <<AWS
#!/bin/bash
args="\$*"
name=\$(sed -E 's/.*--name ([^ ]+).*/\1/' <<<"\$args" | head -n 1 | tr / _)
case "\$args" in
  "ssm put-parameter"*) value=\${args#*--value }; printf '%s\n' "\$value" > "$work/ssm/\$name" ;;
  "ssm get-parameter"*) cat "$work/ssm/\$name" ;;
  "rds generate-db-auth-token"*) [[ "\$args" == *"--hostname $endpoint --port 5432 --username $login"* ]] && cat "$work/token" ;;
  *) echo "aws stand-in: unexpected \$args" >&2; exit 1 ;;
esac
AWS
chmod 755 "$work/bin/aws"

# The user data's own sections: the sshd drop-in and the operators' logins, pointed at this run's key directory.
mkdir -p /run/sshd "$work/sshd_config.d"
section sshd | sed -n "/<<'SSHD'/,/^SSHD\$/p" | sed '1d;$d' | sed "s#/etc/ssh/authorized_keys#$keys_dir#" > "$work/sshd_config.d/10-rdsstack.conf"
grep -q '^ForceCommand /sbin/nologin$' "$work/sshd_config.d/10-rdsstack.conf" && ok "user data writes the tunnel-only sshd drop-in" || fail "user data has no tunnel-only sshd drop-in"
for user in $login $other_login; do id "$user" >/dev/null 2>&1 || created_users+=("$user"); done
section operators | sed "s#/etc/ssh/authorized_keys#$keys_dir#g" | sed "s#$committed_key#$test_key#" > "$work/operators.sh"
grep -q "$test_key $login'" "$work/operators.sh" || { fail "could not put the test key in place of $login's committed key"; exit 1; }
bash -euo pipefail "$work/operators.sh"
[ "$(stat -c '%U %a' "$keys_dir/$login")" = "root 644" ] && ok "$login's authorized key is root-owned (the login cannot change it)" || fail "$login's key file is not root-owned 644"
[ "$(getent passwd "$login" | cut -d: -f7)" = /sbin/nologin ] && ok "$login has no shell (/sbin/nologin)" || fail "$login has a shell"

# sshd with that drop-in included first, as on Amazon Linux 2023; host keys where the user data looks for them.
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh_host_ed25519_key"
ssh-keygen -q -t ecdsa -N '' -f "$work/ssh_host_ecdsa_key"
cat > "$work/sshd_config" <<CONF
Include $work/sshd_config.d/*.conf
Port 22
ListenAddress $bastion_ip
HostKey $work/ssh_host_ed25519_key
HostKey $work/ssh_host_ecdsa_key
PidFile $work/sshd.pid
UsePAM no
CONF
if /usr/sbin/sshd -t -f "$work/sshd_config"; then ok "sshd accepts the bastion's configuration"; else fail "sshd rejects the configuration"; exit 1; fi
effective=$(/usr/sbin/sshd -T -f "$work/sshd_config" -C "user=$login,host=laptop,addr=203.0.113.7")
for setting in "permittty no" "forcecommand /sbin/nologin" "allowagentforwarding no" "x11forwarding no" "allowtcpforwarding local" "permitopen $endpoint:5432" "allowstreamlocalforwarding no" "permittunnel no" "authorizedkeyscommand none"; do
  grep -qx "$setting" <<<"$effective" && ok "effective sshd setting for $login: $setting" || fail "effective sshd setting for $login is not '$setting'"
done
/usr/sbin/sshd -f "$work/sshd_config" -E "$work/sshd.log"

# Host keys: published by the user data's own section, trusted through the stack's BastionKnownHostsCommand.
section host-keys | sed "s#/etc/ssh/ssh_host_#$work/ssh_host_#" > "$work/host-keys.sh"
PATH="$work/bin:$PATH" bash -euo pipefail "$work/host-keys.sh"
published=$(cat "$work/ssm/"*bastion_host-keys)
[ "$published" = "$(cut -d' ' -f1,2 "$work/ssh_host_ecdsa_key.pub")"$'\n'"$(cut -d' ' -f1,2 "$work/ssh_host_ed25519_key.pub")" ] \
  && ok "the host-keys parameter holds one '<type> <base64>' line per host key" || fail "published host keys: $published"
su - "$laptop" -c "PATH=$work/bin:\$PATH; $known_hosts_cmd"
shown=$(su - "$laptop" -c "PATH=$work/bin:\$PATH; $fingerprints_cmd" | awk '{print $2}' | sort)
[ "$shown" = "$(for f in "$work"/ssh_host_*_key.pub; do ssh-keygen -lf "$f" | awk '{print $2}'; done | sort)" ] \
  && ok "BastionHostKeyFingerprintsCommand prints the real host key fingerprints" || fail "fingerprints differ: $shown"

# PostgreSQL: TLS only (the rds.force_ssl=1 equivalent), certificate for the endpoint name; the operator's own user.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test RDS CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=$endpoint" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$endpoint" > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
chown postgres "$work/server.key" "$work/server.pem"; chmod 600 "$work/server.key"
install -m 644 -o "$laptop" "$work/ca.pem" "$home/eu-west-1-bundle.pem"
password=$(openssl rand -hex 16)
openssl rand -hex 24 > "$work/token"; chmod 644 "$work/token"
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
PGPASSWORD=$password psql "host=$db_ip user=dbadmin dbname=postgres sslmode=require" -qc "create database app" -c "create role $login login password '$(cat "$work/token")'"

# The stack's tunnel command, run by the operator as their own login, with the host key checked strictly.
ssh_base="ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=yes"
su - "$laptop" -c "${tunnel_cmd/ssh /$ssh_base }" 2>"$work/tunnel.err" & tunnel_pid=$!
for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 0.2; done
if (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then ok "BastionSshTunnelCommand as $login opens localhost:5432 (host key from the published parameter)"; else fail "the tunnel did not open: $(cat "$work/tunnel.err")"; cat "$work/sshd.log"; exit 1; fi

# The stack's psql command through the tunnel, certificate verified against the endpoint name, as the operator's own user.
result=$(su - "$laptop" -c "PATH=$work/bin:\$PATH; $psql_cmd -tAc \"select current_user, ssl, version from pg_stat_ssl join pg_stat_activity using (pid) where pid = pg_backend_pid()\"" 2>&1) || true
if [[ "$result" =~ ^$login\|t\|TLSv1\.[23]$ ]]; then ok "PsqlCommand connects as $login with sslmode=verify-full through the tunnel ($result)"; else fail "PsqlCommand failed: $result"; fi

wrong=${psql_cmd/host=$endpoint /host=not-the-endpoint.example.com }
if su - "$laptop" -c "PATH=$work/bin:\$PATH; $wrong -tAc 'select 1'" >/dev/null 2>&1; then fail "a wrong host name was accepted"; else ok "verify-full refuses a certificate for another name"; fi
plain=${psql_cmd/sslmode=verify-full/sslmode=disable}
if su - "$laptop" -c "PATH=$work/bin:\$PATH; $plain -tAc 'select 1'" >/dev/null 2>&1; then fail "a connection without TLS was accepted"; else ok "sslmode=disable gets no session from a TLS-only server (hostssl, like rds.force_ssl=1)"; fi

as_operator() { su - "$laptop" -c "$ssh_base -i $key_file $*" 2>&1; }
out=$(as_operator "$login@$bastion_dns id" </dev/null) || true
if [[ "$out" == *"uid="* ]]; then fail "a shell command ran: $out"; else ok "a shell command is refused (ForceCommand /sbin/nologin: ${out//$'\n'/ })"; fi
out=$(as_operator "-tt $login@$bastion_dns" </dev/null) || true
if [[ "$out" == *"PTY allocation request failed"* && "$out" != *"uid="* ]]; then ok "a TTY is refused (PermitTTY no)"; else fail "a TTY was granted: $out"; fi
out=$(as_operator "$login@$bastion_dns sudo -n id" </dev/null) || true
if [[ "$out" == *"uid=0"* ]]; then fail "sudo ran: $out"; else ok "sudo is refused (no command runs; $login is in no sudoers entry or admin group: $(id -nG "$login"))"; fi
if command -v sudo >/dev/null; then sudo -l -U "$login" 2>&1 | grep -q "not allowed" && ok "sudo -l: $login may run nothing" || fail "sudo -l grants $login something"; fi

# PermitOpen: forwarding to anything but <endpoint>:5432 is refused ("administratively prohibited").
forward_check() { # $1 = forward spec, $2 = what it is
  su - "$laptop" -c "$ssh_base -i $key_file -N -L $1 $login@$bastion_dns" 2>"$work/forward.err" & local pid=$!
  local port=${1%%:*}
  for _ in $(seq 1 25); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  local banner; banner=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; head -c 3 <&3" 2>/dev/null || true)
  sleep 0.5; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -z "$banner" ] && grep -q "administratively prohibited" "$work/forward.err"; then ok "forwarding to $2 is refused"; else fail "forwarding to $2 was allowed (banner '$banner')"; fi
}
forward_check "15433:127.0.0.1:22" "another host (the bastion's own sshd)"
forward_check "15434:$endpoint:22" "another port of the database host"
if timeout 10 su - "$laptop" -c "$ssh_base -i $key_file -o ExitOnForwardFailure=yes -N -R 16000:127.0.0.1:22 $login@$bastion_dns" >/dev/null 2>&1; then
  fail "remote forwarding allowed"
elif [ $? -eq 124 ]; then fail "remote forwarding allowed (the session stayed up)"; else ok "remote forwarding is refused (local forwarding only)"; fi
out=$(as_operator "-A -o ForwardX11=yes $login@$bastion_dns true" </dev/null) || true
[[ "$out" != *"uid="* ]] && grep -qx "allowagentforwarding no" <<<"$effective" && ok "agent and X11 forwarding are off for $login" || fail "agent/X11 forwarding: $out"

# Only listed people, each with only their own key.
if [ -n "$other_login" ]; then
  if timeout 10 su - "$laptop" -c "$ssh_base -i $key_file -N $other_login@$bastion_dns" >/dev/null 2>&1; then fail "$login's key opened $other_login's login"; else ok "$login's key does not open $other_login's login"; fi
fi
id ec2-user >/dev/null 2>&1 || { useradd -m -s /bin/bash ec2-user; created_users+=(ec2-user); }
install -d -m 700 -o ec2-user /home/ec2-user/.ssh
cp /home/ec2-user/.ssh/authorized_keys "$work/ec2_keys.orig" 2>/dev/null || true
install -m 600 -o ec2-user "$key_path.pub" /home/ec2-user/.ssh/authorized_keys
if timeout 10 su - "$laptop" -c "$ssh_base -i $key_file -N ec2-user@$bastion_dns" >/dev/null 2>&1; then fail "an unlisted login (ec2-user) was admitted"; else ok "an unlisted login (ec2-user) is refused (AllowUsers)"; fi
if [ -f "$work/ec2_keys.orig" ]; then cp "$work/ec2_keys.orig" /home/ec2-user/.ssh/authorized_keys; else rm -f /home/ec2-user/.ssh/authorized_keys; fi
if su - "$laptop" -c "$ssh_base -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive $login@$bastion_dns true" >/dev/null 2>&1; then fail "password login possible"; else ok "sshd offers no password login"; fi
install -d -m 700 /root/.ssh
[ -f /root/.ssh/authorized_keys ] && cp /root/.ssh/authorized_keys "$work/root_keys.orig"
cat "$key_path.pub" >> /root/.ssh/authorized_keys; root_keys_added=1
if timeout 10 su - "$laptop" -c "$ssh_base -i $key_file -N root@$bastion_dns" >/dev/null 2>&1; then fail "root login possible"; else ok "sshd refuses root"; fi

echo "connect: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
