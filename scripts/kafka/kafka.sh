#!/usr/bin/env bash
# Single-node Apache Kafka for tests and CI: KRaft mode, one JVM acting as both
# broker and controller, run straight from Kafka's jars on Maven Central
# (fetched by Maven from ./pom.xml). No Docker, no Kafka tarball.
#
# Usage: scripts/kafka/kafka.sh install|start|stop|status|clean
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port            default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port              default 19093
#   KAFKA_HOME_DIR         jars + data live here              default <repo>/.kafka
#   KAFKA_DATA_DIR         per-broker state, logs, pid        default $KAFKA_HOME_DIR/data-$KAFKA_PORT
#   KAFKA_HEAP_OPTS        JVM heap flags                     default -Xms128m -Xmx512m
#   KAFKA_START_TIMEOUT    seconds to wait for readiness      default 90
#   KAFKA_SASL_SSL_PORT    also a SASL_SSL listener here      default none
#     (TLS with a CA and broker certificate made at start, client certificates
#     requested, not required; SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for
#     user alice, password alice-secret. The CA, a client certificate and key,
#     and these credentials are written to $KAFKA_DATA_DIR/secure/client.env.)
#
# `start` prints the bootstrap address (127.0.0.1:$KAFKA_PORT) as its last
# stdout line; everything else goes to stderr, so callers can take that line.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$REPO_DIR/.kafka}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$KAFKA_HOME_DIR/data-$KAFKA_PORT}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-}"
SECURE_DIR="$KAFKA_DATA_DIR/secure"
# Test credentials of a throwaway local broker, written out for clients in client.env.
SASL_USER=alice
SASL_PASSWORD=alice-secret
STORE_PASSWORD=changeit

POM="$SCRIPT_DIR/pom.xml"
LIB_DIR="$KAFKA_HOME_DIR/lib"
STAMP="$LIB_DIR/.pom.sha256"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
LOG_FILE="$KAFKA_DATA_DIR/kafka.log"
PROPS="$KAFKA_DATA_DIR/server.properties"
HOST=127.0.0.1

log() { echo "kafka.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH ($2)"; }

# A TCP connect is enough to know *something* listens; bash's /dev/tcp avoids
# depending on nc/ss being installed on CI.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A pid is only trusted if it is still a Kafka JVM: pids get reused after a
# crash or reboot, and a zombie (empty cmdline) passes `kill -0` forever.
is_broker() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q 'kafka\.Kafka'; }

running_pid() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && is_broker "$pid" || return 1
  echo "$pid"
}

cmd_install() {
  need java "install a JDK 17+"
  mkdir -p "$KAFKA_HOME_DIR"
  # The whole dir is generated; keep it out of git without touching the repo's .gitignore.
  [[ -f "$KAFKA_HOME_DIR/.gitignore" ]] || echo '*' >"$KAFKA_HOME_DIR/.gitignore"

  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && return 0

  # Parallel test runners may call install at once; only one should run Maven.
  exec 9>"$KAFKA_HOME_DIR/.install.lock"
  flock 9
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then exec 9>&-; return 0; fi

  need mvn "install Apache Maven"
  log "fetching Kafka jars with Maven into $LIB_DIR"
  # Copy into a fresh dir and swap it in, so a failed or interrupted fetch never
  # leaves a half-filled lib dir that the stamp would bless.
  local tmp="$KAFKA_HOME_DIR/lib.tmp.$$"
  rm -rf "$tmp"
  # Maven's output is kept out of the way (even -q prints stray colour codes
  # on 3.8) and only shown when it failed.
  if ! mvn -B -ntp -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    tail -n 40 "$tmp.log" >&2
    rm -rf "$tmp"
    die "Maven could not fetch the Kafka jars (full output: $tmp.log)"
  fi
  rm -f "$tmp.log"
  echo "$want" >"$tmp/.pom.sha256"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  exec 9>&-
  log "installed $(ls "$LIB_DIR"/*.jar | wc -l) jars"
}

