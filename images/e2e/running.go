package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/pipeline"
)

// monitor wraps the image's own entrypoint and command ("$@") the way Docker would run them, and
// plays Docker's part for what Dagger services lack: it keeps the console in a shared volume and
// runs the image's HEALTHCHECK command every 2 s inside the same container, recording each result
// and the owner of every process.
const monitor = `"$@" > >(tee -a /e2e/console.log) 2>&1 &
app=$!
while kill -0 "$app" 2>/dev/null; do
  out=$("$E2E_HEALTHCHECK" 2>&1); code=$?
  echo "exit=$code $out" >> /e2e/health.log
  for p in /proc/[0-9]*; do
    [ "$p" = "/proc/$$" ] || [ "$p" = "/proc/$BASHPID" ] && continue
    cmd=$(tr '\0\n' '  ' < "$p/cmdline" 2>/dev/null) || continue
    uid=""; while read -r k v _; do [ "$k" = "Uid:" ] && uid=$v && break; done < "$p/status"
    [ -n "$cmd" ] && echo "$uid $cmd"
  done > /e2e/procs.tmp 2>/dev/null && mv /e2e/procs.tmp /e2e/procs
  sleep 2
done
wait "$app"; echo "app exited with $?" >> /e2e/console.log`

// poll waits (bounded) for the monitor to record a passing healthcheck, then gathers evidence.
const poll = `deadline=$((SECONDS + TIMEOUT)); ready=no
while [ "$SECONDS" -lt "$deadline" ]; do
  tail -n 1 /e2e/health.log 2>/dev/null | grep -q '^exit=0 ' && { ready=yes; break; }
  sleep 1
done
echo "ready=$ready"; echo "waited=${SECONDS}s"
echo "health=$(curl -sS --max-time 5 http://fit:8080/actuator/health 2>&1 | head -c 300 | tr -d '\n')"
echo "plugins=$(curl -sS --max-time 5 http://fit:8080/actuator/plugins 2>&1 | head -c 20000 | tr -d '\n')"
echo "healthcheck=$(tail -n 1 /e2e/health.log 2>/dev/null)"
echo "--- procs"; cat /e2e/procs 2>/dev/null
echo "--- console"; tail -n 50 /e2e/console.log 2>/dev/null`

// custom runs the image's entrypoint and command with another port and worker id in one
// container, then stops it with SIGTERM as `docker stop` would.
const custom = `export FIT_HTTP_PORT=9090 FIT_WORKER_ID=e2e-worker
"$@" > /tmp/console.log 2>&1 &
pid=$!; answered=no
for _ in $(seq 1 "$TIMEOUT"); do
  curl -fsS --max-time 2 http://127.0.0.1:9090/actuator/health > /tmp/health 2>/dev/null && { answered=yes; break; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "answered=$answered"; echo "health=$(cat /tmp/health 2>/dev/null)"
kill -TERM "$pid" 2>/dev/null; wait "$pid"; echo "stop_exit=$?"
echo "--- conf"; cat "$FIT_JAVA_DIR/conf/fitframework.yml" 2>/dev/null
echo "--- console"; tail -n 50 /tmp/console.log`

// sections splits poll output into key=value facts and "--- name" blocks.
func sections(out string) (map[string]string, map[string]string) {
	facts, blocks := map[string]string{}, map[string]string{}
	cur := ""
	for _, line := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(line, "--- "); ok {
			cur = name
			continue
		}
		if cur != "" {
			blocks[cur] += line + "\n"
		} else if k, v, ok := strings.Cut(line, "="); ok {
			facts[k] = v
		}
	}
	return facts, blocks
}

// command is the image's entrypoint followed by its default arguments, from its config.
func command(ctx context.Context, img *dagger.Container) ([]string, error) {
	ep, err := img.Entrypoint(ctx)
	if err != nil {
		return nil, err
	}
	args, err := img.DefaultArgs(ctx)
	return append(ep, args...), err
}

