#!/usr/bin/env bash
# Install and run a REAL NetBox (PyPI package `netbox`) for tests and demos.
#
#   netbox.sh install   build the Debian 13 root with NetBox in the cache (idempotent)
#   netbox.sh start     install if needed, start PostgreSQL, Redis, NetBox; write netbox.env
#   netbox.sh stop      stop what `start` started
#   netbox.sh status    print what runs and the URL
#   netbox.sh reset     empty NetBox database (from a migrated template), same admin/tokens
#   netbox.sh manage …  run a NetBox management command (e.g. `manage nbshell`)
#
# Why a chroot: NetBox 4.7 needs Python >= 3.12 (and PostgreSQL >= 15, Redis); the host is
# Debian 12 with Python 3.11. A `debootstrap --variant=minbase trixie`
# root gives Python 3.13, PostgreSQL 17 and Redis 8 from Debian's own mirror, which is
# reachable here, without touching the host's packages. Everything runs as root on the host;
# the servers run inside the root via `chroot`, PostgreSQL and Redis as their own users.
# All servers listen on 127.0.0.1 only.
#
# See README.md beside this file for the env file format and measured timings.
set -euo pipefail
shopt -s inherit_errexit   # errexit inside $(...) as well

# ---------------------------------------------------------------------------------------
# Settings (all overridable through the environment)
# ---------------------------------------------------------------------------------------
NETBOX_VERSION="${NETBOX_VERSION:-4.7.3}"
CACHE_DIR="${BM_CACHE_DIR:-/var/cache/bm-pipeline}"
STATE_DIR="${BM_STATE_DIR:-/var/tmp/bm-pipeline}"
NETBOX_PORT="${NETBOX_PORT:-58080}"
NETBOX_PG_PORT="${NETBOX_PG_PORT:-55432}"
NETBOX_REDIS_PORT="${NETBOX_REDIS_PORT:-56379}"
NETBOX_WORKERS="${NETBOX_WORKERS:-3}"          # 2-core machine: 3 workers x 2 threads
NETBOX_ADMIN_USER="${NETBOX_ADMIN_USER:-admin}"
DEBIAN_SUITE="${NETBOX_DEBIAN_SUITE:-trixie}"
DEBIAN_MIRROR="${NETBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# The root is keyed by the NetBox version: changing NETBOX_VERSION builds a new root (and a
# new, empty database cluster inside it) and never mixes versions.
ROOT="$CACHE_DIR/netbox-$NETBOX_VERSION"
BUILD="$CACHE_DIR/.netbox-$NETBOX_VERSION.building"   # renamed to $ROOT when complete
MARKER=".bm-netbox-complete"                           # inside the root, belt and braces

NB_STATE="$STATE_DIR/netbox"       # secrets, logs, pid files of this testbed
LOG_DIR="$NB_STATE/logs"
RUN_DIR="$NB_STATE/run"
SECRETS="$NB_STATE/secrets.env"
ENV_FILE="$STATE_DIR/netbox.env"
URL="http://127.0.0.1:$NETBOX_PORT"

# Paths inside the root.
NB_HOME=/opt/netbox                 # NETBOX_ROOT of the pip-installed NetBox (conf/, static/, media/)
VENV=$NB_HOME/venv
DB_NAME=netbox
DB_TEMPLATE=netbox_template         # migrated once; `reset` copies it (seconds instead of minutes)
DB_USER=netbox
TOKEN_DESC_V1="bm-pipeline testbed v1"
TOKEN_DESC_V2="bm-pipeline testbed v2"

APT_PACKAGES=(python3 python3-venv python3-dev postgresql redis-server build-essential libpq-dev
              libxml2-dev libxslt1-dev libffi-dev libssl-dev zlib1g-dev ca-certificates)