write_config() {
  mkdir -p "$KAFKA_DATA_DIR"
  # Static voters (not --standalone/bootstrap servers) work the same on 3.9 and 4.x.
  cat >"$PROPS" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT${KAFKA_SASL_SSL_PORT:+,SASL_SSL://$HOST:$KAFKA_SASL_SSL_PORT}
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT${KAFKA_SASL_SSL_PORT:+,SASL_SSL://$HOST:$KAFKA_SASL_SSL_PORT}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA_DIR/kraft-logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  [[ -z "$KAFKA_SASL_SSL_PORT" ]] || cat >>"$PROPS" <<EOF
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$SECURE_DIR/broker.p12
ssl.keystore.password=$STORE_PASSWORD
ssl.truststore.type=PKCS12
ssl.truststore.location=$SECURE_DIR/truststore.p12
ssl.truststore.password=$STORE_PASSWORD
ssl.client.auth=requested
EOF
  # Everything goes to stdout, which start redirects to one log file, so JVM
  # crashes and broker logs end up in the same place.
  cat >"$KAFKA_DATA_DIR/log4j2.properties" <<'EOF'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
logger.req.name=kafka.request.logger
logger.req.level=WARN
EOF
}

# A CA, a broker certificate for 127.0.0.1 and localhost signed by it (in a
# PKCS12 keystore), the CA in a truststore, and a client certificate for mutual
# TLS; made once per data dir with openssl and keytool.
make_certs() {
  [[ -f "$SECURE_DIR/client.env" ]] && return 0
  need openssl "install openssl"
  need keytool "install a JDK 17+"
  mkdir -p "$SECURE_DIR"
  (
    cd "$SECURE_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=stream-processor test CA" -keyout ca.key -out ca.pem
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout broker.key -out broker.csr
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile broker.ext -out broker.pem
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker -out broker.p12 -passout "pass:$STORE_PASSWORD"
    keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 -storepass "$STORE_PASSWORD"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$SASL_USER" -keyout client.key -out client.csr
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out client.pem
  ) >>"$LOG_FILE" 2>&1 || { tail -n 20 "$LOG_FILE" >&2; die "making the test certificates failed"; }
  cat >"$SECURE_DIR/client.env" <<EOF
KAFKA_SASL_SSL_BOOTSTRAP=$HOST:$KAFKA_SASL_SSL_PORT
KAFKA_SSL_CA_FILE=$SECURE_DIR/ca.pem
KAFKA_SSL_CERT_FILE=$SECURE_DIR/client.pem
KAFKA_SSL_KEY_FILE=$SECURE_DIR/client.key
KAFKA_SASL_USERNAME=$SASL_USER
KAFKA_SASL_PASSWORD=$SASL_PASSWORD
EOF
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    echo "$HOST:$KAFKA_PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is already in use by another process"
  port_open "$KAFKA_CONTROLLER_PORT" && die "port $KAFKA_CONTROLLER_PORT is already in use by another process"

  cmd_install
  mkdir -p "$KAFKA_DATA_DIR"
  [[ -z "$KAFKA_SASL_SSL_PORT" ]] || make_certs
  write_config
  local cp="$LIB_DIR/*"
  # Readiness is read from this log, so a previous run's lines must not be in it.
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"

  if [[ ! -f "$KAFKA_DATA_DIR/kraft-logs/meta.properties" ]]; then
    # A cluster id is 16 random bytes in URL-safe base64; generating it here
    # saves a JVM start. Kafka rejects ids starting with '-' (look like flags).
    local id
    until id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" && [[ "$id" != -* ]]; do :; done
    # SCRAM credentials live in the metadata log: a KRaft cluster takes them at format time.
    local scram=()
    [[ -z "$KAFKA_SASL_SSL_PORT" ]] || scram=(--add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
    log "formatting storage in $KAFKA_DATA_DIR/kraft-logs (cluster id $id)"
    java -cp "$cp" -Dlog4j2.configurationFile="$KAFKA_DATA_DIR/log4j2.properties" \
      kafka.tools.StorageTool format -t "$id" -c "$PROPS" "${scram[@]}" >>"$LOG_FILE" 2>&1 \
      || { tail -n 30 "$LOG_FILE" >&2; die "storage format failed"; }
  fi

  log "starting broker on $HOST:$KAFKA_PORT (log: $LOG_FILE)"
  # stdin/stdout/stderr all detached: a caller that captures our output
  # (execSync, $(...)) would otherwise wait for the broker to exit.
  # log4j2's own shutdown hook would otherwise stop logging before Kafka's
  # shutdown hook finishes, hiding how the shutdown went.
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of flags
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DATA_DIR/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$cp" kafka.Kafka "$PROPS" </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"

  # The listener socket is bound early in startup, before the broker can serve
  # requests, so an open port is not enough: also wait for the line the broker
  # logs once startup (incl. being unfenced by the controller) has completed.
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG_FILE"; do
    # kill -0, not is_broker: until the forked shell has exec'd java its
    # cmdline is still this script's. Our own dead child is reaped by bash.
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 40 "$LOG_FILE" >&2
      die "broker exited during startup (full log: $LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$LOG_FILE" >&2
      cmd_stop
      die "broker not ready after ${KAFKA_START_TIMEOUT}s (full log: $LOG_FILE)"
    fi
    sleep 0.25
  done
  log "ready (pid $pid)"
  echo "$HOST:$KAFKA_PORT"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  # SIGTERM triggers Kafka's controlled shutdown, which flushes logs; give it time.
  local i
  for ((i = 0; i < 120; i++)); do
    is_broker "$pid" || break
    sleep 0.25
  done
  if is_broker "$pid"; then
    log "still alive after 30s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do is_broker "$pid" || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running (pid $pid) on $HOST:$KAFKA_PORT"
  else
    log "not running"
    return 1
  fi
}

cmd_clean() {
  cmd_stop
  # Guard against an empty/odd KAFKA_DATA_DIR turning this into rm -rf of something else.
  [[ -n "$KAFKA_DATA_DIR" && "$KAFKA_DATA_DIR" != "/" ]] || die "refusing to delete '$KAFKA_DATA_DIR'"
  rm -rf "$KAFKA_DATA_DIR"
  log "removed $KAFKA_DATA_DIR"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  *)
    echo "usage: $0 install|start|stop|status|clean" >&2
    exit 2
    ;;
esac
