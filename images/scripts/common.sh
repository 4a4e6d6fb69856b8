# shellcheck shell=bash
# common.sh - functions shared by fit-entrypoint and fit-healthcheck (FIT Framework base images).
#
# Installed in the image at /usr/local/lib/fit-images/common.sh (mode 0644) and sourced by both
# scripts; it is not a command. Sourcing it only defines functions: it sets no variables and no
# shell options, prints nothing and runs nothing. The functions work with or without set -euo
# pipefail and need only bash; sleep, timeout and nc are used when installed, and conf_set needs
# mv (and rm, to clean up after a failed write).

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

# yaml_scalar VALUE: VALUE as a YAML string scalar (plain when unambiguous, else single-quoted).
yaml_scalar() {
	local v=$1
	if [[ $v =~ ^[A-Za-z_][A-Za-z0-9_./-]*$ ]]; then
		case ${v,,} in
		y | n | yes | no | on | off | true | false | null) ;;
		*)
			printf '%s' "$v"
			return
			;;
		esac
	fi
	printf "'%s'" "${v//"'"/"''"}"
}

# _conf_value TEXT: split TEXT, what follows "key:" on a line (leading blanks allowed), into the
# caller's variables val (the scalar as written, quotes kept, trailing blanks dropped) and comment
# (the rest: blanks and "# ...", or empty). A quoted scalar ends at its closing quote ('' is an
# escaped ' and \" an escaped "); a plain one at the first blank followed by "#". Fails when a
# quoted scalar does not end on this line, or when something other than a comment follows it.
_conf_value() {
	local text=$1 q j=1 end=-1
	text=${text#"${text%%[![:blank:]]*}"}
	val='' comment=''
	case $text in
	'' | '#'*)
		comment=${text:+ $text}
		return 0
		;;
	"'"* | '"'*)
		q=${text:0:1}
		while ((j < ${#text})); do
			if [[ $q == "'" && ${text:j:1} == "'" ]]; then
				if [[ ${text:j+1:1} != "'" ]]; then
					end=$j
					break
				fi
				j=$((j + 1))
			elif [[ $q == '"' && ${text:j:1} == \\ ]]; then
				j=$((j + 1))
			elif [[ $q == '"' && ${text:j:1} == '"' ]]; then
				end=$j
				break
			fi
			j=$((j + 1))
		done
		((end > 0)) || return 1
		val=${text:0:end+1}
		comment=${text:end+1}
		if [[ $comment =~ ^[[:blank:]]*$ ]]; then
			comment=''
		elif [[ ! $comment =~ ^[[:blank:]]+# ]]; then
			return 1
		fi
		return 0
		;;
	esac
	val=${text%%[[:blank:]]#*}
	val=${val%"${val##*[![:blank:]]}"}
	comment=${text:${#val}}
	[[ $comment == *'#'* ]] || comment=''
	return 0
}

# _conf_enter_item INDENT: a list item was read at INDENT; like _conf_enter, it updates the
# caller's stacks, with "[]" as the key (no dotted path goes through a list).
_conf_enter_item() {
	while ((${#indents[@]} > 0)) && { ((indents[${#indents[@]} - 1] > $1)) ||
		[[ ${indents[${#indents[@]} - 1]} == "$1" && ${keys[${#keys[@]} - 1]} == '[]' ]]; }; do
		unset 'indents[${#indents[@]}-1]' 'keys[${#keys[@]}-1]'
	done
	indents+=("$1")
	keys+=('[]')
}

# _conf_enter INDENT KEY: a mapping key was read at INDENT; update the caller's "indents" and
# "keys" stacks (bash's dynamic scope) and set its "path" to the dotted path of KEY.
_conf_enter() {
	local k
	while ((${#indents[@]} > 0 && indents[${#indents[@]} - 1] >= $1)); do
		unset 'indents[${#indents[@]}-1]' 'keys[${#keys[@]}-1]'
	done
	indents+=("$1")
	keys+=("$2")
	path=''
	for k in "${keys[@]}"; do
		path+=${path:+.}$k
	done
}

# conf_get FILE KEY: print the scalar at the dotted KEY (e.g. server.http.port) of a YAML file.
# Only block mappings are understood (what fit-entrypoint writes and what FIT ships), with any
# indentation width; list items (also at the indentation of their key, as FIT's own files have
# them), flow collections and multi-line scalars are skipped, and no key inside a list item or
# the text of a block scalar ("key: |" or "key: >") is ever matched. Quotes around the value are
# removed. Fails when the key has no value or a block scalar.
conf_get() {
	local file=$1 want=$2 line indent key value path val comment block=-1
	local -a keys=() indents=()
	local re='^( *)([A-Za-z0-9_.-]+):([[:blank:]]+(.*))?$' item='^( *)-([[:blank:]]|$)'
	local opens='^ *(-[[:blank:]]+)*([A-Za-z0-9_.-]+:[[:blank:]]+)?[|>]'
	[[ -r $file ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		[[ $line =~ ^[[:blank:]]*(#.*)?$ ]] && continue
		indent=${line%%[![ ]*}
		indent=${#indent}
		# the text of a block scalar (after "key: |" or "key: >") holds no keys
		((block >= 0 && indent > block)) && continue
		block=-1
		[[ ! $line =~ $opens ]] || block=$indent
		if [[ $line =~ $item ]]; then
			# a list item: the keys below it, up to the next key as far left, are never matched
			indent=${#BASH_REMATCH[1]}
			_conf_enter_item "$indent"
			continue
		fi
		[[ $line =~ $re ]] || continue
		indent=${#BASH_REMATCH[1]}
		key=${BASH_REMATCH[2]}
		value=${BASH_REMATCH[4]}
		_conf_enter "$indent" "$key"
		[[ $path == "$want" ]] || continue
		_conf_value "$value" || return 1
		value=$val
		case $value in
		'|'* | '>'*) return 1 ;;
		"'"*"'") value=${value:1:${#value}-2} value=${value//"''"/"'"} ;;
		'"'*'"') value=${value:1:${#value}-2} ;;
		esac
		[[ -n $value ]] || return 1
		printf '%s\n' "$value"
		return 0
	done <"$file"
	return 1
}

# conf_set [-n] FILE KEY VALUE: set the dotted KEY (e.g. server.http.port) of a YAML file to VALUE,
# written with yaml_scalar, or with -n as a plain integer (VALUE must then be decimal digits).
# It reads the file as conf_get does (block mappings, any indentation width, list items at the
# indentation of their key or deeper, no keys inside list items or block scalars) and changes only
# what it must; comments, blank lines, list items and every other line stay as they are:
#   - KEY is there with a scalar (or no) value: that line's value is replaced; its indentation,
#     key and trailing comment are kept.
#   - only an ancestor of KEY is there: the missing keys are inserted right after the line of the
#     deepest such ancestor, at the indentation of its existing children, or 2 spaces deeper than
#     the ancestor when it has none; each further level is 2 spaces deeper.
#   - no ancestor: the keys are appended at the end (after a newline, if the file lacks a final one).
# When KEY appears more than once, the first one is changed (the one conf_get reads).
# The new text goes to a temporary file next to FILE that is then renamed over it, so readers
# never see a half-written file; it gets the mode the umask gives new files. A value that is
# already written as it would be leaves the file untouched. Fails (status 1), without changing
# FILE, when FILE is not a writable regular file in a writable folder (a symbolic link is
# refused), when KEY or VALUE is unusable (VALUE must be one line without control characters), or
# when the file's structure is in the way: a scalar where KEY needs a mapping, a mapping or a list
# where KEY's scalar goes, a block scalar, a flow collection, an anchor, a multi-line scalar, a
# document whose top level is not a mapping, or more than one document. Prints nothing. Needs mv
# (and rm, to remove its temporary file should writing it fail).
conf_set() {
	local number=0
	if [[ ${1-} == -n ]]; then
		number=1
		shift
	fi
	(($# == 3)) || return 1
	local file=$1 want=$2 scalar=$3 dir=. base=$1
	[[ $want =~ ^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$ ]] || return 1
	if ((number)); then
		[[ $scalar =~ ^[0-9]{1,18}$ ]] || return 1
		scalar=$((10#$scalar))
	else
		[[ $scalar != *[[:cntrl:]]* ]] || return 1
		scalar=$(yaml_scalar "$scalar")
	fi
	if [[ $file == */* ]]; then
		dir=${file%/*} base=${file##*/}
		dir=${dir:-/}
	fi
	[[ -f $file && ! -L $file && -r $file && -w $file && -d $dir && -w $dir && -x $dir ]] || return 1

	# the whole file; read stops early (and succeeds) only at a NUL byte, which no YAML file has
	local content='' rc=0 got=0
	{
		IFS= read -r -d '' content || rc=$?
		got=1
	} <"$file" 2>/dev/null
	((got && rc != 0)) || return 1
	local ends_nl=0 cr=''
	local -a lines=()
	mapfile -t lines <"$file" 2>/dev/null || return 1
	if [[ -z $content || $content == *$'\n' ]]; then ends_nl=1; fi
	if [[ ${lines[0]-} == *$'\r' ]]; then cr=$'\r'; fi

	# one pass: kind and indentation of every line, the first line holding KEY (target), and the
	# first line of the deepest ancestor of KEY (anc, whose path is anc_path)
	local re='^( *)([A-Za-z0-9_.-]+):([[:blank:]]+(.*))?$' item='^( *)-([[:blank:]]|$)'
	local -a kind=() ind=() keys=() indents=()
	local n=${#lines[@]} i j line indent key path target=-1 anc=-1 anc_path='' root=-1 root_ok=1 rest block=-1
	local opens='^ *(-[[:blank:]]+)*([A-Za-z0-9_.-]+:[[:blank:]]+)?[|>]' # starts a block scalar
	for ((i = 0; i < n; i++)); do
		line=${lines[i]%$'\r'}
		kind[i]=blank ind[i]=-1
		if [[ $line =~ ^[[:blank:]]*(#.*)?$ ]]; then
			continue
		fi
		if [[ $line =~ ^(---|\.\.\.)([[:blank:]]|$) || $line == %* ]]; then
			((root < 0)) || return 1 # a second document
			continue
		fi
		line=${line%%[![ ]*}
		indent=${#line}
		line=${lines[i]%$'\r'}
		ind[i]=$indent
		if ((block >= 0 && indent > block)); then
			kind[i]=other # text of a block scalar
			continue
		fi
		block=-1
		if [[ $line =~ $opens ]]; then block=$indent; fi
		if ((root < 0)); then
			root=$indent
			[[ $line =~ $re ]] || root_ok=0 # the top level is a list or a scalar
		elif ((indent < root)); then
			root_ok=0
		fi
		if [[ $line =~ $item ]]; then
			kind[i]=list
			_conf_enter_item "$indent"
			continue
		fi
		if [[ ! $line =~ $re ]]; then
			kind[i]=other
			((indent > root)) || root_ok=0
			continue
		fi
		kind[i]=key
		key=${BASH_REMATCH[2]}
		_conf_enter "$indent" "$key"
		if [[ $path == "$want" ]]; then
			((target >= 0)) || target=$i
		elif [[ $want == "$path".* ]] && ((${#path} > ${#anc_path})); then
			anc=$i anc_path=$path
		fi
	done

	# next: the first line after i that is not blank or a comment (-1 at the end)
	local next val comment head pad
	local -a block=() parts=()
	if ((target >= 0)); then
		next=-1
		for ((j = target + 1; j < n; j++)); do
			if [[ ${kind[j]} != blank ]]; then
				next=$j
				break
			fi
		done
		# lines below KEY that belong to it: a mapping, a list or the rest of a multi-line scalar
		if ((next >= 0)) && { ((ind[next] > ind[target])) ||
			[[ ${ind[next]} == "${ind[target]}" && ${kind[next]} == list ]]; }; then
			return 1
		fi
		line=${lines[target]%$'\r'}
		[[ $line =~ $re ]] || return 1
		head=${BASH_REMATCH[1]}${BASH_REMATCH[2]}:
		_conf_value "${BASH_REMATCH[4]}" || return 1
		case $val in
		'|'* | '>'* | '['* | '{'* | '&'*) return 1 ;;
		esac
		line="$head $scalar$comment"
		if [[ ${lines[target]} == *$'\r' ]]; then line+=$'\r'; fi
		[[ $line != "${lines[target]}" ]] || return 0
		lines[target]=$line
	else
		local level
		if ((anc >= 0)); then
			line=${lines[anc]%$'\r'}
			[[ $line =~ $re ]] || return 1
			_conf_value "${BASH_REMATCH[4]}" || return 1
			[[ -z $val ]] || return 1 # a scalar where a mapping is needed
			next=-1
			for ((j = anc + 1; j < n; j++)); do
				if [[ ${kind[j]} != blank ]]; then
					next=$j
					break
				fi
			done
			level=$((ind[anc] + 2))
			if ((next >= 0 && ind[next] > ind[anc])); then
				[[ ${kind[next]} == key ]] || return 1 # a list or a scalar below the ancestor
				level=${ind[next]}
			elif ((next >= 0)) && [[ ${ind[next]} == "${ind[anc]}" && ${kind[next]} == list ]]; then
				return 1 # the ancestor holds a list
			fi
			rest=${want:${#anc_path}+1}
		else
			((root_ok)) || return 1
			level=0
			((root < 0)) || level=$root
			rest=$want
		fi
		while [[ $rest == *.* ]]; do
			parts+=("${rest%%.*}")
			rest=${rest#*.}
		done
		parts+=("$rest")
		for ((j = 0; j < ${#parts[@]}; j++)); do
			printf -v pad '%*s' "$level" ''
			if ((j == ${#parts[@]} - 1)); then
				block+=("$pad${parts[j]}: $scalar$cr")
			else
				block+=("$pad${parts[j]}:$cr")
			fi
			level=$((level + 2))
		done
		if ((anc >= 0)); then
			lines=("${lines[@]:0:anc+1}" "${block[@]}" "${lines[@]:anc+1}")
		else
			lines+=("${block[@]}")
			ends_nl=1
		fi
	fi

	local out='' tmp=$dir/.$base.conf-set.$$.$RANDOM
	printf -v out '%s\n' "${lines[@]}"
	((ends_nl)) || out=${out%$'\n'}
	[[ ! -e $tmp && ! -L $tmp ]] || return 1
	if ! (
		set -o noclobber
		printf '%s' "$out" >"$tmp"
	) 2>/dev/null; then
		[[ ! -e $tmp ]] || rm -f -- "$tmp" 2>/dev/null || :
		return 1
	fi
	if ! mv -f -- "$tmp" "$file" 2>/dev/null; then
		rm -f -- "$tmp" 2>/dev/null || :
		return 1
	fi
	return 0
}