# ---------------------------------------------------------------------------------------
# Output, timing, steps
# ---------------------------------------------------------------------------------------
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%ds' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }
say() { printf '[netbox %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

show_log_tail() {   # show_log_tail FILE: the evidence a failed step leaves behind
  local log=$1
  [[ -s $log ]] || return 0
  echo "----- last 40 lines of $log -----" >&2
  tail -n 40 "$log" >&2
  echo "-----" >&2
}

# step NAME LOG CMD...: run CMD with its output appended to LOG; print a timed progress line,
# or on failure which step failed plus the tail of LOG. CMD runs in a subshell with `set -e`
# re-enabled: a function called as an `if` condition would otherwise run with errexit
# silently off. Consequence: steps cannot set variables for the caller (they use files).
step() {
  local name=$1 log=$2; shift 2
  local t0 rc
  t0=$(now_ms)
  say "$name ..."
  printf '\n===== %s %s\n' "$(date -Is)" "$name" >>"$log"
  set +e
  ( set -e; "$@" ) >>"$log" 2>&1 </dev/null
  rc=$?
  set -e
  if (( rc != 0 )); then
    say "FAILED: $name (exit $rc after $(since "$t0"))" >&2
    show_log_tail "$log"
    exit "$rc"
  fi
  say "$name: done in $(since "$t0")"
}

# ---------------------------------------------------------------------------------------
# Mounts: only apt/pip inside the root need /proc; servers and Django run without it. The
# EXIT trap unmounts everything below the root and the build dir, so an interrupted run
# never leaves mounts behind.
# ---------------------------------------------------------------------------------------
mounts_under() {   # mount points below $1, deepest first
  local base=$1
  awk '{print $2}' /proc/mounts | while read -r mp; do
    if [[ $mp == "$base" || $mp == "$base"/* ]]; then echo "$mp"; fi
  done | sort -r
}

unmount_under() {
  local base mp
  for base in "$@"; do
    [[ -d $base ]] || continue
    while read -r mp; do
      [[ -n $mp ]] || continue
      umount "$mp" 2>/dev/null || umount -l "$mp" || true
    done < <(mounts_under "$base")
  done
}

cleanup() { unmount_under "$BUILD" "$ROOT"; }

mount_proc() {   # mount_proc ROOTDIR
  mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"
}

# ---------------------------------------------------------------------------------------
# Running things inside the root
# ---------------------------------------------------------------------------------------
# A clean environment: nothing of the host's (PIP_FIND_LINKS, JAVA_HOME, …) leaks in.
root_env() {
  local home=${1:-/root}
  echo "PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  echo "HOME=$home"
  echo "LANG=C.UTF-8"
  echo "LC_ALL=C.UTF-8"
  echo "TZ=UTC"
  echo "NETBOX_ROOT=$NB_HOME"
  echo "DEBIAN_FRONTEND=noninteractive"
  # Proxies, if the host uses any, apply to apt and pip inside as well.
  local v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [[ -n ${!v:-} ]] && echo "$v=${!v}"
  done
  return 0
}

# in_root ROOTDIR CMD...: run CMD as root inside ROOTDIR
in_root() {
  local dir=$1; shift
  local -a envv
  mapfile -t envv < <(root_env)
  chroot "$dir" /usr/bin/env -i "${envv[@]}" "$@"
}

# as_user ROOTDIR USER CMD...: run CMD as USER inside ROOTDIR. Numeric ids from the root's
# own passwd (the host's ids differ); chroot execs, so a backgrounded call's $! is CMD's pid.
as_user() {
  local dir=$1 user=$2; shift 2
  local ids home
  ids=$(awk -F: -v u="$user" '$1 == u { print $3 ":" $4 }' "$dir/etc/passwd")
  home=$(awk -F: -v u="$user" '$1 == u { print $6 }' "$dir/etc/passwd")
  [[ -n $ids ]] || die "no user $user in $dir"
  local -a envv
  mapfile -t envv < <(root_env "$home")
  chroot --userspec="$ids" --groups="${ids#*:}" "$dir" /usr/bin/env -i "${envv[@]}" "$@"
}

netbox_cmd() { in_root "$ROOT" "$VENV/bin/netbox" "$@"; }   # NetBox's manage.py

pg_version() { ls "$ROOT/usr/lib/postgresql" | sort -V | tail -n 1; }
psql_admin() {   # psql_admin SQL...: run as the postgres superuser over the unix socket
  as_user "$ROOT" postgres psql -h /run/postgresql -p "$NETBOX_PG_PORT" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# ---------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------
ensure_debootstrap() {
  command -v debootstrap >/dev/null && return 0
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
}

# The host's pip reaches its package index through settings we must carry into the root
# (index URLs, trusted hosts, the CA bundle, timeouts, proxy) — but not local caps such
# as find-links or constraints, which point at host paths or pin host versions.
write_pip_conf() {
  local dir=$1 line key val
  declare -A cfg=()
  local pip_cmd=()
  if command -v pip3 >/dev/null; then pip_cmd=(pip3)
  elif command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
  fi
  if (( ${#pip_cmd[@]} )); then
    # Lines look like  global.index-url='https://…'  or  :env:.cert='/etc/…'
    while IFS= read -r line; do
      key=${line%%=*}; key=${key##*.}
      val=${line#*=}; val=${val#\'}; val=${val%\'}
      case $key in
        index-url|extra-index-url|trusted-host|cert|timeout|default-timeout|retries|proxy) cfg[$key]=$val ;;
      esac
    done < <("${pip_cmd[@]}" config list 2>/dev/null || true)
  fi
  # PIP_* variables win over files, as they do for pip itself.
  local v
  for v in INDEX_URL EXTRA_INDEX_URL TRUSTED_HOST CERT TIMEOUT DEFAULT_TIMEOUT RETRIES PROXY; do
    local var="PIP_$v"
    if [[ -n ${!var:-} ]]; then key=${v,,}; cfg[${key//_/-}]=${!var}; fi
  done
  if [[ -n ${cfg[default-timeout]:-} && -z ${cfg[timeout]:-} ]]; then cfg[timeout]=${cfg[default-timeout]}; fi
  unset 'cfg[default-timeout]'
  # The host's CA bundle may hold a CA that the index's TLS needs: copy it in.
  if [[ -n ${cfg[cert]:-} && -f ${cfg[cert]} ]]; then
    mkdir -p "$dir/usr/local/share/bm-pipeline"
    cp "${cfg[cert]}" "$dir/usr/local/share/bm-pipeline/host-ca-bundle.crt"
    cfg[cert]=/usr/local/share/bm-pipeline/host-ca-bundle.crt
  else
    unset 'cfg[cert]'
  fi
  {
    echo "# Written by bm-pipeline testbed/netbox/netbox.sh: the host's pip index settings."
    echo "[global]"
    echo "disable-pip-version-check = true"
    for key in "${!cfg[@]}"; do echo "$key = ${cfg[$key]}"; done
  } >"$dir/etc/pip.conf"
  cat "$dir/etc/pip.conf"
}

configure_root() {
  local dir=$1
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
  # Packages must not start services inside the root (postinst of postgresql/redis would).
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR $DEBIAN_SUITE main
deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$dir/etc/apt/apt.conf.d/90bm-pipeline"
  write_pip_conf "$dir"
}

apt_install() {
  local dir=$1
  in_root "$dir" apt-get update -q
  in_root "$dir" apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
  in_root "$dir" apt-get clean
  # The postgresql package creates the cluster `main`; make sure it exists.
  local v; v=$(ls "$dir/usr/lib/postgresql" | sort -V | tail -n 1)
  [[ -f $dir/var/lib/postgresql/$v/main/PG_VERSION ]] || in_root "$dir" pg_createcluster "$v" main
  in_root "$dir" python3 --version
}

pip_install() {
  local dir=$1
  in_root "$dir" python3 -m venv "$VENV"
  # gunicorn is the WSGI server; whitenoise serves /static/ from inside the WSGI app, so the
  # UI works without nginx/apache in front.
  in_root "$dir" "$VENV/bin/pip" install "netbox==$NETBOX_VERSION" gunicorn whitenoise
  in_root "$dir" "$VENV/bin/netbox" version
  mkdir -p "$dir$NB_HOME"/{conf,media,scripts,reports,static}
  touch "$dir$NB_HOME/conf/__init__.py"
}

cmd_install() {
  if [[ -f $ROOT/$MARKER ]]; then
    say "NetBox $NETBOX_VERSION is installed in $ROOT"
    return 0
  fi
  local t0; t0=$(now_ms)
  mkdir -p "$CACHE_DIR" "$LOG_DIR"
  local log="$LOG_DIR/install.log"
  say "installing NetBox $NETBOX_VERSION into $ROOT (log: $log)"
  # A root without the marker was never completed (or was damaged): rebuild it.
  if [[ -e $ROOT ]]; then unmount_under "$ROOT"; rm -rf "$ROOT"; fi
  # Leftovers of an interrupted build are thrown away, never reused.
  unmount_under "$BUILD"; rm -rf "$BUILD"
  step "install debootstrap (if missing)" "$log" ensure_debootstrap
  step "debootstrap --variant=minbase $DEBIAN_SUITE" "$log" \
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$BUILD" "$DEBIAN_MIRROR"
  step "configure the root (apt, dns, pip index)" "$log" configure_root "$BUILD"
  mount_proc "$BUILD"
  step "apt-get install python3, postgresql, redis, build tools" "$log" apt_install "$BUILD"
  step "pip install netbox==$NETBOX_VERSION gunicorn whitenoise" "$log" pip_install "$BUILD"
  unmount_under "$BUILD"
  echo "netbox=$NETBOX_VERSION built=$(date -Is)" >"$BUILD/$MARKER"
  mv "$BUILD" "$ROOT"
  say "installed NetBox $NETBOX_VERSION in $(since "$t0"): $ROOT ($(du -sh "$ROOT" | cut -f1))"
}

# ---------------------------------------------------------------------------------------
# Secrets: generated once, kept in the state dir, so tokens and password survive restarts.
# The database may outlive them (it is in the cache) — `start` re-syncs admin and tokens.
# ---------------------------------------------------------------------------------------
rand_alnum() { ( set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1" ); }
rand_hex() { od -An -tx1 -N"$(( $1 / 2 ))" /dev/urandom | tr -d ' \n'; }

ensure_secrets() {
  mkdir -p "$NB_STATE"
  touch "$SECRETS"; chmod 600 "$SECRETS"
  # Only the file counts: a same-named variable in the caller's environment must not win.
  unset SECRET_KEY API_TOKEN_PEPPER DB_PASSWORD ADMIN_PASSWORD TOKEN_V1 TOKEN_V2_KEY TOKEN_V2_SECRET
  # shellcheck disable=SC1090
  source "$SECRETS"
  local changed=0
  add_secret() { if [[ -z ${!1:-} ]]; then printf -v "$1" '%s' "$2"; echo "$1=${!1}" >>"$SECRETS"; changed=1; fi; }
  add_secret SECRET_KEY "$(rand_alnum 60)"        # Django wants >= 50 characters
  add_secret API_TOKEN_PEPPER "$(rand_alnum 64)"  # v2 tokens: HMAC pepper, >= 50 characters
  add_secret DB_PASSWORD "$(rand_alnum 32)"
  add_secret ADMIN_PASSWORD "$(rand_alnum 24)"
  add_secret TOKEN_V1 "$(rand_hex 40)"            # v1: 40 hex, sent as "Token <v1>"
  add_secret TOKEN_V2_KEY "$(rand_alnum 12)"      # v2: "Bearer nbt_<key>.<secret>"
  add_secret TOKEN_V2_SECRET "$(rand_alnum 40)"
  (( changed == 0 )) || say "generated new secrets in $SECRETS"
  TOKEN_V2="nbt_${TOKEN_V2_KEY}.${TOKEN_V2_SECRET}"
}

# ---------------------------------------------------------------------------------------
# Files inside the root that belong to the instance (rewritten on every start, cheap)
# ---------------------------------------------------------------------------------------
write_instance_files() {
  local conf="$ROOT$NB_HOME/conf/configuration.py"
  umask 077
  cat >"$conf.tmp" <<EOF
# Written by bm-pipeline testbed/netbox/netbox.sh on every start — edits are lost.
import os

ALLOWED_HOSTS = ['*']

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        # BM_NETBOX_DB lets the script migrate the template database with the same config.
        'NAME': os.environ.get('BM_NETBOX_DB', '$DB_NAME'),
        'USER': '$DB_USER',
        'PASSWORD': '$DB_PASSWORD',
        'HOST': '127.0.0.1',
        'PORT': '$NETBOX_PG_PORT',
        'CONN_MAX_AGE': 300,
        # 'netbox.sh reset' drops the database under running workers: check a kept connection
        # before reusing it instead of failing the first request after a reset.
        'CONN_HEALTH_CHECKS': True,
    }
}

REDIS = {
    'tasks': {'HOST': '127.0.0.1', 'PORT': $NETBOX_REDIS_PORT, 'USERNAME': '', 'PASSWORD': '',
              'DATABASE': 0, 'SSL': False},
    'caching': {'HOST': '127.0.0.1', 'PORT': $NETBOX_REDIS_PORT, 'USERNAME': '', 'PASSWORD': '',
                'DATABASE': 1, 'SSL': False},
}

SECRET_KEY = '$SECRET_KEY'

# v2 tokens ("Bearer nbt_<key>.<token>") are stored as an HMAC with a pepper: without
# API_TOKEN_PEPPERS NetBox refuses to create or accept them.
API_TOKEN_PEPPERS = {1: '$API_TOKEN_PEPPER'}

# The bm-pipeline lifecycle: offline -> discovered -> staged -> ready -> active.
# offline, staged and active are NetBox built-ins; '+' extends instead of replacing.
FIELD_CHOICES = {
    'dcim.Device.status+': (
        ('discovered', 'Discovered', 'orange'),
        ('ready', 'Ready', 'teal'),
    ),
}

TIME_ZONE = 'UTC'
EOF
  mv "$conf.tmp" "$conf"

  # NetBox's own WSGI app, with whitenoise in front for /static/ (no web server here).
  cat >"$ROOT$NB_HOME/bm_wsgi.py" <<'EOF'
"""NetBox WSGI app with static files served by whitenoise (bm-pipeline testbed)."""
import os

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')

from django.conf import settings  # noqa: E402
from netbox.wsgi import application as netbox_application  # noqa: E402
from whitenoise import WhiteNoise  # noqa: E402

application = WhiteNoise(netbox_application, root=settings.STATIC_ROOT,
                         prefix=settings.STATIC_URL.lstrip('/'))
EOF

  # Creates/repairs the admin user and the two API tokens from values read on stdin, so
  # the tokens are exactly the ones persisted in the state dir (not random per run).
  cat >"$ROOT$NB_HOME/bm_ensure_admin.py" <<'EOF'
"""Make the admin user and its v1 + v2 write-enabled API tokens match the given secrets.

Reads KEY=VALUE lines on stdin: ADMIN_USER, ADMIN_PASSWORD, TOKEN_V1, TOKEN_V2_KEY,
TOKEN_V2_SECRET, DESC_V1, DESC_V2. Idempotent: unchanged objects are left alone.
"""
import os
import sys

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from users.models import Token, User  # noqa: E402

s = dict(line.rstrip('\n').split('=', 1) for line in sys.stdin if '=' in line)


def usable(token, user):
    return (token.user_id == user.pk and token.enabled and token.write_enabled
            and token.expires is None and not token.allowed_ips)


with transaction.atomic():
    user = User.objects.filter(username=s['ADMIN_USER']).first()
    if user is None:
        user = User(username=s['ADMIN_USER'], email='admin@example.invalid')
        print(f"creating user {user.username}")
    user.is_active = True
    user.is_superuser = True
    if not user.has_usable_password() or not user.check_password(s['ADMIN_PASSWORD']):
        user.set_password(s['ADMIN_PASSWORD'])
    user.save()

    # v1 (legacy): the 40-character plaintext is stored and compared as is.
    v1 = Token.objects.filter(version=1, plaintext=s['TOKEN_V1']).first()
    if v1 is None or not usable(v1, user):
        Token.objects.filter(version=1, plaintext=s['TOKEN_V1']).delete()
        Token.objects.filter(user=user, description=s['DESC_V1']).delete()
        v1 = Token(version=1, user=user, token=s['TOKEN_V1'], write_enabled=True,
                   description=s['DESC_V1'])
        v1.full_clean()
        v1.save()
        print("created v1 token")

    # v2: only key + HMAC-SHA256(pepper, secret) are stored; the key is chosen here so the
    # header "Bearer nbt_<key>.<secret>" is known in advance.
    v2 = Token.objects.filter(version=2, key=s['TOKEN_V2_KEY']).first()
    if v2 is None or not usable(v2, user) or not v2.validate(s['TOKEN_V2_SECRET']):
        Token.objects.filter(version=2, key=s['TOKEN_V2_KEY']).delete()
        Token.objects.filter(user=user, description=s['DESC_V2']).delete()
        v2 = Token(version=2, user=user, key=s['TOKEN_V2_KEY'], token=s['TOKEN_V2_SECRET'],
                   write_enabled=True, description=s['DESC_V2'])
        v2.full_clean()
        v2.save()
        print("created v2 token")

print(f"admin ok: user={user.username} tokens={user.tokens.count()}")
EOF
  umask 022
}

# ---------------------------------------------------------------------------------------
# Processes: pid files in the state dir. A pid counts as ours only if that process still
# runs with its root directory in our root — a recycled pid is never signalled.
# ---------------------------------------------------------------------------------------
pid_of() {   # pid_of NAME: prints the pid if NAME runs, else fails
  local f="$RUN_DIR/$1.pid" pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
  [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$ROOT" ]] || return 1
  echo "$pid"
}
running() { pid_of "$1" >/dev/null; }

# launch NAME LOG CMD...: start CMD in its own session, detached from our stdio and from the
# lock's file descriptor (or the lock would be held as long as the server lives).
launch() {
  local name=$1 log=$2; shift 2
  mkdir -p "$RUN_DIR"
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  local pid=$! i
  echo "$pid" >"$RUN_DIR/$name.pid"
  # Until `chroot` has entered the root, pid_of would not recognise the process as ours.
  for (( i = 0; i < 50; i++ )); do
    [[ -d /proc/$pid && $(readlink "/proc/$pid/root" 2>/dev/null) != "$ROOT" ]] || break
    sleep 0.05
  done
}

alive() {   # a zombie (exited, not yet reaped by PID 1, which can take seconds here) is dead
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

stop_procs() {   # stop_procs SIGNAL:NAME...: signal all at once, wait up to 60 s, then KILL
  local spec name sig pid i
  local -a pids=()
  for spec in "$@"; do
    sig=${spec%%:*}; name=${spec#*:}
    if pid=$(pid_of "$name"); then
      say "stopping $name (pid $pid, SIG$sig)"
      kill "-$sig" "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  for pid in "${pids[@]}"; do
    for (( i = 0; i < 600; i++ )); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      say "pid $pid did not stop in 60 s: KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

wait_until() {   # wait_until SECONDS NAME CMD...: poll CMD; fail early if NAME died
  local secs=$1 name=$2; shift 2
  local deadline=$(( $(now_ms) + secs * 1000 ))
  until "$@" >/dev/null 2>&1; do
    running "$name" || { echo "$name exited during start-up"; return 1; }
    (( $(now_ms) < deadline )) || { echo "$name not ready after ${secs}s"; return 1; }
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------
start_postgres() {
  local v; v=$(pg_version)
  # Loopback only, on our port; a disposable test database trades durability for speed
  # (migrations and test runs are dominated by fsyncs otherwise). SSL off: Debian's
  # snakeoil key is readable only by group ssl-cert, and we only talk over loopback.
  cat >"$ROOT/etc/postgresql/$v/main/conf.d/bm-pipeline.conf" <<EOF
# Written by bm-pipeline testbed/netbox/netbox.sh
listen_addresses = '127.0.0.1'
port = $NETBOX_PG_PORT
unix_socket_directories = '/run/postgresql'
ssl = off
fsync = off
synchronous_commit = off
full_page_writes = off
huge_pages = off
max_connections = 100
EOF
  # The socket directory must exist and belong to postgres before the server starts.
  local ids; ids=$(awk -F: '$1 == "postgres" { print $3 ":" $4 }' "$ROOT/etc/passwd")
  mkdir -p "$ROOT/run/postgresql"; chown "$ids" "$ROOT/run/postgresql"; chmod 2775 "$ROOT/run/postgresql"
  # A postmaster.pid left by a crash would block the start (its pid may be recycled here).
  local pm="$ROOT/var/lib/postgresql/$v/main/postmaster.pid"
  if [[ -f $pm ]]; then
    echo "removing stale $pm"
    rm -f "$pm"
  fi
  launch postgres "$LOG_DIR/postgres.log" \
    chroot --userspec="$ids" --groups="${ids#*:}" "$ROOT" /usr/bin/env -i LANG=C.UTF-8 TZ=UTC \
    "/usr/lib/postgresql/$v/bin/postgres" -D "/var/lib/postgresql/$v/main" \
    -c "config_file=/etc/postgresql/$v/main/postgresql.conf"
  wait_until 60 postgres as_user "$ROOT" postgres pg_isready -q -h /run/postgresql -p "$NETBOX_PG_PORT"
  echo "postgres $v up on 127.0.0.1:$NETBOX_PG_PORT (pid $(pid_of postgres))"
}

# Role with the (persisted) password; idempotent and cheap, so done on every start.
ensure_db_role() {
  psql_admin -d postgres <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
EOF
}

db_comment() {   # the marker written on a database once it is fully migrated
  psql_admin -d postgres -c \
    "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$1'"
}
db_exists() {
  [[ $(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]]
}
migrated_mark() { echo "bm-pipeline: migrated by NetBox $NETBOX_VERSION"; }

# The template: created and migrated once per cluster (the slow part of a cold start),
# admin and tokens included. The COMMENT is set last, so a half-migrated template (an
# interrupted run) has no marker and is rebuilt.
build_template() {
  psql_admin -d postgres -c "DROP DATABASE IF EXISTS $DB_TEMPLATE WITH (FORCE)"
  psql_admin -d postgres -c "CREATE DATABASE $DB_TEMPLATE OWNER $DB_USER"
  in_root "$ROOT" /usr/bin/env BM_NETBOX_DB=$DB_TEMPLATE "$VENV/bin/netbox" upgrade --no-input --skip-static
  ensure_admin $DB_TEMPLATE
  psql_admin -d postgres -c "COMMENT ON DATABASE $DB_TEMPLATE IS '$(migrated_mark)'"
}

create_db_from_template() {
  psql_admin -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER TEMPLATE $DB_TEMPLATE"
  psql_admin -d postgres -c "COMMENT ON DATABASE $DB_NAME IS '$(migrated_mark)'"
}

ensure_admin() {   # ensure_admin [DBNAME]
  local db=${1:-$DB_NAME}
  printf '%s\n' "ADMIN_USER=$NETBOX_ADMIN_USER" "ADMIN_PASSWORD=$ADMIN_PASSWORD" \
    "TOKEN_V1=$TOKEN_V1" "TOKEN_V2_KEY=$TOKEN_V2_KEY" "TOKEN_V2_SECRET=$TOKEN_V2_SECRET" \
    "DESC_V1=$TOKEN_DESC_V1" "DESC_V2=$TOKEN_DESC_V2" |
    in_root "$ROOT" /usr/bin/env BM_NETBOX_DB="$db" "$VENV/bin/python" "$NB_HOME/bm_ensure_admin.py"
}

# ---------------------------------------------------------------------------------------
# Redis, NetBox (gunicorn) and the background worker
# ---------------------------------------------------------------------------------------
start_redis() {
  local ids; ids=$(awk -F: '$1 == "redis" { print $3 ":" $4 }' "$ROOT/etc/passwd")
  # A cache and a job queue for a test instance: no persistence to disk.
  launch redis "$LOG_DIR/redis.log" \
    chroot --userspec="$ids" --groups="${ids#*:}" "$ROOT" /usr/bin/env -i LANG=C.UTF-8 \
    /usr/bin/redis-server --bind 127.0.0.1 --port "$NETBOX_REDIS_PORT" --protected-mode yes \
    --save "" --appendonly no --daemonize no --dir /var/lib/redis --logfile ""
  wait_until 30 redis redis_ping
  echo "redis up on 127.0.0.1:$NETBOX_REDIS_PORT (pid $(pid_of redis))"
}

collect_static() {   # once per install: the files do not change with the instance
  netbox_cmd collectstatic --no-input
  touch "$ROOT$NB_HOME/static/.bm-collected-$NETBOX_VERSION"
}

# --preload: Django is imported once in the master and the workers are forked from it
#   (faster start, less memory, and `reset` can replace workers in a second).
# --graceful-timeout 3: exiting gthread workers linger (kept-alive client connections)
#   until killed at this limit; a test instance has no requests worth 10+ s of waiting.
# --no-control-socket: we manage the server with signals; no extra socket.
GUNICORN_ARGS=(--chdir "$NB_HOME" --pythonpath "$NB_HOME" --bind "127.0.0.1:$NETBOX_PORT"
               --workers "$NETBOX_WORKERS" --threads 2 --timeout 120 --graceful-timeout 3
               --max-requests 5000 --max-requests-jitter 500 --preload --no-control-socket
               --access-logfile - --error-logfile - bm_wsgi:application)

start_gunicorn() {
  local -a envv
  mapfile -t envv < <(root_env)
  launch gunicorn "$LOG_DIR/gunicorn.log" \
    chroot "$ROOT" /usr/bin/env -i "${envv[@]}" "$VENV/bin/gunicorn" "${GUNICORN_ARGS[@]}"
  # Any HTTP answer (403 without a token) means the app is up.
  wait_until 120 gunicorn http_answers "$URL/api/status/"
  config_hash >"$RUN_DIR/gunicorn.config"
  echo "gunicorn up on $URL (pid $(pid_of gunicorn))"
}

# Settings are read once per process (and, with --preload, in the master): a changed
# configuration.py (new secrets, ports) or gunicorn command line needs a real restart.
config_hash() {
  { cat "$ROOT$NB_HOME/conf/configuration.py"; echo "${GUNICORN_ARGS[*]}"; } | sha256sum | cut -d' ' -f1
}
config_changed() { [[ $(cat "$RUN_DIR/gunicorn.config" 2>/dev/null) != "$(config_hash)" ]]; }

# Fresh workers after `reset`: HUP makes the master fork new workers from the preloaded app
# and retire the old ones - no re-import, so this takes a second, not a full start.
reload_gunicorn() {
  local master; master=$(pid_of gunicorn)
  local -a old
  mapfile -t old < <(ps -o pid= --ppid "$master" | tr -d ' ')
  kill -HUP "$master"
  local pid deadline=$(( $(now_ms) + 30000 ))
  for pid in "${old[@]}"; do
    while alive "$pid" && (( $(now_ms) < deadline )); do sleep 0.1; done
  done
  wait_until 30 gunicorn http_answers "$URL/api/status/"
  echo "gunicorn workers replaced (old: ${old[*]})"
}

start_rqworker() {
  # Background jobs (webhooks, event rules, scripts) run here; NetBox only queues them.
  local -a envv
  mapfile -t envv < <(root_env)
  launch rqworker "$LOG_DIR/rqworker.log" \
    chroot "$ROOT" /usr/bin/env -i "${envv[@]}" "$VENV/bin/netbox" rqworker
  sleep 1
  running rqworker || { echo "rqworker exited"; return 1; }
}

redis_ping() { [[ $(in_root "$ROOT" redis-cli -p "$NETBOX_REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
http_answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1") != 000 ]]; }
http_code() {   # http_code AUTH-HEADER URL
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: $1" -H 'Accept: application/json' "$2" || true
}
tokens_work() {
  [[ $(http_code "Token $TOKEN_V1" "$URL/api/status/") == 200 &&
     $(http_code "Bearer $TOKEN_V2" "$URL/api/status/") == 200 ]]
}

write_env_file() {
  mkdir -p "$STATE_DIR"
  umask 077
  # KEY=value, no quotes, no spaces: valid for `source` (sh) and java.util.Properties alike.
  cat >"$ENV_FILE.tmp" <<EOF
# NetBox testbed (bm-pipeline testbed/netbox/netbox.sh): shell and Java properties format
NETBOX_URL=$URL
NETBOX_TOKEN_V1=$TOKEN_V1
NETBOX_TOKEN_V2=$TOKEN_V2
NETBOX_VERSION=$NETBOX_VERSION
NETBOX_ADMIN_USER=$NETBOX_ADMIN_USER
NETBOX_ADMIN_PASSWORD=$ADMIN_PASSWORD
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  printf '%s\n' "$TOKEN_V1" >"$STATE_DIR/netbox-token-v1.tmp"
  printf '%s\n' "$TOKEN_V2" >"$STATE_DIR/netbox-token-v2.tmp"
  mv "$STATE_DIR/netbox-token-v1.tmp" "$STATE_DIR/netbox-token-v1"
  mv "$STATE_DIR/netbox-token-v2.tmp" "$STATE_DIR/netbox-token-v2"
  chmod 600 "$ENV_FILE" "$STATE_DIR/netbox-token-v1" "$STATE_DIR/netbox-token-v2"
  umask 022
}

# ---------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------
take_lock() {
  # One start/stop/reset at a time: several engineers and CI jobs share this instance.
  mkdir -p "$NB_STATE" "$LOG_DIR" "$RUN_DIR"
  exec 9>"$NB_STATE/lock"
  flock -w 1800 9 || die "another netbox.sh holds $NB_STATE/lock"
}

ensure_backends() {   # PostgreSQL, Redis and the migrated databases
  local setup="$LOG_DIR/setup.log"
  if running postgres; then say "postgres already running (pid $(pid_of postgres))"
  else step "start PostgreSQL on 127.0.0.1:$NETBOX_PG_PORT" "$LOG_DIR/postgres.log" start_postgres; fi
  if running redis; then say "redis already running (pid $(pid_of redis))"
  else step "start Redis on 127.0.0.1:$NETBOX_REDIS_PORT" "$LOG_DIR/redis.log" start_redis; fi
  step "ensure the database role" "$setup" ensure_db_role
  if [[ $(db_comment $DB_TEMPLATE) != "$(migrated_mark)" ]]; then
    step "migrate the template database (first start only, slow)" "$setup" build_template
  fi
  if ! db_exists $DB_NAME; then
    step "create database $DB_NAME from the template" "$setup" create_db_from_template
  elif [[ $(db_comment $DB_NAME) != "$(migrated_mark)" ]]; then
    # Not created by this script version/NetBox version: bring its schema up to date.
    step "migrate database $DB_NAME" "$setup" netbox_cmd upgrade --no-input --skip-static
    psql_admin -d postgres -c "COMMENT ON DATABASE $DB_NAME IS '$(migrated_mark)'" >/dev/null
  fi
  if [[ ! -f $ROOT$NB_HOME/static/.bm-collected-$NETBOX_VERSION ]]; then
    step "collect static files (first start only)" "$setup" collect_static
  fi
}

ensure_frontends() {
  local setup="$LOG_DIR/setup.log"
  if running gunicorn && config_changed; then
    say "configuration changed: restarting NetBox"
    stop_procs TERM:rqworker INT:gunicorn
  fi
  if running gunicorn; then say "gunicorn already running (pid $(pid_of gunicorn))"
  else step "start NetBox (gunicorn) on $URL" "$LOG_DIR/gunicorn.log" start_gunicorn; fi
  # The tokens are checked through the API itself; only if they fail (new secrets, a
  # database from elsewhere) does the slower Django-side repair run.
  if ! tokens_work; then
    step "create/repair admin user and API tokens" "$setup" ensure_admin
    tokens_work || { show_log_tail "$LOG_DIR/gunicorn.log"; die "API tokens still rejected by $URL"; }
  fi
  if running rqworker; then say "rqworker already running (pid $(pid_of rqworker))"
  else step "start NetBox background worker (rqworker)" "$LOG_DIR/rqworker.log" start_rqworker; fi
  write_env_file
}

cmd_start() {
  local t0; t0=$(now_ms)
  take_lock
  trap cleanup EXIT
  cmd_install
  ensure_secrets
  write_instance_files
  ensure_backends
  ensure_frontends
  say "NetBox $NETBOX_VERSION ready at $URL in $(since "$t0") — env: $ENV_FILE"
}

# Anything else still running inside the root is ours too (e.g. started before the state
# dir, and with it the pid files, was removed): only this script runs things there.
stop_strays() {
  local p pid i
  local -a pids=()
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $pid != "$$" && $(readlink "$p/root" 2>/dev/null) == "$ROOT" ]] && pids+=("$pid")
  done
  (( ${#pids[@]} )) || return 0
  say "stopping stray processes in $ROOT: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for (( i = 0; i < 100; i++ )); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

cmd_stop() {
  take_lock
  trap cleanup EXIT
  local any=0 n
  for n in rqworker gunicorn redis postgres; do running "$n" && any=1; done
  # Front ends first (they use the back ends). gunicorn INT = quick shutdown (a test
  # instance needs no grace); rqworker TERM = finish the current job; PostgreSQL INT =
  # "fast" shutdown (disconnect clients, checkpoint).
  stop_procs TERM:rqworker INT:gunicorn
  stop_procs TERM:redis INT:postgres
  stop_strays
  (( any )) && say "stopped" || say "nothing was running"
}

cmd_reset() {
  local t0; t0=$(now_ms)
  take_lock
  trap cleanup EXIT
  cmd_install
  ensure_secrets
  write_instance_files
  # The worker's queues and registrations live in Redis, which is flushed below.
  stop_procs TERM:rqworker
  ensure_backends
  local setup="$LOG_DIR/setup.log"
  # WITH (FORCE) disconnects the running NetBox workers; the template copy is a file copy.
  step "drop database $DB_NAME" "$setup" psql_admin -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
  step "create database $DB_NAME from the template" "$setup" create_db_from_template
  # The cache holds objects of the dropped database.
  step "flush Redis" "$setup" in_root "$ROOT" redis-cli -p "$NETBOX_REDIS_PORT" flushall
  if running gunicorn && ! config_changed; then
    step "replace NetBox workers (no in-process state from before)" "$LOG_DIR/gunicorn.log" reload_gunicorn
  fi
  ensure_frontends
  say "NetBox reset: empty database, same admin and tokens, in $(since "$t0")"
}

cmd_status() {
  local n st=0
  for n in postgres redis gunicorn rqworker; do
    if running "$n"; then printf '  %-9s running (pid %s)\n' "$n" "$(pid_of "$n")"
    else printf '  %-9s not running\n' "$n"; st=1; fi
  done
  if (( st == 0 )) && [[ -f $ENV_FILE ]]; then
    local v1; v1=$(sed -n 's/^NETBOX_TOKEN_V1=//p' "$ENV_FILE")
    local code; code=$(http_code "Token $v1" "$URL/api/status/")
    echo "NetBox $NETBOX_VERSION running at $URL (GET /api/status/ -> $code); env: $ENV_FILE"
    [[ $code == 200 ]] || st=1
  else
    echo "NetBox $NETBOX_VERSION not (fully) running; URL would be $URL"
  fi
  [[ -f $ROOT/$MARKER ]] && echo "installed in $ROOT" || echo "not installed ($ROOT)"
  return $st
}

cmd_manage() {
  [[ -f $ROOT/$MARKER ]] || die "not installed: run start first"
  [[ -f $ROOT$NB_HOME/conf/configuration.py ]] || die "no configuration yet: run start first"
  running postgres || die "PostgreSQL is not running: run start first"
  exec 9>&-
  netbox_cmd "$@"
}

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF

Environment: NETBOX_VERSION=$NETBOX_VERSION BM_CACHE_DIR=$CACHE_DIR BM_STATE_DIR=$STATE_DIR
  NETBOX_PORT=$NETBOX_PORT NETBOX_PG_PORT=$NETBOX_PG_PORT NETBOX_REDIS_PORT=$NETBOX_REDIS_PORT
EOF
}

[[ $EUID -eq 0 ]] || die "must run as root (debootstrap, chroot, mount)"
case "${1:-}" in
  install) take_lock; trap cleanup EXIT; cmd_install ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  reset)   cmd_reset ;;
  manage)  shift; cmd_manage "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
