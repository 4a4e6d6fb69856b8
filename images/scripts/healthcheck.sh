#!/bin/bash
# fit-healthcheck - HEALTHCHECK command of the FIT Framework base images.
#
# Healthy (exit 0, one line "healthy: ...") only when all of these hold, checked in this order:
#   1. a "fit start" process runs: some process has an argument "fit" (or ending in "/fit")
#      directly followed by "start" (or "debug"). The entrypoint ("fit-entrypoint fit start")
#      and this script are never counted. Found by reading /proc/*/cmdline, so neither procps
#      nor pgrep is needed.
#   2. the HTTP port accepts TCP connections on 127.0.0.1. The port is server.http.port of
#      $FIT_JAVA_DIR/conf/fitframework.yml (what the framework reads: the entrypoint writes env
#      overrides into it, but never into a mounted file), else FIT_HTTP_PORT, else 8080.
#   3. when curl is installed: GET http://127.0.0.1:PORT/actuator/plugins answers 2xx.
# Otherwise it prints one line "unhealthy: ..." naming the failed check and exits 1.
# Every step is time-bounded (TCP 3 s, HTTP 5 s), below docker's 10 s healthcheck timeout.
set -uo pipefail

FIT_HOME=${FIT_HOME:-/opt/fit-framework}
FIT_JAVA_DIR=${FIT_JAVA_DIR:-$FIT_HOME/java}
CONF_FILE=$FIT_JAVA_DIR/conf/fitframework.yml

unhealthy() {
	printf 'unhealthy: %s\n' "$*"
	exit 1
}

# tcp_open and conf_get come from the library shared with fit-entrypoint, found the same way:
# $FIT_SCRIPTS_LIB, else ../lib/fit-images/common.sh from this script's folder.
fit_lib=.
[[ ${BASH_SOURCE[0]} != */* ]] || fit_lib=${BASH_SOURCE[0]%/*}
if [[ $fit_lib == */bin ]]; then fit_lib=${fit_lib%/bin}; else fit_lib+=/..; fi
fit_lib=${FIT_SCRIPTS_LIB:-$fit_lib/lib/fit-images/common.sh}
[[ -f $fit_lib && -r $fit_lib ]] || unhealthy "missing $fit_lib: the image is broken"
# shellcheck source=common.sh
source "$fit_lib"

# find_fit_start: print the pid of the first "fit start" process; fail when there is none.
find_fit_start() {
	local dir pid word prev matched own
	local -a argv
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		[[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
		[[ -r $dir/cmdline ]] || continue
		argv=()
		while IFS= read -r -d '' word || [[ -n $word ]]; do
			argv+=("$word")
		done 2>/dev/null <"$dir/cmdline" || continue
		prev='' matched=0 own=0
		for word in "${argv[@]}"; do
			case $word in
			fit-entrypoint | */fit-entrypoint | fit-healthcheck | */fit-healthcheck) own=1 ;;
			esac
			if [[ ($word == start || $word == debug) && ($prev == fit || $prev == */fit) ]]; then
				matched=1
			fi
			prev=$word
		done
		if ((matched && !own)); then
			printf '%s\n' "$pid"
			return 0
		fi
	done
	return 1
}

main() {
	local pid port source url code rc detail
	pid=$(find_fit_start) || unhealthy "no 'fit start' process is running"

	if port=$(conf_get "$CONF_FILE" server.http.port); then
		source="server.http.port in $CONF_FILE"
	elif [[ -n ${FIT_HTTP_PORT:-} ]]; then
		port=$FIT_HTTP_PORT source=FIT_HTTP_PORT
	else
		port=8080 source=default
	fi
	if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
		unhealthy "invalid HTTP port '$port' (from $source)"
	fi
	port=$((10#$port))

	tcp_open 127.0.0.1 "$port" 3 || unhealthy "nothing listens on port $port (from $source); fit start runs as pid $pid"

	if ! command -v curl >/dev/null 2>&1; then
		printf 'healthy: fit start runs as pid %s, port %s accepts connections (curl not installed, HTTP check skipped)\n' "$pid" "$port"
		exit 0
	fi
	url=http://127.0.0.1:$port/actuator/plugins
	rc=0
	code=$(curl -fsS --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null) || rc=$?
	if [[ $code != 2[0-9][0-9] ]]; then
		case $rc in
		0 | 22) detail="HTTP $code" ;;
		7) detail="connection refused" ;;
		28) detail="no answer within 5s" ;;
		52) detail="empty reply" ;;
		*) detail="curl exit status $rc, HTTP ${code:-000}" ;;
		esac
		unhealthy "GET $url failed: $detail"
	fi
	printf 'healthy: fit start runs as pid %s, port %s accepts connections, GET /actuator/plugins answered HTTP %s\n' "$pid" "$port" "$code"
}

main "$@"