// running starts the pulled image as a service and asserts what it serves.
func (r *run) running(ctx context.Context, img *dagger.Container, plugins int) error {
	cmd, err := command(ctx, img)
	if err != nil {
		return err
	}
	hc, err := img.DockerHealthcheck().Args(ctx)
	if err != nil || len(hc) == 0 {
		return r.step("start container", func() (string, error) {
			return "", &Failure{Expected: "a HEALTHCHECK in the image config", Seen: fmt.Sprint(hc, err)}
		})
	}
	timeout := int(r.o.Timeout.Seconds())
	var svc *dagger.Service
	if err := r.step("start container", func() (string, error) {
		svc, err = img.
			WithMountedCache("/e2e", r.logs, r.logsOpts()).
			WithEnvVariable("E2E_RUN", r.nonce).
			WithEnvVariable("E2E_HEALTHCHECK", hc[0]).
			// readiness is judged by the image's own healthcheck (run by the monitor), bounded by
			// --timeout: Dagger's own waits (ports, Docker healthcheck) are switched off
			WithoutDockerHealthcheck().
			WithoutExposedPort(pipeline.AppPort).
			WithoutExposedPort(pipeline.HTTPPort).
			WithExposedPort(pipeline.HTTPPort, dagger.ContainerWithExposedPortOpts{ExperimentalSkipHealthcheck: true}).
			AsService(dagger.ContainerAsServiceOpts{Args: append([]string{"bash", "-c", monitor, "fit-e2e"}, cmd...)}).
			Start(ctx)
		return "started " + strings.Join(cmd, " "), err
	}); err != nil {
		return err
	}
	defer svc.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // best effort: the session ends it anyway

	var facts, blocks map[string]string
	logs := func() string { return blocks["console"] }
	if err := r.step("wait until healthy", func() (string, error) {
		out, err := r.client.
			WithServiceBinding("fit", svc).
			WithMountedCache("/e2e", r.logs, r.logsOpts()).
			WithEnvVariable("TIMEOUT", strconv.Itoa(timeout)).
			WithExec([]string{"bash", "-c", poll}).Stdout(ctx)
		if err != nil {
			return "", err
		}
		facts, blocks = sections(out)
		if facts["ready"] != "yes" {
			return "", &Failure{Expected: fmt.Sprintf("the image's HEALTHCHECK to pass within %ds", timeout), Seen: "last healthcheck: " + orNone(facts["healthcheck"]), Logs: logs()}
		}
		return "healthy after " + facts["waited"], nil
	}); err != nil {
		return err
	}

	checks := []struct {
		name string
		fn   func() (string, error)
	}{
		{"health endpoint", func() (string, error) {
			if strings.TrimSpace(facts["health"]) != "OK" {
				return "", &Failure{Expected: "GET /actuator/health to answer OK", Seen: clip(facts["health"]), Logs: logs()}
			}
			return "GET /actuator/health → OK", nil
		}},
		{"plugins endpoint", func() (string, error) {
			var list []map[string]any
			if err := json.Unmarshal([]byte(facts["plugins"]), &list); err != nil {
				return "", &Failure{Expected: "GET /actuator/plugins to answer a JSON array", Seen: clip(facts["plugins"]), Logs: logs()}
			}
			if plugins == 0 || len(list) != plugins {
				return "", &Failure{Expected: fmt.Sprintf("one loaded plugin per plugin jar shipped (%d jars, at least one)", plugins), Seen: fmt.Sprintf("%d plugins loaded", len(list)), Logs: logs()}
			}
			return fmt.Sprintf("%d plugins loaded = %d jars shipped", len(list), plugins), nil
		}},
		{"healthcheck script", func() (string, error) {
			if !strings.HasPrefix(facts["healthcheck"], "exit=0 ") {
				return "", &Failure{Expected: hc[0] + " to exit 0 in the running container", Seen: facts["healthcheck"], Logs: logs()}
			}
			return hc[0] + " → " + strings.TrimPrefix(facts["healthcheck"], "exit=0 "), nil
		}},
		{"start banner", func() (string, error) {
			console := logs()
			if !strings.Contains(console, "Worker ID: ") || !strings.Contains(console, fmt.Sprintf("HTTP port: %d", pipeline.HTTPPort)) {
				return "", &Failure{Expected: "the start banner with `Worker ID:` and `HTTP port: 8080` in the logs", Seen: "no banner", Logs: console}
			}
			return "banner shows worker id and HTTP port", nil
		}},
		{"runs as uid 2000", func() (string, error) {
			procs := strings.TrimSpace(blocks["procs"])
			app := false
			for _, line := range strings.Split(procs, "\n") {
				uid, cmdline, _ := strings.Cut(line, " ")
				if uid != strconv.Itoa(pipeline.FitUID) {
					return "", &Failure{Expected: fmt.Sprintf("every process to run as uid %d", pipeline.FitUID), Seen: line, Logs: logs()}
				}
				app = app || strings.Contains(cmdline, "java")
			}
			if !app {
				return "", &Failure{Expected: "a java process in the container", Seen: clip(procs), Logs: logs()}
			}
			return fmt.Sprintf("all %d processes run as uid %d", strings.Count(procs, "\n")+1, pipeline.FitUID), nil
		}},
		{"fit version", func() (string, error) {
			out, _, err := execIn(ctx, img, []string{"fit", "version"}, false)
			if err != nil {
				return "", err
			}
			if !strings.Contains(out, "Version: "+r.o.Version.String()) {
				return "", &Failure{Expected: "`fit version` to print Version: " + r.o.Version.String(), Seen: clip(out), Logs: logs()}
			}
			return strings.TrimSpace(out), nil
		}},
	}
	for _, c := range checks {
		if err := r.step(c.name, c.fn); err != nil {
			return err
		}
	}
	return nil
}

