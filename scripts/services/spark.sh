#!/usr/bin/env bash
# A local Spark with Iceberg for interop tests: pyspark from PyPI in its own virtual environment and the
# iceberg-spark-runtime jar from Maven Central, both cached outside the repository (Spark is ~450 MB, so
# every work tree and run shares one copy). Tests start Spark themselves in local mode; nothing runs here.
#   spark.sh install   install what is missing; prints three lines: the python that has pyspark, the jar
#                      path, and the JAVA_HOME to run Spark with (Java 17)
# Cache folder: $QUARRY_CACHE_DIR/spark (default ~/.cache/quarry/spark). Needs Java 17 (Debian's openjdk-17).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"

pyspark_version=4.1.4
iceberg_version=1.12.0
runtime=org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:$iceberg_version

install() {
  local cache=${QUARRY_CACHE_DIR:-$HOME/.cache/quarry}/spark
  local venv=$cache/venv-pyspark-$pyspark_version
  local jars=$cache/jars
  local jar=$jars/iceberg-spark-runtime-4.1_2.13-$iceberg_version.jar
  # Spark 4.1 runs on Java 17 or 21; the machine may have a newer default java, so pick 17 by path.
  local java_home=/usr/lib/jvm/java-17-openjdk-amd64
  [ -x "$java_home/bin/java" ] || apt_install openjdk-17-jre-headless
  [ -x "$java_home/bin/java" ] || java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  mkdir -p "$cache"
  if [ ! -f "$venv/.installed" ]; then
    python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
    echo "quarry: installing pyspark $pyspark_version into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "pyspark==$pyspark_version" >&2
    touch "$venv/.installed"
  fi
  if [ ! -f "$jar" ]; then
    command -v mvn >/dev/null 2>&1 || apt_install maven
    echo "quarry: fetching $runtime with Maven" >&2
    mkdir -p "$jars"
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$runtime" -DoutputDirectory="$jars" -Dmdep.overWriteIfNewer=false >&2
  fi
  [ -f "$jar" ] || { echo "quarry: $jar is missing after the Maven copy" >&2; exit 1; }
  echo "$venv/bin/python"
  echo "$jar"
  echo "$java_home"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
