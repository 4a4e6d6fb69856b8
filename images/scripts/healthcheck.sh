#!/bin/bash
# fit-healthcheck - HEALTHCHECK of the FIT Framework base images. Healthy (exit 0) when FIT's JVM (java
# -jar $FIT_JAVA_DIR/fit-discrete-launcher-*.jar) runs and GET /actuator/plugins, which every release serves, answers
# 2xx on the port FIT really uses: read from the JVM's command line the way FIT resolves it (argument >
# -D > environment > conf file > 8080). Otherwise one line "unhealthy: …" and exit 1.
set -uo pipefail
# shellcheck source=common.sh
source "${FIT_SCRIPTS_LIB:-${BASH_SOURCE[0]%/bin/*}/lib/fit-images/common.sh}" || exit 1

unhealthy() {
	printf 'unhealthy: %s\n' "$*"
	exit 1
}

# fit_jvm: sets PID and WORDS to the FIT JVM and its command line.
fit_jvm() {
	local dir word
	for dir in /proc/[0-9]*; do
		WORDS=()
		while IFS= read -r -d '' word; do WORDS+=("$word"); done 2>/dev/null <"$dir/cmdline"
		for word in "${WORDS[@]}"; do
			[[ $word == "$FIT_JAVA_DIR"/fit-discrete-launcher-*.jar ]] && PID=${dir#/proc/} && return 0
		done
	done
	return 1
}

fit_jvm || unhealthy "FIT is not running (no java process of $FIT_JAVA_DIR/fit-discrete-launcher-*.jar)"
http_port "${WORDS[@]}" || unhealthy "invalid HTTP port '$SETTING' (from $SOURCE)"
url=http://127.0.0.1:$SETTING/actuator/plugins
code=$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$url") ||
	unhealthy "no answer from GET $url (port from $SOURCE; curl status $?: 7 nothing listens, 28 no answer within 5s)"
[[ $code == 2?? ]] || unhealthy "GET $url answered HTTP $code"
printf 'healthy: FIT runs as pid %s, GET %s answered HTTP %s (port from %s)\n' "$PID" "$url" "$code" "$SOURCE"
