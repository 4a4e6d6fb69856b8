#!/bin/bash
# fit-entrypoint - ENTRYPOINT of the FIT Framework base images (default command: fit start).
#   help | --help | -h    print the usage and exit 0
#   fit start|debug ARGS  turn the FIT_* variables into key=value arguments of fit start (FIT's highest
#                         configuration level, so the shipped, a mounted or a read-only conf file all work
#                         and none is ever written), print where each setting comes from, and run fit
#                         with the dynamic-plugin folder and JAVA_OPTS handed to the JVM in JDK_JAVA_OPTIONS
#                         (fit.js ignores JAVA_OPTS). SIGTERM/SIGINT are forwarded; a requested stop exits 0,
#                         fit ending by itself exits non-zero (fit.js reports an OOM kill as 0).
#   fit OTHER | anything  exec'd as given (fit version, bash, ...)
set -euo pipefail
# shellcheck source=common.sh
source "${FIT_SCRIPTS_LIB:-${BASH_SOURCE[0]%/bin/*}/lib/fit-images/common.sh}"
FIT_BIN=$FIT_JAVA_DIR/bin/fit
PLUGIN_DIR=$FIT_JAVA_DIR/dynamic-plugins

log() { printf '[fit-entrypoint] %s\n' "$*"; }
warn() { printf '[fit-entrypoint] WARNING: %s\n' "$*" >&2; }
die() {
	printf '[fit-entrypoint] ERROR: %s\n' "$*" >&2
	exit 1
}

