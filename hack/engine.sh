#!/usr/bin/env bash
# hack/engine.sh: sourced by hack/test and hack/run, so both find an engine the same way.
# The #! line is only there so hack/lint lists this file among the scripts it checks.
#
#   engine_reachable   true when an engine answers: _EXPERIMENTAL_DAGGER_RUNNER_HOST is set or a
#                      `dagger` CLI is on PATH, and `dagger core version` answers within 60 s
#   testbed_use        hack/testbed up, then its variables (engine, CLI, DOCKER_HOST) in this shell

engine_reachable() {
  local cli=${_EXPERIMENTAL_DAGGER_CLI_BIN:-dagger}
  [ -n "${_EXPERIMENTAL_DAGGER_RUNNER_HOST:-}" ] || command -v dagger > /dev/null || return 1
  command -v "$cli" > /dev/null || return 1
  timeout 60 "$cli" core version > /dev/null 2>&1
}

# explicit returns: callers may run this as `f || rc=$?`, where errexit is off
testbed_use() {
  local root env
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  "$root/hack/testbed" up || return
  env=$("$root/hack/testbed" env) || return
  eval "$env"
}
