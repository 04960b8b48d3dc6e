#!/usr/bin/env bash
# SocialBlue's production topology on one machine, on loopback, from Debian's packages and this
# checkout only (`make cluster`, `make cluster-stop`):
#
#   nginx                 127.0.0.1:8480   HTTP and WebSockets to both servers, X-Accel media
#   server-1, server-2    127.0.0.1:8481, 8482   uvicorn socialblue.asgi:application
#   worker-fanout-1, -2   celery worker -Q fanout (one process each)
#   worker-media          celery worker -Q media
#   worker-default        celery worker -Q default
#   beat                  celery beat
#   redis-7001..7003      Redis Cluster, three primaries (bus ports 17001..17003): timelines, presence
#   redis-broker          127.0.0.1:6390  plain Redis, noeviction: Celery broker, channel layer, cache
#   postgres              127.0.0.1:5440  a private PostgreSQL instance, database socialblue
#
# Everything it makes lives under var/cluster/ of the checkout: data, logs, pid files, the
# generated nginx.conf and the environment file `env` that every process runs with (tests and
# people load it with `set -a; . var/cluster/env; set +a`). It stops only the processes its own
# pid files name.
#
# Usage: deploy/local/cluster.sh start | stop [--purge] | status
#                                kill | stop-one | start-one | restart  <name>
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HERE=$ROOT/deploy/local
CLUSTER=$ROOT/var/cluster
PIDS=$CLUSTER/pids
LOGS=$CLUSTER/logs
PG_DIR=$CLUSTER/pg
PG_DATA=$PG_DIR/data
MEDIA_ROOT=$CLUSTER/media
STATIC_ROOT=$CLUSTER/static
VENV=${VENV:-$ROOT/.venv}
PATH=$PATH:/usr/sbin:/sbin

CLUSTER_PORTS=(7001 7002 7003)
BROKER_PORT=6390
PG_PORT=5440
SERVER_1_PORT=8481
SERVER_2_PORT=8482
NGINX_PORT=8480
ACCEL_PREFIX=/protected-media/
STOP_TIMEOUT=${STOP_TIMEOUT:-20}    # seconds from TERM to KILL
READY_TIMEOUT=${READY_TIMEOUT:-45}  # seconds a component may take to become ready

# In start order; stop goes tier by tier (see cmd_stop).
NAMES=(redis-7001 redis-7002 redis-7003 redis-broker postgres
  server-1 server-2 worker-fanout-1 worker-fanout-2 worker-media worker-default beat nginx)

# Files this script writes are readable by the unprivileged users that serve them (nginx's
# workers, postgres), whatever umask the caller has.
umask 022

say() { printf 'cluster: %s\n' "$*"; }
die() {
  printf 'cluster: %s\n' "$*" >&2
  exit 1
}

known_name() {
  local name
  for name in "${NAMES[@]}"; do [[ $name == "$1" ]] && return 0; done
  return 1
}

# --- Processes and their pid files -------------------------------------------------------------

pid_file() { echo "$PIDS/$1.pid"; }

