#!/bin/bash
# fit-entrypoint - ENTRYPOINT of the FIT Framework base images.
#
# How the arguments are handled (the image's default command is "fit start"):
#   (none)               same as "fit start"
#   help | --help | -h   print the usage text and exit 0
#   fit start [ARGS]     check the installation, create the runtime folders, prepare
#   fit debug [ARGS]     conf/fitframework.yml (see below), wait for a remote registry,
#                        print a banner, then run "fit start|debug ARGS" as a child process from
#                        $FIT_JAVA_DIR/dynamic-plugins. On SIGTERM/SIGINT "fit stop" is asked
#                        (its failure is ignored), TERM is forwarded to the child, and the script
#                        exits 0 once the child is gone; otherwise it exits with the child's status.
#                        The script does not exec here, or its signal traps would be lost.
#   fit OTHER [ARGS]     short-lived commands (version, help, init, ...) are exec'd straight away:
#                        they only need the launcher, not the configuration, the folders or a banner,
#                        and their output stays clean for scripts that parse it ("fit version").
#                        A bare "fit" is handed to the launcher as well, which prints its own error.
#   anything else        exec'd unchanged, e.g. "bash" or "bash -c 'id -u'".
#
# conf/fitframework.yml, before "fit start|debug":
#   missing              written from the FIT_* variables, with defaults for the unset ones.
#   mounted              (the file, its conf folder, FIT_JAVA_DIR or FIT_HOME is a mount point in
#                        $FIT_MOUNTINFO, default /proc/self/mountinfo; or that cannot be read): a
#                        configuration of the user's, never modified. Each FIT_* variable that
#                        differs from the file is reported as not applied.
#   otherwise            (shipped with the release, or written by an earlier start): each FIT_*
#                        variable that is set is written into it with conf_set (application.name,
#                        worker.id, server.http.port, matata.registry.host, matata.registry.port,
#                        logging.level), one log line each; unset ones keep the file's values,
#                        except that a file without worker.id gets fit-worker-<hostname>. If the
#                        file cannot be updated (read-only, or its layout is in the way), a warning
#                        says so and the start goes on with the file as it is.
# The banner shows the values read back from the file.
#
# Messages go to stdout with the prefix "[fit-entrypoint] "; warnings and errors go to stderr.
set -euo pipefail

FIT_HOME=${FIT_HOME:-/opt/fit-framework}
FIT_JAVA_DIR=${FIT_JAVA_DIR:-$FIT_HOME/java}
FIT_BIN=$FIT_JAVA_DIR/bin/fit
CONF_FILE=$FIT_JAVA_DIR/conf/fitframework.yml
PLUGIN_DIR=$FIT_JAVA_DIR/dynamic-plugins
STOP_TIMEOUT=8 # seconds granted to "fit stop" on shutdown (docker's default grace period is 10 s)

# nap, tcp_open, yaml_scalar, conf_get and conf_set come from the library shared with
# fit-healthcheck: $FIT_SCRIPTS_LIB, else ../lib/fit-images/common.sh from this script's folder
# (written without the "bin/..", so /usr/local/bin/fit-entrypoint uses
# /usr/local/lib/fit-images/common.sh).
fit_lib=.
[[ ${BASH_SOURCE[0]} != */* ]] || fit_lib=${BASH_SOURCE[0]%/*}
if [[ $fit_lib == */bin ]]; then fit_lib=${fit_lib%/bin}; else fit_lib+=/..; fi
fit_lib=${FIT_SCRIPTS_LIB:-$fit_lib/lib/fit-images/common.sh}
if [[ ! -f $fit_lib || ! -r $fit_lib ]]; then
	printf 'fit-entrypoint: missing %s: the image is broken\n' "$fit_lib" >&2
	exit 1
fi
# shellcheck source=common.sh
source "$fit_lib"

log() { printf '[fit-entrypoint] %s\n' "$*"; }
warn() { printf '[fit-entrypoint] WARNING: %s\n' "$*" >&2; }
die() {
	printf '[fit-entrypoint] ERROR: %s\n' "$*" >&2
	exit 1
}

