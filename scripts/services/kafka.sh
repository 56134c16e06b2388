#!/usr/bin/env bash
# A single-node Apache Kafka 4.4.0 broker (KRaft) on loopback, from Maven Central jars, for
# development and tests.
#   kafka.sh install               copy the broker's jars into the cache (once; ~1 min, 43 MB)
#   kafka.sh start DIR PORT CPORT  format DIR (first time) and start the broker on 127.0.0.1:PORT
#                                  (controller on CPORT); waits until it is ready
#   kafka.sh stop DIR              stop the broker started in DIR (its data stays, so start again resumes it)
# The jars live in $QUARRY_KAFKA_CACHE (default ~/.cache/quarry/kafka-4.4.0), outside the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"
# shellcheck source=jvm-service.sh
. "$here/jvm-service.sh"
cache=${QUARRY_KAFKA_CACHE:-$HOME/.cache/quarry/kafka-4.4.0}

install() {
  jvm_service_install "Kafka 4.4.0 broker" "$cache" "$here/kafka/pom.xml"
  # The Kafka log's tests read topics with the Java client in source-file mode (test/pipeline/java),
  # which needs the JDK's compiler module.
  command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
}

start() {
  local dir=$1 port=$2 cport=$3
  install
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPERTIES
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    id=$(java -cp "$cache/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$cache/libs/*" kafka.tools.StorageTool format --standalone -t "$id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
  fi
  jvm_service_start "the Kafka broker" "$dir/kafka.log" "$dir/kafka.pid" 'Kafka Server started' 60 \
    java -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$cache/libs/*" kafka.Kafka "$dir/server.properties"
}

stop() {
  local dir=$1
  [ -f "$dir/kafka.pid" ] || exit 0
  jvm_service_stop "$dir/kafka.pid"
  # The broker logs "started" again after a restart: keep only this run's lines.
  mv "$dir/kafka.log" "$dir/kafka.log.old" 2>/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" "$4" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT CPORT | stop DIR" >&2; exit 2 ;;
esac
