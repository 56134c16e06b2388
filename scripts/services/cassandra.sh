#!/usr/bin/env bash
# A single-node Apache Cassandra 5.0.6 on loopback, from Maven Central jars, for development and tests.
#   cassandra.sh install                 copy Cassandra's runtime jars into the cache (once; ~40 s, 66 MB)
#   cassandra.sh start DIR PORT [SPORT JMX]  start a node with its data in DIR, CQL on 127.0.0.1:PORT,
#                                        storage (gossip) on SPORT and JMX on JMX (default: free ports);
#                                        waits until CQL answers
#   cassandra.sh stop DIR                stop the node started in DIR
# The jars live in $QUARRY_CASSANDRA_CACHE (default ~/.cache/quarry/cassandra-5.0.6), outside the
# repository; cassandra/cassandra.yaml, jvm.options and logback.xml beside this script configure it.
# It costs 16–25 s to start and 0.7–1 GB of memory: scripts/with-services.sh starts it only for test
# runs that include a Cassandra test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"
cache=${QUARRY_CASSANDRA_CACHE:-$HOME/.cache/quarry/cassandra-5.0.6}

install() {
  command -v java >/dev/null && command -v mvn >/dev/null || apt_install openjdk-17-jre-headless maven
  [ -f "$cache/libs/.complete" ] && return 0
  echo "quarry: fetching the Cassandra 5.0.6 jars into $cache" >&2
  mkdir -p "$cache/libs"
  mvn -q -B -f "$here/cassandra/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$cache/libs" >&2
  touch "$cache/libs/.complete"
}

start() {
  local dir=$1 port=$2 sport=${3:-} jmx=${4:-}
  [ -n "$sport" ] || sport=$(free_port)
  [ -n "$jmx" ] || jmx=$(free_port)
  install
  mkdir -p "$dir/data"
  sed -e "s|@DIR@|$dir|g" -e "s|@STORAGE_PORT@|$sport|g" -e "s|@CQL_PORT@|$port|g" "$here/cassandra/cassandra.yaml" > "$dir/cassandra.yaml"
  # setsid: its own process group, so stop ends the JVM and nothing else.
  setsid java @"$here/cassandra/jvm.options" \
    "-Dcassandra.config=file://$dir/cassandra.yaml" "-Dlogback.configurationFile=$here/cassandra/logback.xml" \
    "-Dcassandra.storagedir=$dir/data" "-Dcassandra.jmx.local.port=$jmx" -Dcassandra.logdir="$dir" \
    -cp "$cache/libs/*" org.apache.cassandra.service.CassandraDaemon >>"$dir/cassandra.log" 2>&1 < /dev/null &
  echo $! > "$dir/cassandra.pid"
  local i
  for ((i = 0; i < 1800; i++)); do
    grep -q 'Starting listening for CQL clients' "$dir/cassandra.log" 2>/dev/null && return 0
    kill -0 "$(cat "$dir/cassandra.pid")" 2>/dev/null || { tail -50 "$dir/cassandra.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "quarry: Cassandra did not answer CQL within 180 s; its log:" >&2
  tail -50 "$dir/cassandra.log" >&2
  exit 1
}

stop() {
  local dir=$1 pid i
  [ -f "$dir/cassandra.pid" ] || exit 0
  pid=$(cat "$dir/cassandra.pid")
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$dir/cassandra.pid"
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" "${4:-}" "${5:-}" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT [SPORT JMX] | stop DIR" >&2; exit 2 ;;
esac