usage() {
	local dir=$FIT_JAVA_DIR
	printf '%s\n' \
		"FIT Framework${FIT_VERSION:+ $FIT_VERSION} container" \
		"" \
		"Usage: docker run [OPTIONS] IMAGE [COMMAND [ARG...]]" \
		"" \
		"Commands:" \
		"  fit start [ARGS]    start the framework (the default command)" \
		"  fit debug [ARGS]    start it with a Java debugger waiting on port 5005" \
		"  fit version         print the FIT version" \
		"  fit help            print the help of the fit launcher" \
		"  help, --help, -h    print this text" \
		"  anything else       run as given, e.g. bash or bash -c 'id -u'" \
		"" \
		"Environment variables. They write conf/fitframework.yml when it is missing (defaults below) and" \
		"override the values of an existing one, e.g. the release's (unset ones leave its values alone)." \
		"A mounted file, or a file in a mounted conf, java or FIT home folder, is never modified." \
		"  FIT_APP_NAME        application name                 (default: fit-app)" \
		"  FIT_WORKER_ID       worker id                        (default: fit-worker-<hostname>)" \
		"  FIT_HTTP_PORT       HTTP port of the framework       (default: 8080)" \
		"  FIT_REGISTRY_HOST   registry host                    (default: localhost)" \
		"  FIT_REGISTRY_PORT   registry port                    (default: 8080)" \
		"  FIT_ENVIRONMENT     worker and registry environment  (default: local; only for a missing file)" \
		"  FIT_LOG_LEVEL       log level                        (default: info)" \
		"Other environment variables:" \
		"  FIT_REGISTRY_WAIT   seconds to wait for a remote registry before starting anyway (default: 30)" \
		"  JAVA_OPTS           JVM options, handed to Java through JDK_JAVA_OPTIONS" \
		"                      (default: ${JAVA_OPTS:--Xms256m -Xmx1024m -Djava.awt.headless=true})" \
		"" \
		"Mount points:" \
		"  $dir/dynamic-plugins   plugins loaded at start (the working directory)" \
		"  $dir/conf              configuration; a mounted fitframework.yml is never modified" \
		"  $dir/logs              logs" \
		"  $dir/data              data" \
		"" \
		"Examples:" \
		"  docker run -d -p 8080:8080 IMAGE" \
		"  docker run -d -p 9090:9090 -e FIT_HTTP_PORT=9090 -e FIT_WORKER_ID=worker-1 IMAGE" \
		"  docker run -d -e FIT_REGISTRY_HOST=registry.example -e FIT_REGISTRY_PORT=8080 IMAGE" \
		"  docker run -d -v \"\$PWD/plugins:$dir/dynamic-plugins\" IMAGE" \
		"  docker run -d -v \"\$PWD/fitframework.yml:$dir/conf/fitframework.yml:ro\" IMAGE" \
		"  docker run --rm IMAGE fit version"
}

