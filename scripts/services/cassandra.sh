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
# shellcheck source=jvm-service.sh
. "$here/jvm-service.sh"
cache=${QUARRY_CASSANDRA_CACHE:-$HOME/.cache/quarry/cassandra-5.0.6}

install() {
  jvm_service_install "Cassandra 5.0.6" "$cache" "$here/cassandra/pom.xml"
}

start() {
  local dir=$1 port=$2 sport=${3:-} jmx=${4:-}
  [ -n "$sport" ] || sport=$(free_port)
  [ -n "$jmx" ] || jmx=$(free_port)
  install
  mkdir -p "$dir/data"
  sed -e "s|@DIR@|$dir|g" -e "s|@STORAGE_PORT@|$sport|g" -e "s|@CQL_PORT@|$port|g" "$here/cassandra/cassandra.yaml" > "$dir/cassandra.yaml"
  jvm_service_start Cassandra "$dir/cassandra.log" "$dir/cassandra.pid" 'Starting listening for CQL clients' 180 \
    java @"$here/cassandra/jvm.options" \
    "-Dcassandra.config=file://$dir/cassandra.yaml" "-Dlogback.configurationFile=$here/cassandra/logback.xml" \
    "-Dcassandra.storagedir=$dir/data" "-Dcassandra.jmx.local.port=$jmx" -Dcassandra.logdir="$dir" \
    -cp "$cache/libs/*" org.apache.cassandra.service.CassandraDaemon
}

stop() {
  jvm_service_stop "$1/cassandra.pid"
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" "${4:-}" "${5:-}" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT [SPORT JMX] | stop DIR" >&2; exit 2 ;;
esac