// customRun checks FIT_HTTP_PORT and FIT_WORKER_ID end to end, and a clean SIGTERM stop.
func (r *run) customRun(ctx context.Context, img *dagger.Container) (string, error) {
	cmd, err := command(ctx, img)
	if err != nil {
		return "", err
	}
	out, err := img.
		WithEnvVariable("E2E_RUN", r.nonce).
		WithEnvVariable("TIMEOUT", strconv.Itoa(int(r.o.Timeout.Seconds()))).
		WithExec(append([]string{"bash", "-c", custom, "fit-e2e"}, cmd...)).Stdout(ctx)
	if err != nil {
		return "", err
	}
	facts, blocks := sections(out)
	if facts["answered"] != "yes" || strings.TrimSpace(facts["health"]) != "OK" {
		return "", &Failure{Expected: "the app to answer OK on port 9090 with FIT_HTTP_PORT=9090", Seen: "answered=" + facts["answered"] + " health=" + clip(facts["health"]), Logs: blocks["console"]}
	}
	if !strings.Contains(blocks["conf"], "e2e-worker") || !strings.Contains(blocks["conf"], "9090") {
		return "", &Failure{Expected: "conf/fitframework.yml to carry worker id e2e-worker and port 9090", Seen: clip(blocks["conf"]), Logs: blocks["console"]}
	}
	if facts["stop_exit"] != "0" {
		return "", &Failure{Expected: "exit 0 after SIGTERM", Seen: "exit " + facts["stop_exit"], Logs: blocks["console"]}
	}
	return "answers on 9090, conf has worker e2e-worker, SIGTERM → exit 0", nil
}

// logsOpts mounts the shared volume the same way everywhere: the owner is part of a cache
// mount's identity, so a different one would give the client another, empty volume.
func (r *run) logsOpts() dagger.ContainerWithMountedCacheOpts {
	return dagger.ContainerWithMountedCacheOpts{Owner: fmt.Sprintf("%d:%d", pipeline.FitUID, pipeline.FitUID)}
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none recorded"
	}
	return s
}