usage() {
	local d=$FIT_JAVA_DIR
	cat <<EOF
FIT Framework ${FIT_VERSION:-} container
Usage: docker run [OPTIONS] IMAGE [COMMAND [ARG...]]

Commands:
  fit start [ARGS]   start the framework (default). ARGS: key=value settings, e.g. server.http.port=9090,
                     and JVM options starting with -
  fit debug [ARGS]   start with the JVM waiting for a debugger on 127.0.0.1:5005: inside the container only.
                     From outside: -p 5005:5005 IMAGE fit start \
                       -agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=*:5005
  fit version        print the FIT version;  fit help: help of the fit command
  help               this text;  anything else runs as given, e.g. bash

Settings (each becomes a key=value argument of fit start, which beats -D, environment and conf file):
  FIT_HTTP_PORT      server.http.port      (FIT's default 8080; publish the same port)
  FIT_WORKER_ID      worker.id             (default fit-worker-<hostname>, unique per container)
  FIT_WORKER_HOST    worker.host           (default the container's address)
  FIT_APP_NAME       application.name
  FIT_REGISTRY_HOST  matata.registry.host  (a remote one is waited for, FIT_REGISTRY_WAIT s, default 30)
  FIT_REGISTRY_PORT  matata.registry.port
  FIT_LOG_LEVEL      logging.level: trace, debug, info, warn, error or none
  JAVA_OPTS          JVM options (secret-looking values are masked in the log)
Any other key: pass key=value after fit start, or mount a conf over $d/conf/fitframework.yml
(the release's file is used as shipped; worker.id default-worker-id and worker.host localhost count as unset).

Endpoints: GET /actuator/plugins (every release: the plugins, root fit-discrete-launcher included),
GET /actuator/health (from FIT 3.6.3 on; 404 before).
Plugins: jars copied into $PLUGIN_DIR are loaded while FIT runs (every release);
or bake them in: FROM IMAGE, then COPY my-plugin.jar $d/plugins/
Mount points: $PLUGIN_DIR, $d/conf, $d/logs, $d/data
Read-only root (--read-only): a volume or tmpfs on /tmp, $d/logs, $d/data and $PLUGIN_DIR
Any uid in group 0 (OpenShift) can write $d/logs, $d/data and $PLUGIN_DIR

Examples:
  docker run -d -p 8080:8080 IMAGE
  docker run -d -p 9090:9090 -e FIT_HTTP_PORT=9090 -e FIT_WORKER_ID=worker-1 IMAGE
  docker run -d -v "\$PWD/fitframework.yml:$d/conf/fitframework.yml:ro" IMAGE
  docker run -d -v "\$PWD/plugins:$PLUGIN_DIR" IMAGE
  docker run --rm IMAGE fit version
EOF
}

# mask WORD...: the words, with the value of secret-looking key=value or -Dkey=value words replaced by ***.
mask() {
	local w out=()
	for w in "$@"; do
		[[ ${w,,} =~ ^[^=]*(pass|secret|token|key|cred|auth)[^=]*= ]] && w="${w:0:${#BASH_REMATCH[0]}}***"
		out+=("$w")
	done
	printf '%s' "${out[*]}"
}

# container_address: the address /etc/hosts gives this container's name (Docker writes it), else the
# first local IPv4 address that is not loopback (from the kernel's table: no iproute2 needed).
container_address() {
	local a names prev=''
	while read -r a names; do
		[[ " $names " == *" $HOSTNAME "* && $a != 127.* && $a != ::1 ]] && printf '%s' "$a" && return 0
	done < <(cat /etc/hosts 2>/dev/null)
	while read -r a names; do
		[[ "$a $names" == "/32 host LOCAL" && -n $prev && $prev != 127.* ]] && printf '%s' "$prev" && return 0
		[[ $a == "|--" ]] && prev=$names
	done < <(cat /proc/net/fib_trie 2>/dev/null)
	return 1
}

wait_for_registry() {
	local host=$1 port=$2 limit=${FIT_REGISTRY_WAIT:-30} end
	[[ $limit =~ ^[0-9]+$ ]] || die "FIT_REGISTRY_WAIT must be a number of seconds, got '$limit'"
	case $host in localhost | 127.0.0.1 | ::1 | '') return 0 ;; esac
	end=$((SECONDS + limit))
	log "waiting up to ${limit}s for registry $host:$port"
	# shellcheck disable=SC2016 # $0 and $1 are the inner shell's
	until timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; do
		((SECONDS < end)) || { warn "registry $host:$port not reachable after ${limit}s; starting anyway" && return 0; }
		sleep 1
	done
	log "registry $host:$port is reachable"
}

# start fit start|debug ARGS: see the top of this file.
start() {
	local cmd=$1 entry name key value
	shift
	[[ -x $FIT_BIN ]] || die "FIT launcher missing or not executable: $FIT_BIN (is the release unpacked in $FIT_JAVA_DIR?)"
	local -a args=("$@")
	local -A from=() # key -> where a value the entrypoint added comes from
	if [[ -n ${FIT_LOG_LEVEL:-} && ! ${FIT_LOG_LEVEL,,} =~ ^(trace|debug|info|warn|error|none)$ ]]; then
		die "FIT_LOG_LEVEL=$FIT_LOG_LEVEL is not a level FIT knows (it would silently turn logging off): use trace, debug, info, warn, error or none"
	fi
	for name in FIT_HTTP_PORT FIT_REGISTRY_PORT; do
		[[ -z ${!name:-} || ${!name} =~ ^[1-9][0-9]{0,4}$ && ${!name} -le 65535 ]] || die "$name must be a port number 1-65535, got '${!name}'"
	done
	for entry in FIT_APP_NAME:application.name FIT_WORKER_ID:worker.id FIT_WORKER_HOST:worker.host \
		FIT_HTTP_PORT:server.http.port FIT_REGISTRY_HOST:matata.registry.host \
		FIT_REGISTRY_PORT:matata.registry.port FIT_LOG_LEVEL:logging.level; do
		name=${entry%%:*} key=${entry#*:} value=${!name:-}
		[[ $value != *[[:cntrl:]]* ]] || die "$name must be one line without control characters"
		[[ $name == FIT_LOG_LEVEL ]] && value=${value,,}
		if fit_setting "$key" "$@" && [[ $SOURCE == argument* ]]; then
			[[ -z $value || $value == "$SETTING" ]] || warn "$name=$value is not applied: the argument $key=$SETTING is"
		elif [[ -n $value ]]; then
			args+=("$key=$value") from[$key]=$name
		fi
	done
	# A worker id or host nobody set (the release's placeholders count as unset) is made per container.
	if ! fit_setting worker.id "${args[@]}" || [[ $SETTING == default-worker-id ]]; then
		args+=("worker.id=fit-worker-$HOSTNAME") from[worker.id]="default: unique per container"
	fi
	if ! fit_setting worker.host "${args[@]}" || [[ $SETTING == localhost ]]; then
		if value=$(container_address); then
			args+=("worker.host=$value") from[worker.host]="default: the container's address"
		else
			warn "cannot tell the container's address; worker.host stays ${SETTING:-unset}"
		fi
	fi
	http_port "${args[@]}" || die "server.http.port must be a port number 1-65535, got '$SETTING' ($SOURCE)"
	log "FIT Framework ${FIT_VERSION:-} in $FIT_JAVA_DIR, conf file: $(conf_file || echo none)"
	log "server.http.port: $SETTING (${from[server.http.port]:-$SOURCE})"
	for key in worker.id worker.host application.name matata.registry.host matata.registry.port logging.level; do
		if fit_setting "$key" "${args[@]}"; then
			log "$key: $SETTING (${from[$key]:-$SOURCE})"
		else
			log "$key: FIT's default"
		fi
	done
	# shellcheck disable=SC2086 # JVM options are words
	log "JAVA_OPTS: $(mask ${JAVA_OPTS:-})"
	log "dynamic plugins: $PLUGIN_DIR (jars copied there are loaded while FIT runs)"
	log "command: fit $cmd $(mask "${args[@]}")"
	fit_setting matata.registry.host "${args[@]}" && value=$SETTING || value=''
	fit_setting matata.registry.port "${args[@]}" || SETTING=8080
	wait_for_registry "$value" "$SETTING"

	mkdir -p "$FIT_JAVA_DIR/logs" "$FIT_JAVA_DIR/data" "$PLUGIN_DIR" 2>/dev/null || die "cannot create the runtime folders in $FIT_JAVA_DIR as uid $EUID"
	# JVM options go through an argument file so that the JVM's "Picked up JDK_JAVA_OPTIONS" note shows no secret.
	opts=$(mktemp "${TMPDIR:-/tmp}/fit-jvm-options.XXXXXX") || die "cannot write the JVM options file"
	printf '%s\n' "-Dplugin.fit.dynamic.plugin.directory=$PLUGIN_DIR" "${JAVA_OPTS:-}" >"$opts"
	export JDK_JAVA_OPTIONS="@$opts${JDK_JAVA_OPTIONS:+ $JDK_JAVA_OPTIONS}"

	cd "$PLUGIN_DIR" # 3.6.0 and 3.6.1 watch the working directory of fit start whatever is set
	local child rc stop=''
	"$FIT_BIN" "$cmd" "${args[@]}" &
	child=$!
	trap 'stop=TERM; kill -TERM "$child" 2>/dev/null || :' TERM
	trap 'stop=INT; kill -INT "$child" 2>/dev/null || :' INT
	# a trapped signal interrupts wait: wait again until fit is gone
	until wait "$child" && rc=0 || rc=$?; ! kill -0 "$child" 2>/dev/null; do :; done
	if [[ -n $stop ]]; then
		log "stopped on SIG$stop (fit exited with status $rc)"
		exit 0
	fi
	log "fit $cmd ended by itself with status $rc"
	((rc != 0)) || die "fit $cmd ended without being asked to stop; exiting 1 so a restart policy applies (an OOM kill shows as status 0)"
	exit "$rc"
}

trap 'exit 0' TERM INT # until fit runs: as PID 1 the shell would ignore them
(($# > 0)) || set -- fit start
case $1 in
help | --help | -h) usage ;;
fit)
	shift
	case ${1:-} in
	start | debug) start "$@" ;;
	*) exec "$FIT_BIN" "$@" ;;
	esac
	;;
*) exec "$@" ;;
esac
