#!/usr/bin/env bash
# Runs a command with the services tests and benchmarks need, on loopback with throwaway data:
# installs what is missing (unless QUARRY_SKIP_INSTALL=1), starts each service on a free port,
# exports its address, runs "$@", and stops everything it started, whatever the outcome.
#   QUARRY_TEST_POSTGRES_URL   admin URL of a PostgreSQL server (trust auth)
#   QUARRY_TEST_MARIADB_URL    root URL of a MariaDB server (no password), for catalog federation
#   QUARRY_TEST_PYTHON         python of the peer-client virtual environment
#   QUARRY_TEST_S3_ENDPOINT    http endpoint of an S3-compatible server (moto; path-style, any credentials)
#   QUARRY_TEST_KAFKA_BROKERS  host:port of a Kafka 4.4.0 broker (KRaft, single node)
#   QUARRY_TEST_KAFKA_DIR      its folder, for tests that restart it (scripts/services/kafka.sh stop/start)
#   QUARRY_TEST_SPARK_PYTHON   python with pyspark (tests start Spark in local mode themselves)
#   QUARRY_TEST_SPARK_JAR      the iceberg-spark-runtime jar for that Spark
#   QUARRY_TEST_SPARK_JAVA_HOME  the Java 17 Spark runs on
#   QUARRY_TEST_CHROMIUM       Debian's chromium, for the web UI's browser tests (playwright-core)
#   QUARRY_TEST_ENGINES_CACHE  the engines cache (quarry engines install spark and trino), for test/engines
#   QUARRY_TEST_CASSANDRA      host:port (CQL) of a Cassandra 5.0.6 node; started only when an argument
#                              names a file with "cassandra" in it (it costs 16–25 s and ~1 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services/apt.sh

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.quarry-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "quarry: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_sum" > node_modules/.quarry-lock.sha256
fi

if [ "${QUARRY_SKIP_INSTALL:-0}" != 1 ]; then
  bash scripts/services/postgres.sh install
  bash scripts/services/mariadb.sh install
  bash scripts/services/kafka.sh install
  # The README's examples (test/docs/readme-examples.test.ts) run with curl and jq, as a reader's would.
  apt_install curl jq
fi
QUARRY_TEST_PYTHON=$(bash scripts/services/python-env.sh)
export QUARRY_TEST_PYTHON
{ read -r QUARRY_TEST_SPARK_PYTHON; read -r QUARRY_TEST_SPARK_JAR; read -r QUARRY_TEST_SPARK_JAVA_HOME; } < <(bash scripts/services/spark.sh install)
[ -n "$QUARRY_TEST_SPARK_JAVA_HOME" ] || { echo "quarry: scripts/services/spark.sh install failed" >&2; exit 1; }
export QUARRY_TEST_SPARK_PYTHON QUARRY_TEST_SPARK_JAR QUARRY_TEST_SPARK_JAVA_HOME
QUARRY_TEST_CHROMIUM=$(bash scripts/services/chromium.sh install)
export QUARRY_TEST_CHROMIUM
# Set beforehand, it names an engines cache to use as it is (nothing is installed into it).
QUARRY_TEST_ENGINES_CACHE=${QUARRY_TEST_ENGINES_CACHE:-$(bash scripts/services/engines.sh install)}
export QUARRY_TEST_ENGINES_CACHE

run_dir=$(mktemp -d /tmp/quarry-services.XXXXXX)
chmod 755 "$run_dir"
cleanup() {
  bash scripts/services/postgres.sh stop "$run_dir/postgres" || true
  bash scripts/services/s3.sh stop "$run_dir/s3" || true
  bash scripts/services/mariadb.sh stop "$run_dir/mariadb" || true
  bash scripts/services/kafka.sh stop "$run_dir/kafka" || true
  bash scripts/services/cassandra.sh stop "$run_dir/cassandra" || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

pg_port=$(free_port)
bash scripts/services/postgres.sh start "$run_dir/postgres" "$pg_port"
export QUARRY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "quarry: PostgreSQL on 127.0.0.1:$pg_port" >&2

s3_port=$(free_port)
bash scripts/services/s3.sh start "$run_dir/s3" "$s3_port"
export QUARRY_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
echo "quarry: S3 test server (moto) on 127.0.0.1:$s3_port" >&2

mariadb_port=$(free_port)
bash scripts/services/mariadb.sh start "$run_dir/mariadb" "$mariadb_port"
export QUARRY_TEST_MARIADB_URL="mysql://root@127.0.0.1:$mariadb_port/"
echo "quarry: MariaDB on 127.0.0.1:$mariadb_port" >&2

kafka_port=$(free_port)
kafka_controller_port=$(free_port)
bash scripts/services/kafka.sh start "$run_dir/kafka" "$kafka_port" "$kafka_controller_port"
export QUARRY_TEST_KAFKA_BROKERS="127.0.0.1:$kafka_port"
export QUARRY_TEST_KAFKA_DIR="$run_dir/kafka"
echo "$kafka_controller_port" > "$run_dir/kafka/controller-port"
echo "quarry: Kafka on 127.0.0.1:$kafka_port" >&2

if [[ " $* " == *cassandra* ]]; then
  cassandra_port=$(free_port)
  bash scripts/services/cassandra.sh start "$run_dir/cassandra" "$cassandra_port"
  export QUARRY_TEST_CASSANDRA="127.0.0.1:$cassandra_port"
  echo "quarry: Cassandra on 127.0.0.1:$cassandra_port" >&2
fi

"$@"
