# shellcheck shell=bash
# common.sh - functions shared by fit-entrypoint and fit-healthcheck (FIT Framework base images).
#
# Installed in the image at /usr/local/lib/fit-images/common.sh (mode 0644) and sourced by both
# scripts; it is not a command. Sourcing it only defines functions: it sets no variables and no
# shell options, prints nothing and runs nothing. The functions work with or without set -euo
# pipefail and need only bash; sleep, timeout and nc are used when installed.

# nap SECONDS: sleep, without needing an external sleep binary.
nap() {
	if command -v sleep >/dev/null 2>&1; then
		sleep "$1"
	else
		read -rt "$1" <> <(:) || :
	fi
}

# tcp_open HOST PORT SECONDS: succeed when HOST:PORT accepts a TCP connection within SECONDS.
# Tries, by what is installed: timeout with bash's /dev/tcp, then nc -z, then /dev/tcp in a
# background subshell that is killed after SECONDS.
tcp_open() {
	local host=$1 port=$2 secs=$3 pid i
	if command -v timeout >/dev/null 2>&1; then
		# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
		timeout "$secs" "$BASH" -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
		return
	fi
	if command -v nc >/dev/null 2>&1; then
		nc -z -w "$secs" "$host" "$port" >/dev/null 2>&1
		return
	fi
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null &
	pid=$!
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return
		fi
		nap 0.1
	done
	kill "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	return 1
}

# conf_get FILE KEY: print the scalar at the dotted KEY (e.g. server.http.port) of a YAML file.
# Only block mappings are understood (what fit-entrypoint writes and what FIT ships); list items,
# flow collections and multi-line scalars are skipped. Fails when the key has no value.
conf_get() {
	local file=$1 want=$2 line indent key value path
	local -a keys=() indents=()
	local re='^( *)([A-Za-z0-9_.-]+):( +(.*))?$'
	[[ -r $file ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		[[ $line =~ $re ]] || continue
		indent=${#BASH_REMATCH[1]}
		key=${BASH_REMATCH[2]}
		value=${BASH_REMATCH[4]}
		while ((${#indents[@]} > 0 && indents[${#indents[@]} - 1] >= indent)); do
			unset 'indents[${#indents[@]}-1]' 'keys[${#keys[@]}-1]'
		done
		indents+=("$indent")
		keys+=("$key")
		path=''
		for key in "${keys[@]}"; do
			path+=${path:+.}$key
		done
		[[ $path == "$want" ]] || continue
		value=${value%%[[:space:]]#*}
		value=${value%"${value##*[![:space:]]}"}
		case $value in
		"'"*"'") value=${value:1:${#value}-2} value=${value//"''"/"'"} ;;
		'"'*'"') value=${value:1:${#value}-2} ;;
		esac
		[[ -n $value ]] || return 1
		printf '%s\n' "$value"
		return 0
	done <"$file"
	return 1
}
