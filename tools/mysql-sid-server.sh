#!/usr/bin/env bash
# A real MySQL server (Debian sid's mysql-server-core, MySQL 9.7 at the time of writing) on
# 127.0.0.1, for running the test suite against MySQL rather than MariaDB:
#
#   npm run -s mysql:sid -- start [PORT]   # installs on first use, starts, prints the URL to use
#   AIDHUB_TEST_DATABASE_URL=mysql://root@127.0.0.1:PORT/ npx jest --runInBand test/x.test.ts
#   npm run -s mysql:sid -- stop
#   npm run -s mysql:sid -- private-jest test/private-server.test.ts   # the tests' own servers MySQL
#
# Debian 12 has no mysql-server and sid's needs a newer libc than bookworm's, so the server runs in
# a minimal sid tree of its own (debootstrap into AIDHUB_MYSQL_ROOT, default /opt/sid-mysql) through
# chroot: its binary, libraries, plugins and messages all come from that tree and the host's libc is
# untouched (chroot rather than sid's ld-linux with --library-path: mysqld also finds its plugins,
# character sets and error messages by their sid paths). Needs root (chroot, debootstrap) and
# Debian's package mirror; the first start installs the tree (560 MB on disk, 51 s on 7 December
# 2026). Not part of `npm test` nor CI (too slow, needs the network): docs/scale-out.md, "What was
# and was not tested", says what was run on it.
#
# The server runs as the tests' private one does (db/setup/private-server.ts launch): MySQL 8's
# default sql_mode, utf8mb4_unicode_ci, no binary log, relaxed flushing. Its data is thrown away at
# each start: `start` always begins from an empty server.
set -euo pipefail

