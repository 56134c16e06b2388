#!/usr/bin/env bash
# What the services run from Maven Central jars (cassandra.sh, kafka.sh) share: fetching the jars,
# starting the JVM in its own process group and waiting for it, stopping that group. Sourced by
# them after apt.sh.

# Copies the runtime jars a pom.xml names into CACHE/libs, once (a marker says the copy finished).
#   jvm_service_install LABEL CACHE POM
jvm_service_install() {
  local label=$1 cache=$2 pom=$3
  command -v java >/dev/null && command -v mvn >/dev/null || apt_install openjdk-17-jre-headless maven
  [ -f "$cache/libs/.complete" ] && return 0
  echo "quarry: fetching the $label jars into $cache" >&2
  mkdir -p "$cache/libs"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$cache/libs" >&2
  touch "$cache/libs/.complete"
}

# Starts COMMAND… in its own process group (setsid, so stopping it ends the JVM and nothing else),
# appending to LOG and recording its pid in PIDFILE, then waits until LOG shows READY (a grep
# pattern): at most SECONDS, and no longer than the process lives. On failure it prints the log's
# tail and exits 1.
#   jvm_service_start LABEL LOG PIDFILE READY SECONDS COMMAND…
jvm_service_start() {
  local label=$1 log=$2 pidfile=$3 ready=$4 seconds=$5 i
  shift 5
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for ((i = 0; i < seconds * 10; i++)); do
    grep -q "$ready" "$log" 2>/dev/null && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "quarry: $label stopped while starting; its log:" >&2; tail -50 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "quarry: $label was not ready within $seconds s; its log:" >&2
  tail -50 "$log" >&2
  exit 1
}

# Ends the process group PIDFILE names (TERM, up to 30 s, then KILL) and removes PIDFILE; nothing
# to do without it.
#   jvm_service_stop PIDFILE
jvm_service_stop() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
}