# The pid of a running component, or nothing. A pid file is believed only while its process
# lives, is no zombie and runs from this checkout (its working folder is under it), so a pid
# reused by someone else's process after a reboot is never signalled.
running_pid() {
  local file pid stat cwd
  file=$(pid_file "$1")
  pid=$(head -n 1 "$file" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]] || return 1
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
  [[ $cwd == "$ROOT" || $cwd == "$ROOT"/* ]] || return 1
  echo "$pid"
}

is_running() { running_pid "$1" >/dev/null; }

log_file() { echo "$LOGS/$1.log"; }

# launch NAME COMMAND...: COMMAND runs in a session (and process group) of its own, so that a
# terminal's Ctrl-C does not reach it and `kill` can end it with all its children; its output
# goes to logs/NAME.log after a line that marks this start (see log_since_start).
launch() {
  local name=$1
  shift
  printf '=== cluster.sh: starting %s at %s ===\n' "$name" "$(date -Is)" >>"$(log_file "$name")"
  setsid nohup "$@" >>"$(log_file "$name")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

# The lines a component logged since its last start. The whole log is read (no reader quits
# early): under pipefail a writer cut off by SIGPIPE, once the log outgrew a pipe's buffer,
# would make a ready component look unready.
log_since_start() {
  local file line
  file=$(log_file "$1")
  [[ -f $file ]] || return 0
  line=$(grep -n '^=== cluster.sh: starting ' "$file" | tail -n 1 | cut -d: -f1)
  tail -n +"${line:-1}" "$file"
}

# The signal that shuts a component down cleanly: PostgreSQL's TERM waits for every client to
# leave ("smart"), INT disconnects them and stops at once ("fast").
stop_signal() {
  case $1 in
    postgres) echo INT ;;
    *) echo TERM ;;
  esac
}

# signal_component NAME SIGNAL: to the whole process group when the component leads one (all
# but PostgreSQL's pg_ctl-made session do, and that one leads its own too), else to the pid.
signal_component() {
  local pid pgid
  pid=$(running_pid "$1") || return 0
  pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
  if [[ $pgid == "$pid" ]]; then
    kill -s "$2" -- "-$pid" 2>/dev/null || true
  else
    kill -s "$2" "$pid" 2>/dev/null || true
  fi
}

# stop_components NAME...: the clean signal to each at once, then wait; whatever still runs
# after STOP_TIMEOUT seconds gets KILL. Pid files are removed; data stays.
stop_components() {
  local name deadline pending
  for name in "$@"; do
    if is_running "$name"; then
      kill -s "$(stop_signal "$name")" "$(running_pid "$name")" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  while :; do
    pending=()
    for name in "$@"; do is_running "$name" && pending+=("$name"); done
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for name in "${pending[@]}"; do
        say "$name did not stop in ${STOP_TIMEOUT} s: KILL"
        signal_component "$name" KILL
      done
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  for name in "$@"; do rm -f "$(pid_file "$name")"; done
}

# --- Readiness ---------------------------------------------------------------------------------

http_ok() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1") == 200 ]]; }

redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

cluster_node_ok() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

is_ready() {
  case $1 in
    redis-70*) redis_ping "${1#redis-}" ;;
    redis-broker) redis_ping "$BROKER_PORT" ;;
    postgres) "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ;;
    server-1) http_ok "http://127.0.0.1:$SERVER_1_PORT/readyz" ;;
    server-2) http_ok "http://127.0.0.1:$SERVER_2_PORT/readyz" ;;
    nginx) http_ok "http://127.0.0.1:$NGINX_PORT/readyz" ;;
    worker-*) grep -q ' ready\.' <<<"$(log_since_start "$1")" ;;
    beat) grep -q 'beat: Starting' <<<"$(log_since_start "$1")" ;;
  esac
}

# wait_ready NAME...: until each answers; a component that dies or stays silent for
# READY_TIMEOUT seconds ends the script with the tail of its log.
wait_ready() {
  local name deadline=$((SECONDS + READY_TIMEOUT))
  for name in "$@"; do
    until is_ready "$name"; do
      if ! is_running "$name"; then
        tail -n 25 "$(log_file "$name")" >&2 || true
        die "$name exited while starting (log above: var/cluster/logs/$name.log)"
      fi
      if ((SECONDS >= deadline)); then
        tail -n 25 "$(log_file "$name")" >&2 || true
        die "$name is not ready after ${READY_TIMEOUT} s (log above: var/cluster/logs/$name.log)"
      fi
      sleep 0.2
    done
  done
}

# --- Prerequisites and the environment ---------------------------------------------------------

PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)

check_prerequisites() {
  command -v nginx >/dev/null || die "nginx is missing: apt-get install nginx-light"
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    die "redis-server is missing: apt-get install redis-server"
  fi
  [[ -n $PG_BIN && -x $PG_BIN/initdb ]] ||
    die "PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin): apt-get install postgresql"
  command -v curl >/dev/null || die "curl is missing: apt-get install curl"
  [[ -x $VENV/bin/uvicorn && -x $VENV/bin/celery ]] ||
    die "no Python environment in $VENV: run make install (or make install-runtime) first"
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "no postgres user to run PostgreSQL as: apt-get install postgresql"
    # PostgreSQL (as postgres) and nginx's workers (as nobody) read their files under var/cluster.
    runuser -u nobody -- test -x "$ROOT" ||
      die "$ROOT is not reachable by other users (PostgreSQL, nginx): chmod o+x on it and its parents"
  fi
}

# Fails when a port is taken by a process that is not this cluster's.
check_port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    die "port $2 (for $1) is in use by a process this cluster did not start"
  fi
}

port_of() {
  case $1 in
    redis-70*) echo "${1#redis-}" ;;
    redis-broker) echo "$BROKER_PORT" ;;
    postgres) echo "$PG_PORT" ;;
    server-1) echo "$SERVER_1_PORT" ;;
    server-2) echo "$SERVER_2_PORT" ;;
    nginx) echo "$NGINX_PORT" ;;
  esac
}

# The environment of every process, written to var/cluster/env. The secret key is made once and
# kept, so sessions and signed links survive a restart.
write_env() {
  mkdir -p "$CLUSTER" "$PIDS" "$LOGS" "$MEDIA_ROOT"
  if [[ ! -s $CLUSTER/secret ]]; then
    (umask 077 && head -c 64 /dev/urandom | base64 -w 0 | tr -d '/+=' >"$CLUSTER/secret")
  fi
  local broker=redis://127.0.0.1:$BROKER_PORT
  cat >"$CLUSTER/env" <<EOF
# Written by deploy/local/cluster.sh at each start: the environment of every process of the
# local cluster. Load it with: set -a; . var/cluster/env; set +a
DEBUG=0
SECRET_KEY=$(cat "$CLUSTER/secret")
ALLOWED_HOSTS=127.0.0.1,localhost
SECURE_SSL_REDIRECT=0
TRUSTED_PROXY_COUNT=1
SITE_URL=http://127.0.0.1:$NGINX_PORT
SOCIALBLUE_VAR_DIR=$CLUSTER
MEDIA_ROOT=$MEDIA_ROOT
STATIC_ROOT=$STATIC_ROOT
PHOTO_MEDIA_DELIVERY=accel
PHOTO_ACCEL_PREFIX=$ACCEL_PREFIX
DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/socialblue
REDIS_URL=$broker/0
CELERY_BROKER_URL=$broker/0
CHANNEL_REDIS_URL=$broker/0
CACHE_REDIS_URL=$broker/1
TIMELINE_REDIS_URL=redis://127.0.0.1:${CLUSTER_PORTS[0]}/0
TIMELINE_REDIS_CLUSTER=1
SOCIALBLUE_URL=http://127.0.0.1:$NGINX_PORT
SOCIALBLUE_SERVER_URLS=http://127.0.0.1:$SERVER_1_PORT,http://127.0.0.1:$SERVER_2_PORT
SOCIALBLUE_CLUSTER_DIR=$CLUSTER
# A task a killed worker held comes back after CELERY_VISIBILITY_TIMEOUT (the restarted
# worker's first sweep hands it out): production's hour is too long to watch here, and the
# hard limit stays below it (the soft one is 30 s earlier). Photos and exit kits keep their
# own limits; one running past 45 s may be handed out twice, which idempotent tasks survive.
CELERY_TASK_TIME_LIMIT=40
CELERY_VISIBILITY_TIMEOUT=45
# The fan-out tests write one post into 20,000 timelines (four chunks, both fan-out
# workers); above this many followers an author's posts are merged on read instead.
FEED_FANOUT_LIMIT=25000
# Stalled fan-outs (the broker away when a post committed) are sent again every 10 s rather
# than every minute, so the broker's outage story ends in seconds.
FEED_REDRIVE_SECONDS=10
EOF
}

load_env() {
  [[ -f $CLUSTER/env ]] || die "no var/cluster/env: run deploy/local/cluster.sh start first"
  set -a
  # shellcheck disable=SC1091
  . "$CLUSTER/env"
  set +a
}

# --- Components --------------------------------------------------------------------------------

start_redis_node() {
  local port=$1
  mkdir -p "$CLUSTER/redis/$port"
  # No persistence: a restarted primary comes back empty and the application rebuilds its
  # timelines from the database. nodes-PORT.conf (kept in the node's folder) holds its identity
  # and slots, so it rejoins the cluster with them. Without full coverage the other two
  # primaries go on serving their slots while one is down.
  launch "redis-$port" redis-server --bind 127.0.0.1 --port "$port" \
    --cluster-enabled yes --cluster-config-file "nodes-$port.conf" --cluster-port $((port + 10000)) \
    --cluster-node-timeout 5000 --cluster-require-full-coverage no \
    --save "" --appendonly no --dir "$CLUSTER/redis/$port"
}

start_broker() {
  mkdir -p "$CLUSTER/redis/broker"
  # Queued tasks must never be evicted: when full it refuses writes instead. The append-only
  # file keeps queued and unacknowledged tasks across a restart of this server.
  launch redis-broker redis-server --bind 127.0.0.1 --port "$BROKER_PORT" \
    --maxmemory 1gb --maxmemory-policy noeviction \
    --save "" --appendonly yes --appendfsync everysec --dir "$CLUSTER/redis/broker"
}

as_postgres() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# As tests/faults/servers.py does: initdb and pg_ctl as the postgres user (PostgreSQL refuses
# to run as root), trust on loopback, the socket in the instance's own folder.
start_postgres() {
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DIR"
    ((EUID == 0)) && chown postgres: "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$LOGS/initdb.log" 2>&1 || {
      cat "$LOGS/initdb.log" >&2
      die "initdb failed"
    }
  fi
  touch "$(log_file postgres)"
  ((EUID == 0)) && chown postgres: "$(log_file postgres)"
  printf '=== cluster.sh: starting postgres at %s ===\n' "$(date -Is)" >>"$(log_file postgres)"
  # fsync off: a local topology that may be killed at will, never a machine crash to survive
  # (a killed server loses nothing the kernel already has).
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$(log_file postgres)" -w -t "$READY_TIMEOUT" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null || {
    tail -n 25 "$(log_file postgres)" >&2
    die "PostgreSQL did not start (log above: var/cluster/logs/postgres.log)"
  }
  head -n 1 "$PG_DATA/postmaster.pid" >"$(pid_file postgres)"
}

start_server() {
  launch "$1" "$VENV/bin/uvicorn" socialblue.asgi:application --host 127.0.0.1 --port "$2" \
    --proxy-headers --forwarded-allow-ips 127.0.0.1 --ws-per-message-deflate false --lifespan off \
    --no-access-log --timeout-graceful-shutdown 10
}

# Mingle and gossip only slow a start down and chat between workers; these workers need
# neither (tasks are routed by queue, revokes are not used).
start_worker() {
  launch "worker-$1" "$VENV/bin/celery" -A socialblue worker -Q "$2" --concurrency 1 \
    --hostname "$1@%h" --without-mingle --without-gossip --loglevel INFO
}

start_beat() {
  launch beat "$VENV/bin/celery" -A socialblue beat --schedule "$CLUSTER/celerybeat-schedule" \
    --loglevel INFO
}

# The largest request body the application accepts (see nginx.conf.template), in bytes.
body_limit() {
  "$VENV/bin/python" -c '
import socialblue.settings as s
print(s.PHOTO_MAX_FILES * s.UPLOAD_MAX_FILE_BYTES + s.DATA_UPLOAD_MAX_MEMORY_SIZE + 2**20)'
}

write_nginx_conf() {
  local user_line="# (not root: the workers run as this user)"
  ((EUID == 0)) && user_line="user nobody nogroup;          # the workers; the master stays root"
  mkdir -p "$CLUSTER/nginx/tmp"
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@CLUSTER@|$CLUSTER|g" -e "s|@MEDIA_ROOT@|$MEDIA_ROOT|g" \
    -e "s|@STATIC_ROOT@|$STATIC_ROOT|g" -e "s|@ACCEL_PREFIX@|$ACCEL_PREFIX|g" \
    -e "s|@NGINX_PORT@|$NGINX_PORT|g" -e "s|@SERVER_1_PORT@|$SERVER_1_PORT|g" \
    -e "s|@SERVER_2_PORT@|$SERVER_2_PORT|g" -e "s|@BODY_LIMIT@|$(body_limit)|g" \
    "$HERE/nginx.conf.template" >"$CLUSTER/nginx/nginx.conf"
}

# nginx's own prefix, configuration and start-up error log: none of its compiled-in defaults.
NGINX_ARGS=(-p "$CLUSTER/nginx" -c nginx.conf -e "$LOGS/nginx-error.log")

start_nginx() {
  write_nginx_conf
  nginx -t -q "${NGINX_ARGS[@]}" || die "nginx refused var/cluster/nginx/nginx.conf (see above)"
  launch nginx nginx "${NGINX_ARGS[@]}"
}

# start_component NAME: start one component (not waiting for it).
start_component() {
  case $1 in
    redis-70*) start_redis_node "${1#redis-}" ;;
    redis-broker) start_broker ;;
    postgres) start_postgres ;;
    server-1) start_server server-1 "$SERVER_1_PORT" ;;
    server-2) start_server server-2 "$SERVER_2_PORT" ;;
    worker-fanout-1) start_worker fanout-1 fanout ;;
    worker-fanout-2) start_worker fanout-2 fanout ;;
    worker-media) start_worker media media ;;
    worker-default) start_worker default default ;;
    beat) start_beat ;;
    nginx) start_nginx ;;
  esac
}

# The three primaries are made a cluster once; afterwards their nodes-*.conf files carry it
# across restarts and this only waits for the state to be ok on each.
ensure_redis_cluster() {
  local port assigned deadline=$((SECONDS + READY_TIMEOUT))
  assigned=$(redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | tr -d '\r' |
    awk -F: '$1 == "cluster_slots_assigned" { print $2 }')
  if [[ $assigned == 0 ]]; then
    for port in "${CLUSTER_PORTS[@]}"; do
      [[ $(redis-cli -p "$port" cluster info | tr -d '\r' | awk -F: '$1 == "cluster_known_nodes" { print $2 }') == 1 ]] ||
        die "Redis node $port already knows other nodes but no slots are assigned: deploy/local/cluster.sh stop --purge, then start"
    done
    say "creating the Redis Cluster (${CLUSTER_PORTS[*]})"
    local nodes=()
    for port in "${CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$LOGS/redis-cluster-create.log" 2>&1 || {
      cat "$LOGS/redis-cluster-create.log" >&2
      die "redis-cli --cluster create failed"
    }
  fi
  for port in "${CLUSTER_PORTS[@]}"; do
    until cluster_node_ok "$port"; do
      ((SECONDS < deadline)) || die "Redis Cluster: node $port is not cluster_state:ok after ${READY_TIMEOUT} s"
      sleep 0.2
    done
  done
}

ensure_database() {
  local exists
  exists=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'socialblue'")
  if [[ $exists != 1 ]]; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres socialblue
  fi
  "$VENV/bin/python" manage.py migrate --noinput >"$LOGS/migrate.log" 2>&1 || {
    tail -n 25 "$LOGS/migrate.log" >&2
    die "manage.py migrate failed (log above: var/cluster/logs/migrate.log)"
  }
}

# collectstatic (hashed and compressed files) takes seconds: only when a static source is newer
# than the last run's manifest.
ensure_static() {
  local manifest=$STATIC_ROOT/staticfiles.json
  if [[ -f $manifest ]] && [[ -z $(find . -path ./.venv -prune -o -path ./var -prune -o \
    -path '*/static/*' -type f -newer "$manifest" -print -quit) ]]; then
    return
  fi
  "$VENV/bin/python" manage.py collectstatic --noinput --clear >"$LOGS/collectstatic.log" 2>&1 || {
    tail -n 25 "$LOGS/collectstatic.log" >&2
    die "manage.py collectstatic failed (log above: var/cluster/logs/collectstatic.log)"
  }
}

# --- Subcommands -------------------------------------------------------------------------------

describe() {
  case $1 in
    redis-70*) echo "127.0.0.1:${1#redis-}  Redis Cluster primary (bus ${1#redis-} + 10000)" ;;
    redis-broker) echo "127.0.0.1:$BROKER_PORT  Redis: broker, channel layer, cache (db 1)" ;;
    postgres) echo "127.0.0.1:$PG_PORT  PostgreSQL, database socialblue" ;;
    server-1) echo "127.0.0.1:$SERVER_1_PORT  uvicorn socialblue.asgi:application" ;;
    server-2) echo "127.0.0.1:$SERVER_2_PORT  uvicorn socialblue.asgi:application" ;;
    worker-fanout-*) echo "celery worker -Q fanout" ;;
    worker-media) echo "celery worker -Q media" ;;
    worker-default) echo "celery worker -Q default" ;;
    beat) echo "celery beat" ;;
    nginx) echo "127.0.0.1:$NGINX_PORT  nginx -> $SERVER_1_PORT, $SERVER_2_PORT" ;;
  esac
}

# Exit status 0 when every component runs, 3 (LSB's "not running") otherwise.
cmd_status() {
  local name pid all=0
  for name in "${NAMES[@]}"; do
    if pid=$(running_pid "$name"); then
      printf '  %-16s running  pid %-8s %s\n' "$name" "$pid" "$(describe "$name")"
    else
      printf '  %-16s stopped  %-12s %s\n' "$name" "" "$(describe "$name")"
      all=3
    fi
  done
  return $all
}

cmd_start() {
  local name missing=() began=$SECONDS
  for name in "${NAMES[@]}"; do is_running "$name" || missing+=("$name"); done
  if ((${#missing[@]} == 0)); then
    say "already running (stop it with: make cluster-stop)"
    cmd_status
    return 0
  fi
  check_prerequisites
  for name in "${missing[@]}"; do
    [[ -z $(port_of "$name") ]] || check_port_free "$name" "$(port_of "$name")"
  done
  write_env
  load_env
  ((${#missing[@]} < ${#NAMES[@]})) && say "starting what is not running: ${missing[*]}"

  # The backing servers first: Redis in the background while PostgreSQL starts.
  for name in redis-7001 redis-7002 redis-7003 redis-broker; do
    is_running "$name" || start_component "$name"
  done
  is_running postgres || start_postgres
  wait_ready redis-7001 redis-7002 redis-7003 redis-broker postgres
  ensure_redis_cluster
  ensure_database
  ensure_static

  # Then the application's processes, all at once, and nginx in front of them.
  for name in server-1 server-2 worker-fanout-1 worker-fanout-2 worker-media worker-default beat nginx; do
    is_running "$name" || start_component "$name"
  done
  wait_ready server-1 server-2 worker-fanout-1 worker-fanout-2 worker-media worker-default beat nginx

  say "up in $((SECONDS - began)) s:"
  cmd_status
  cat <<EOF

  Open http://127.0.0.1:$NGINX_PORT/ (through nginx). Environment: var/cluster/env
  (set -a; . var/cluster/env; set +a). Logs: var/cluster/logs/. Stop: make cluster-stop
EOF
}

cmd_stop() {
  local purge=0
  [[ ${1:-} == --purge ]] && purge=1
  # The front first, so no request arrives at a stopping server; workers while the broker is
  # still there to take back what they had not finished; the data servers last.
  stop_components nginx server-1 server-2 beat
  stop_components worker-fanout-1 worker-fanout-2 worker-media worker-default
  stop_components redis-7001 redis-7002 redis-7003 redis-broker postgres
  if ((purge)); then
    rm -rf "$CLUSTER"
    say "stopped; var/cluster removed"
  else
    say "stopped (data kept under var/cluster; stop --purge removes it)"
  fi
}

# For fault tests: SIGKILL one component and all its processes, as a crash would.
cmd_kill() {
  local pid
  pid=$(running_pid "$1") || {
    say "$1 is not running"
    return 0
  }
  signal_component "$1" KILL
  while is_running "$1"; do sleep 0.05; done
  rm -f "$(pid_file "$1")"
  say "$1 (pid $pid) killed"
}

cmd_start_one() {
  if is_running "$1"; then
    say "$1 is already running (pid $(running_pid "$1"))"
    return 0
  fi
  check_prerequisites
  [[ -z $(port_of "$1") ]] || check_port_free "$1" "$(port_of "$1")"
  load_env
  start_component "$1"
  wait_ready "$1"
  [[ $1 != redis-70* ]] || ensure_redis_cluster
  say "$1 started (pid $(running_pid "$1"))"
}

cmd_stop_one() {
  if ! is_running "$1"; then
    say "$1 is not running"
    return 0
  fi
  stop_components "$1"
  say "$1 stopped"
}

usage() {
  cat >&2 <<EOF
usage: deploy/local/cluster.sh start | stop [--purge] | status
       deploy/local/cluster.sh kill | stop-one | start-one | restart  NAME
NAME: ${NAMES[*]}
EOF
  exit 2
}

main() {
  local command=${1:-}
  shift || true
  mkdir -p "$PIDS" "$LOGS"
  case $command in
    start) cmd_start ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    kill | stop-one | start-one | restart)
      if [[ $# != 1 ]] || ! known_name "$1"; then usage; fi
      case $command in
        kill) cmd_kill "$1" ;;
        stop-one) cmd_stop_one "$1" ;;
        start-one) cmd_start_one "$1" ;;
        restart)
          cmd_stop_one "$1"
          cmd_start_one "$1"
          ;;
      esac
      ;;
    *) usage ;;
  esac
}

main "$@"