# valid_port VALUE: VALUE is a decimal number 1-65535.
valid_port() {
	[[ $1 =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

host_name() {
	local name=''
	if command -v hostname >/dev/null 2>&1; then
		name=$(hostname 2>/dev/null) || name=''
	fi
	if [[ -z $name && -r /etc/hostname ]]; then
		IFS= read -r name </etc/hostname || :
	fi
	name=${name//[[:space:]]/}
	[[ -n $name ]] || name=${HOSTNAME:-}
	printf '%s' "${name:-unknown}"
}

require_launcher() {
	[[ -e $FIT_BIN ]] || die "FIT launcher not found: $FIT_BIN. Is the FIT release unpacked into FIT_JAVA_DIR=$FIT_JAVA_DIR?"
	[[ -f $FIT_BIN ]] || die "FIT launcher is not a regular file: $FIT_BIN"
	if [[ ! -x $FIT_BIN ]]; then
		if [[ -w $FIT_BIN ]] && chmod +x "$FIT_BIN" 2>/dev/null; then
			printf '[fit-entrypoint] made %s executable\n' "$FIT_BIN" >&2
		else
			die "FIT launcher is not executable and uid $EUID cannot change that: $FIT_BIN"
		fi
	fi
}

# read_settings: validate the environment and set the values a generated conf file would use.
read_settings() {
	local name
	for name in FIT_APP_NAME FIT_WORKER_ID FIT_REGISTRY_HOST FIT_LOG_LEVEL FIT_ENVIRONMENT; do
		if [[ ${!name:-} == *[[:cntrl:]]* ]]; then
			die "$name must be a single line without control characters"
		fi
	done
	for name in FIT_HTTP_PORT FIT_REGISTRY_PORT; do
		if [[ -n ${!name:-} ]] && ! valid_port "${!name}"; then
			die "$name must be a port number between 1 and 65535, got '${!name}'"
		fi
	done
	if [[ -n ${FIT_REGISTRY_WAIT:-} && ! ${FIT_REGISTRY_WAIT} =~ ^[0-9]{1,6}$ ]]; then
		die "FIT_REGISTRY_WAIT must be a whole number of seconds, got '${FIT_REGISTRY_WAIT}'"
	fi
	if [[ -n ${FIT_REGISTRY_HOST:-} && ! ${FIT_REGISTRY_HOST} =~ ^[A-Za-z0-9._:%-]+$ ]]; then
		die "FIT_REGISTRY_HOST must be a host name or an IP address (IPv6 without brackets), got '${FIT_REGISTRY_HOST}'"
	fi
	if [[ -n ${FIT_LOG_LEVEL:-} && ! ${FIT_LOG_LEVEL} =~ ^[A-Za-z]+$ ]]; then
		die "FIT_LOG_LEVEL must be a level name such as debug, info, warn or error, got '${FIT_LOG_LEVEL}'"
	fi

	APP_NAME=${FIT_APP_NAME:-fit-app}
	WORKER_ID=${FIT_WORKER_ID:-fit-worker-$(host_name)}
	HTTP_PORT=$((10#${FIT_HTTP_PORT:-8080}))
	REGISTRY_HOST=${FIT_REGISTRY_HOST:-localhost}
	REGISTRY_PORT=$((10#${FIT_REGISTRY_PORT:-8080}))
	ENVIRONMENT=${FIT_ENVIRONMENT:-local}
	LOG_LEVEL=${FIT_LOG_LEVEL:-info}
	REGISTRY_WAIT=$((10#${FIT_REGISTRY_WAIT:-30}))
}

prepare_folders() {
	local sub
	for sub in logs data dynamic-plugins; do
		[[ -d $FIT_JAVA_DIR/$sub ]] && continue
		mkdir -p "$FIT_JAVA_DIR/$sub" 2>/dev/null || die "cannot create $FIT_JAVA_DIR/$sub as uid $EUID"
		log "created $FIT_JAVA_DIR/$sub"
	done
}

render_conf() {
	printf '%s\n' \
		"# Written by fit-entrypoint because this file did not exist. FIT_* variables set at a later" \
		"# start are written into it; mount your own file here to keep the entrypoint out of it." \
		"application:" \
		"  name: $(yaml_scalar "$APP_NAME")" \
		"" \
		"worker:" \
		"  id: $(yaml_scalar "$WORKER_ID")" \
		"  host: 0.0.0.0" \
		"  environment: $(yaml_scalar "$ENVIRONMENT")" \
		"  environment-sequence: $(yaml_scalar "$ENVIRONMENT")" \
		"" \
		"matata:" \
		"  registry:" \
		"    host: $(yaml_scalar "$REGISTRY_HOST")" \
		"    port: $REGISTRY_PORT" \
		"    protocol: 2" \
		"    environment: $(yaml_scalar "$ENVIRONMENT")" \
		"" \
		"fit:" \
		"  beans:" \
		"    packages:" \
		"      - modelengine.fitframework" \
		"      - modelengine.fit" \
		"" \
		"server:" \
		"  http:" \
		"    port: $HTTP_PORT" \
		"" \
		"logging:" \
		"  level: $(yaml_scalar "$LOG_LEVEL")"
}

# write_conf_if_missing: sets CONF_EXISTED=1 when a conf file was already there, else writes one.
write_conf_if_missing() {
	CONF_EXISTED=0
	if [[ -e $CONF_FILE ]]; then
		CONF_EXISTED=1
		return
	fi
	mkdir -p "${CONF_FILE%/*}" 2>/dev/null || die "cannot create ${CONF_FILE%/*} as uid $EUID"
	# noclobber: should the file appear meanwhile, it is kept rather than replaced
	if ! (
		set -o noclobber
		render_conf >"$CONF_FILE"
	) 2>/dev/null; then
		if [[ -e $CONF_FILE ]]; then
			CONF_EXISTED=1
			return
		fi
		die "cannot write $CONF_FILE as uid $EUID"
	fi
	log "wrote $CONF_FILE from the environment"
}

# conf_is_mounted: succeed when the conf file, its folder, FIT_JAVA_DIR or FIT_HOME is a mount
# point: a configuration the user provides. Reads $FIT_MOUNTINFO (only set by tests), default
# /proc/self/mountinfo, whose 5th field is the mount point with space, tab, newline and backslash
# written as octal escapes. Each path is tried as given and with symbolic links resolved. Status 2
# when the mount table cannot be read.
conf_is_mounted() {
	local info=${FIT_MOUNTINFO:-/proc/self/mountinfo} dir path real i
	local -a want=() fields=()
	for path in "$CONF_FILE" "${CONF_FILE%/*}" "$FIT_JAVA_DIR" "$FIT_HOME"; do
		while [[ $path == *//* ]]; do path=${path//\/\///}; done
		[[ $path == / ]] || path=${path%/}
		want+=("$path")
		if [[ -d $path ]]; then
			real=$(CDPATH='' cd -P -- "$path" 2>/dev/null && pwd -P) || real=''
		else
			dir=${path%/*}
			real=$(CDPATH='' cd -P -- "${dir:-/}" 2>/dev/null && pwd -P) || real=''
			[[ -z $real ]] || real=${real%/}/${path##*/}
		fi
		[[ -z $real ]] || want+=("$real")
	done
	for ((i = 0; i < ${#want[@]}; i++)); do
		path=${want[i]//\\/\\134}
		path=${path// /\\040}
		path=${path//$'\t'/\\011}
		want[i]=${path//$'\n'/\\012}
	done
	[[ -r $info ]] || return 2
	while read -r -a fields; do
		for path in "${want[@]}"; do
			[[ ${fields[4]-} != "$path" ]] || return 0
		done
	done <"$info" 2>/dev/null
	return 1
}

# The FIT_* variables written into an existing conf file that is not mounted: NAME KEY TYPE.
CONF_OVERRIDES=(
	"FIT_APP_NAME application.name text"
	"FIT_WORKER_ID worker.id text"
	"FIT_HTTP_PORT server.http.port number"
	"FIT_REGISTRY_HOST matata.registry.host text"
	"FIT_REGISTRY_PORT matata.registry.port number"
	"FIT_LOG_LEVEL logging.level text"
)

# set_conf KEY VALUE SOURCE [-n]: write VALUE for KEY into the conf file unless it already holds
# it; SOURCE is the variable it comes from, or "default". Logs the change, or warns that it failed.
set_conf() {
	local key=$1 value=$2 source=$3 current='' had=0 what why
	shift 3
	if current=$(conf_get "$CONF_FILE" "$key"); then had=1; fi
	if ((had)) && [[ $current == "$value" ]]; then return 0; fi
	if conf_set "$@" "$CONF_FILE" "$key" "$value"; then
		if [[ $source == default ]]; then
			log "conf: $key = $value (default, the file sets none)"
		else
			log "conf: $key = $value ($source)"
		fi
		return 0
	fi
	what="$source=$value"
	[[ $source != default ]] || what="the default $key $value"
	if [[ -L $CONF_FILE ]]; then
		why="$CONF_FILE is a symbolic link, which is not replaced"
	elif [[ ! -w $CONF_FILE || ! -w ${CONF_FILE%/*} ]]; then
		why="$CONF_FILE is not writable by uid $EUID"
	else
		why="the layout of $CONF_FILE does not allow setting $key"
	fi
	if ((had)); then
		warn "$what is not applied: $why; it sets $key to $current"
	else
		warn "$what is not applied: $why; it has no value for $key"
	fi
}

# apply_env_to_conf: write every FIT_* variable that is set into the existing, unmounted conf file.
apply_env_to_conf() {
	local entry name key type value
	for entry in "${CONF_OVERRIDES[@]}"; do
		name=${entry%% *} type=${entry##* }
		key=${entry#"$name "}
		key=${key%" $type"}
		value=${!name:-}
		[[ -n $value ]] || continue
		if [[ $type == number ]]; then
			set_conf "$key" "$((10#$value))" "$name" -n
		else
			set_conf "$key" "$value" "$name"
		fi
	done
	if [[ -z ${FIT_WORKER_ID:-} ]] && ! conf_get "$CONF_FILE" worker.id >/dev/null; then
		set_conf worker.id "$WORKER_ID" default
	fi
}

# from_conf KEY FALLBACK ENVNAME: the value the running framework will use for KEY. When the conf
# file pre-existed its value wins; for a mounted file an env var saying otherwise is reported, since
# it has no effect (for any other file apply_env_to_conf already reported what it could not apply).
from_conf() {
	local key=$1 fallback=$2 envname=$3 value
	if ((CONF_EXISTED)) && value=$(conf_get "$CONF_FILE" "$key"); then
		if [[ $CONF_SOURCE == mounted && -n ${!envname:-} && ${!envname} != "$value" ]]; then
			warn "$envname=${!envname} is not applied: the mounted $CONF_FILE sets $key to $value"
		fi
		printf '%s' "$value"
	else
		printf '%s' "$fallback"
	fi
}

# prepare_conf: write, update or leave conf/fitframework.yml as described at the top; sets
# CONF_EXISTED (0 or 1) and CONF_SOURCE (generated, mounted or shipped).
prepare_conf() {
	local rc=0
	write_conf_if_missing
	CONF_SOURCE=generated
	((CONF_EXISTED)) || return 0
	conf_is_mounted || rc=$?
	case $rc in
	0)
		CONF_SOURCE=mounted
		log "conf: $CONF_FILE is mounted; it is used as it is"
		;;
	1)
		CONF_SOURCE=shipped
		apply_env_to_conf
		;;
	*)
		CONF_SOURCE=mounted
		warn "cannot read ${FIT_MOUNTINFO:-/proc/self/mountinfo}; $CONF_FILE is treated as mounted and used as it is"
		;;
	esac
	if [[ -n ${FIT_ENVIRONMENT:-} ]]; then
		warn "FIT_ENVIRONMENT=$FIT_ENVIRONMENT is not applied: it is only used to write a missing $CONF_FILE"
	fi
}

wait_for_registry() {
	local host=$1 port=$2 limit=$3 started elapsed next probe
	case $host in
	localhost | 127.0.0.1 | ::1) return 0 ;;
	esac
	if ! valid_port "$port"; then
		warn "registry port '$port' is not a valid port; not waiting for the registry"
		return 0
	fi
	if ((limit == 0)); then
		log "FIT_REGISTRY_WAIT=0: not waiting for registry $host:$port"
		return 0
	fi
	log "waiting up to ${limit}s for registry $host:$port"
	started=$SECONDS
	next=$((started + 5))
	while :; do
		elapsed=$((SECONDS - started))
		probe=$((limit - elapsed))
		((probe > 2)) && probe=2
		((probe < 1)) && probe=1
		if tcp_open "$host" "$port" "$probe"; then
			log "registry $host:$port is reachable (after $((SECONDS - started))s)"
			return 0
		fi
		elapsed=$((SECONDS - started))
		if ((elapsed >= limit)); then
			warn "registry $host:$port is not reachable after ${limit}s; starting FIT anyway"
			return 0
		fi
		if ((SECONDS >= next)); then
			log "still waiting for registry $host:$port (${elapsed}s of ${limit}s)"
			next=$((SECONDS + 5))
		fi
		nap 1
	done
}

CHILD=0
STOPPING=0

# shellcheck disable=SC2317 # only reached through the traps set in main
on_signal() {
	local sig=$1 rc=0
	if ((STOPPING)); then
		((CHILD > 0)) && kill -TERM "$CHILD" 2>/dev/null
		return 0
	fi
	STOPPING=1
	log "received SIG$sig, stopping FIT"
	if command -v timeout >/dev/null 2>&1; then
		timeout "$STOP_TIMEOUT" "$FIT_BIN" stop || rc=$?
	else
		"$FIT_BIN" stop || rc=$?
	fi
	((rc == 0)) || log "'fit stop' ended with status $rc (ignored)"
	if ((CHILD > 0)); then
		kill -TERM "$CHILD" 2>/dev/null || :
		while kill -0 "$CHILD" 2>/dev/null; do
			wait "$CHILD" 2>/dev/null || :
		done
	fi
	log "FIT stopped"
	exit 0
}

main() {
	(($# > 0)) || set -- fit start
	case $1 in
	help | --help | -h)
		usage
		exit 0
		;;
	fit) shift ;;
	*) exec "$@" ;;
	esac
	case ${1:-} in
	start | debug) ;;
	*)
		require_launcher
		exec "$FIT_BIN" "$@"
		;;
	esac

	require_launcher
	read_settings
	prepare_folders
	prepare_conf

	local worker port reg_host reg_port level conf_note
	worker=$(from_conf worker.id "$WORKER_ID" FIT_WORKER_ID)
	port=$(from_conf server.http.port "$HTTP_PORT" FIT_HTTP_PORT)
	reg_host=$(from_conf matata.registry.host "$REGISTRY_HOST" FIT_REGISTRY_HOST)
	reg_port=$(from_conf matata.registry.port "$REGISTRY_PORT" FIT_REGISTRY_PORT)
	level=$(from_conf logging.level "$LOG_LEVEL" FIT_LOG_LEVEL)
	case $CONF_SOURCE in
	mounted) conf_note="mounted, left unchanged; values above read from conf/fitframework.yml where it sets them" ;;
	shipped) conf_note="existing file, FIT_* variables written into it; values above read from conf/fitframework.yml where it sets them" ;;
	*) conf_note="generated from the environment" ;;
	esac

	wait_for_registry "$reg_host" "$reg_port" "$REGISTRY_WAIT"

	log "=================================================="
	log "FIT Framework ${FIT_VERSION:-unknown}"
	log "Worker ID: $worker"
	log "HTTP port: $port"
	log "Registry: $reg_host:$reg_port"
	log "JAVA_HOME: ${JAVA_HOME:-(not set)}"
	log "FIT home: $FIT_JAVA_DIR"
	log "Config: $CONF_FILE ($conf_note)"
	log "Log level: $level"
	log "JAVA_OPTS: ${JAVA_OPTS:-(not set)}"
	log "Plugins: $PLUGIN_DIR"
	log "Command: fit $*"
	log "=================================================="

	cd "$PLUGIN_DIR" || die "cannot enter $PLUGIN_DIR"
	# The fit launcher does not read JAVA_OPTS; the java launcher reads JDK_JAVA_OPTIONS.
	if [[ -n ${JAVA_OPTS:-} ]]; then
		export JDK_JAVA_OPTIONS="$JAVA_OPTS${JDK_JAVA_OPTIONS:+ $JDK_JAVA_OPTIONS}"
	fi

	trap 'on_signal TERM' TERM
	trap 'on_signal INT' INT
	"$FIT_BIN" "$@" &
	CHILD=$!
	local rc=0
	wait "$CHILD" || rc=$?
	# a signal interrupts wait and runs on_signal, which exits; reaching here means fit ended
	log "fit $1 exited with status $rc"
	exit "$rc"
}

main "$@"