ROOT=${AIDHUB_MYSQL_ROOT:-/opt/sid-mysql}
MIRROR=${AIDHUB_MYSQL_MIRROR:-http://deb.debian.org/debian}
# Inside the sid tree.
HOME_DIR=/var/lib/aidhub-mysql
RUN_DIR=/run/aidhub-mysql
# MYSQL8_SQL_MODE in db/setup/private-server.ts.
SQL_MODE=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION

USAGE="usage: npm run mysql:sid -- start [PORT] | stop | status | private-jest JEST_ARGS…   (PORT: 4611 unless given)"

# A refusal as every tool prints one (tools/command-args.ts): `error: CODE: …`, the usage, exit 2.
refuse() {
  echo "error: $1: $2" >&2
  echo "$USAGE" >&2
  exit 2
}

running_pid() {
  local pid
  pid=$(cat "$ROOT$RUN_DIR/mysqld.pid" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_tree() {
  [[ -x $ROOT/usr/sbin/mysqld ]] && return
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: MYSQL_SID_NEEDS_ROOT: debootstrap and chroot need root" >&2
    exit 2
  fi
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  echo "installing Debian sid with mysql-server-core into $ROOT (a minute or two)" >&2
  debootstrap --variant=minbase --include=mysql-server-core sid "$ROOT" "$MIRROR" >"${ROOT%/}.debootstrap.log" 2>&1 || {
    echo "error: MYSQL_SID_INSTALL_FAILED: debootstrap failed; see ${ROOT%/}.debootstrap.log" >&2
    exit 3
  }
}

start() {
  [[ $# -le 1 ]] || refuse UNEXPECTED_ARGUMENT "$2 follows the port"
  local port=${1:-4611}
  [[ $port =~ ^[0-9]+$ ]] || refuse MALFORMED_NUMBER "the port must be digits, not $port"
  ((port >= 1 && port <= 65535)) || refuse OUT_OF_RANGE "the port must be 1 to 65535, not $port"
  if pid=$(running_pid); then
    echo "error: MYSQL_SID_RUNNING: a server from $ROOT already runs (pid $pid); stop it first" >&2
    exit 2
  fi
  install_tree
  rm -rf "$ROOT$HOME_DIR"
  mkdir -p "$ROOT$HOME_DIR/files" "$ROOT$RUN_DIR" "$ROOT/tmp"
  # --initialize-insecure makes root@localhost only, and with --skip-name-resolve a TCP connection
  # from 127.0.0.1 is not localhost: the tests' URL needs root@127.0.0.1, with no password (its
  # authentication is caching_sha2_password, MySQL 9's only built-in one; mysql2 speaks it).
  cat >"$ROOT$HOME_DIR/init.sql" <<'SQL'
CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
SQL
  chroot "$ROOT" /usr/sbin/mysqld --no-defaults --initialize-insecure --datadir=$HOME_DIR/data --user=root \
    --init-file=$HOME_DIR/init.sql --log-error=$HOME_DIR/init.log || {
    echo "error: MYSQL_SID_INIT_FAILED: see $ROOT$HOME_DIR/init.log" >&2
    exit 3
  }
  # --secure-file-priv: Debian's build defaults it to /var/lib/mysql-files and refuses to start
  # when that is missing.
  setsid chroot "$ROOT" /usr/sbin/mysqld --no-defaults --datadir=$HOME_DIR/data --port="$port" \
    --bind-address=127.0.0.1 --socket=$RUN_DIR/mysqld.sock --pid-file=$RUN_DIR/mysqld.pid \
    --log-error=$HOME_DIR/server.log --secure-file-priv=$HOME_DIR/files --user=root --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --max-connections=500 \
    --innodb-buffer-pool-size=512M --local-infile=1 --sql-mode=$SQL_MODE --mysqlx=OFF \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin --sync-binlog=0 \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    if grep -q 'ready for connections' "$ROOT$HOME_DIR/server.log" 2>/dev/null; then
      echo "$(chroot "$ROOT" /usr/sbin/mysqld --version) on 127.0.0.1:$port (log: $ROOT$HOME_DIR/server.log)" >&2
      echo "AIDHUB_TEST_DATABASE_URL=mysql://root@127.0.0.1:$port/"
      return
    fi
    if ! kill -0 $! 2>/dev/null; then
      echo "error: MYSQL_SID_START_FAILED: the server stopped during start-up:" >&2
      tail -5 "$ROOT$HOME_DIR/server.log" >&2
      exit 3
    fi
    sleep 0.5
  done
  echo "error: MYSQL_SID_START_FAILED: not ready in 60 s; see $ROOT$HOME_DIR/server.log" >&2
  exit 3
}

stop() {
  local pid
  pid=$(running_pid) || { echo "not running" >&2; return; }
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "$pid"
}

# Jest with no AIDHUB_TEST_DATABASE_URL, so that the tests' own private servers (db/setup/
# private-server.ts: the run's throwaway one, and those test/private-server*.test.ts and the
# npm-start tests start) are MySQL 9.7: in a mount namespace of its own where the machine's
# mariadbd and mysqld are hidden (an empty file bound over each) and the first mysqld on PATH runs
# the sid one through chroot, /tmp bound into the tree (the servers' data directories are there).
# The machine's files are untouched: the mounts end with the namespace.
private_jest() {
  install_tree
  local bin=${ROOT%/}.bin
  mkdir -p "$bin"
  printf '#!/bin/sh\nexec chroot %q /usr/sbin/mysqld "$@"\n' "$ROOT" >"$bin/mysqld"
  chmod +x "$bin/mysqld"
  : >"$bin/hidden"
  chmod -x "$bin/hidden"
  exec unshare -m --propagation private bash "$0" __inside_namespace "$bin" "$@"
}

inside_namespace() {
  local bin=$1 dir name
  shift
  # Where db/setup/private-server.ts looks (PATH, then its SEARCH_DIRS).
  local IFS=:
  for dir in $PATH /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin /usr/local/mysql/bin /opt/homebrew/bin; do
    for name in mariadbd mysqld mariadb-install-db mysql_install_db; do
      [[ -e $dir/$name ]] && mount --bind "$bin/hidden" "$dir/$name"
    done
  done
  unset IFS
  mkdir -p "$ROOT/tmp"
  mount --bind /tmp "$ROOT/tmp"
  cd "$(dirname "$0")/.."
  env -u AIDHUB_TEST_DATABASE_URL PATH="$bin:$PATH" npx jest --runInBand "$@"
}

case ${1:-} in
  start) shift; start "$@" ;;
  private-jest) shift; private_jest "$@" ;;
  __inside_namespace) shift; inside_namespace "$@" ;;
  stop | status)
    [[ $# -le 1 ]] || refuse UNEXPECTED_ARGUMENT "$1 takes no argument, not $2"
    if [[ $1 == stop ]]; then
      stop
    elif pid=$(running_pid); then
      echo "running (pid $pid)"
    else
      echo "not running"
      exit 1
    fi
    ;;
  --help | -h) echo "$USAGE" ;;
  '') refuse ARGUMENT_REQUIRED "a command is required" ;;
  *) refuse UNKNOWN_COMMAND "$1 is not a command" ;;
esac
