# shellcheck shell=bash
# Library of fit-entrypoint and fit-healthcheck: where FIT takes a setting from. FIT merges, highest
# first: program arguments key=value (or --key=value) > -Dkey=value > an environment variable named
# like the key (or with "." written as $FIT_SEPARATOR) > conf/fitframework.yml (or .yaml) > default.
FIT_HOME=${FIT_HOME:-/opt/fit-framework}
FIT_JAVA_DIR=${FIT_JAVA_DIR:-$FIT_HOME/java}

# conf_file: the external config file FIT reads, if there is one.
conf_file() {
	local f
	for f in "$FIT_JAVA_DIR"/conf/fitframework.{yml,yaml}; do
		[[ -f $f ]] && printf '%s\n' "$f" && return 0
	done
	return 1
}

# conf_get FILE KEY: the scalar at dotted KEY of a block-style YAML file (list items are skipped).
conf_get() {
	local line n value path
	local -a keys=() indents=()
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line =~ ^( *)([A-Za-z0-9_-]+):[[:blank:]]*(.*)$ ]] || continue
		n=${#BASH_REMATCH[1]} value=${BASH_REMATCH[3]%$'\r'}
		while ((${#indents[@]})) && ((indents[-1] >= n)); do unset 'indents[-1]' 'keys[-1]'; done
		indents+=("$n") keys+=("${BASH_REMATCH[2]}")
		path=$(IFS=.; printf '%s' "${keys[*]}")
		[[ $path == "$2" && -n $value ]] || continue
		value=${value%%[[:blank:]]#*}
		value=${value%"${value##*[![:blank:]]}"}
		[[ $value =~ ^\'(.*)\'$ || $value =~ ^\"(.*)\"$ ]] && value=${BASH_REMATCH[1]}
		printf '%s\n' "$value"
		return 0
	done <"$1"
	return 1
}

# fit_setting KEY WORD...: the value FIT will use for KEY given the words of its command line, and
# where it comes from; sets SETTING and SOURCE. Fails when nothing sets KEY.
fit_setting() {
	local key=$1 word var file
	shift
	SETTING='' SOURCE=''
	for word in "$@"; do # the last one wins, as in FIT
		[[ $word == "$key="* || $word == "--$key="* ]] && SETTING=${word#*=} SOURCE="argument $key="
	done
	[[ -n $SOURCE ]] && return 0
	# shellcheck disable=SC2086 # JVM options are words
	for word in "$@" ${JAVA_OPTS:-} ${JDK_JAVA_OPTIONS:-}; do
		[[ $word == "-D$key="* ]] && SETTING=${word#*=} SOURCE="-D$key"
	done
	[[ -n $SOURCE ]] && return 0
	for var in "$key" ${FIT_SEPARATOR:+"${key//./$FIT_SEPARATOR}"}; do # printenv: "a.b" is no bash name
		SETTING=$(printenv "$var") && SOURCE="environment $var" && return 0
	done
	file=$(conf_file) && SETTING=$(conf_get "$file" "$key") && SOURCE=$file && return 0
	return 1
}

# http_port WORD...: the port FIT serves HTTP on (8080 when nothing sets server.http.port).
http_port() {
	fit_setting server.http.port "$@" || SETTING=8080 SOURCE=default
	[[ $SETTING =~ ^[0-9]{1,5}$ ]] && ((10#$SETTING >= 1 && 10#$SETTING <= 65535))
}
