package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/pipeline"
)

// monitor wraps the image's own entrypoint and command ("$@") the way Docker would run them, and
// plays Docker's part for what Dagger services lack: it keeps the console in a shared volume and
// runs the image's HEALTHCHECK command every 2 s inside the same container, recording each result
// and, in one snapshot with it, the owner of every process. A plugin jar the client leaves at
// /e2e/drop.jar is moved into the image's dynamic-plugin folder (as `docker cp` would), whole: FIT
// scans for *.jar.
const monitor = `"$@" > >(tee -a /e2e/console.log) 2>&1 &
app=$!
while kill -0 "$app" 2>/dev/null; do
  if [ -f /e2e/drop.jar ]; then
    d=$FIT_JAVA_DIR/dynamic-plugins
    cp /e2e/drop.jar "$d/.probe.part" && mv "$d/.probe.part" "$d/$E2E_PROBE.jar" && rm -f /e2e/drop.jar
  fi
  out=$("$E2E_HEALTHCHECK" 2>&1); code=$?
  echo "exit=$code ${out//$'\n'/ }" >> /e2e/health.log
  {
    echo "exit=$code ${out//$'\n'/ }"
    for p in /proc/[0-9]*; do
      [ "$p" = "/proc/$$" ] || [ "$p" = "/proc/$BASHPID" ] && continue
      cmd=$(tr '\0\n' '  ' < "$p/cmdline" 2>/dev/null) || continue
      uid=""; while read -r k v _; do [ "$k" = "Uid:" ] && uid=$v && break; done < "$p/status"
      [ -n "$cmd" ] && echo "$uid $cmd"
    done
  } > /e2e/snap.tmp 2>/dev/null && mv /e2e/snap.tmp /e2e/snap
  sleep 2
done
wait "$app"; echo "app exited with $?" >> /e2e/console.log`

// poll waits (bounded) for a snapshot of the monitor with a passing healthcheck, then gathers
// evidence. The healthcheck line and the process list come from that one snapshot, so the list is
// never one of a lap before the JVM was up.
const poll = `deadline=$((SECONDS + TIMEOUT)); ready=no
while [ "$SECONDS" -lt "$deadline" ]; do
  cp /e2e/snap /tmp/snap 2>/dev/null && head -n 1 /tmp/snap | grep -q '^exit=0 ' && { ready=yes; break; }
  sleep 1
done
echo "ready=$ready"; echo "waited=${SECONDS}s"
echo "health_status=$(curl -sS --max-time 5 -o /tmp/health -w '%{http_code}' http://fit:8080/actuator/health 2>&1)"
echo "health=$(head -c 300 /tmp/health 2>/dev/null | tr -d '\n')"
echo "plugins=$(curl -sS --max-time 5 http://fit:8080/actuator/plugins 2>&1 | head -c 20000 | tr -d '\n')"
echo "healthcheck=$(head -n 1 /tmp/snap 2>/dev/null)"
echo "--- procs"; tail -n +2 /tmp/snap 2>/dev/null
echo "--- console"; tail -n 50 /e2e/console.log 2>/dev/null`

// dynamic drops a plugin jar (FIT-INF/plugin.xml only) for the monitor to copy into the running
// container's dynamic-plugins/, then waits (bounded) until /actuator/plugins lists it.
const dynamic = `mkdir -p /probe/FIT-INF
printf '<?xml version="1.0" encoding="UTF-8"?>\n<plugin>\n  <group>modelengine.fit.images</group>\n  <name>%s</name>\n  <hierarchicalNames>%s</hierarchicalNames>\n  <version>%s</version>\n  <category>user</category>\n  <level>4</level>\n</plugin>\n' "$PROBE" "$PROBE" "$VERSION" > /probe/FIT-INF/plugin.xml
(cd /probe && zip -q -X /e2e/.drop.part FIT-INF/plugin.xml) && mv /e2e/.drop.part /e2e/drop.jar || echo "zip=failed"
start=$SECONDS; seen=no
while [ $((SECONDS - start)) -lt "$BOUND" ]; do
  body=$(curl -sS --max-time 5 http://fit:8080/actuator/plugins 2>&1 | tr -d '\n')
  case $body in *"\"$PROBE\""*) seen=yes; break ;; esac
  sleep 1
done
echo "seen=$seen"; echo "after=$((SECONDS - start))s"; echo "plugins=$body"
echo "--- console"; tail -n 30 /e2e/console.log 2>/dev/null`

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

// running starts the pulled image as a service and asserts what it serves; it returns the worker id
// its JVM got, for the uniqueness check.
func (r *run) running(ctx context.Context, img *dagger.Container, shipped map[string]string) (string, error) {
	cmd, err := command(ctx, img)
	if err != nil {
		return "", err
	}
	hc, err := img.DockerHealthcheck().Args(ctx)
	if err != nil || len(hc) == 0 {
		return "", r.step("start container", func() (string, error) {
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
			WithEnvVariable("E2E_PROBE", ProbePlugin).
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
		return "", err
	}
	defer svc.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // best effort: the session ends it anyway
	client := r.client.WithServiceBinding("fit", svc).WithMountedCache("/e2e", r.logs, r.logsOpts())

	var facts, blocks map[string]string
	logs := func() string { return blocks["console"] }
	if err := r.step("wait until healthy", func() (string, error) {
		out, err := client.WithEnvVariable("TIMEOUT", strconv.Itoa(timeout)).WithExec([]string{"bash", "-c", poll}).Stdout(ctx)
		if err != nil {
			return "", err
		}
		facts, blocks = sections(out)
		if facts["ready"] != "yes" {
			return "", &Failure{Expected: fmt.Sprintf("the image's HEALTHCHECK to pass within %ds", timeout), Seen: "last healthcheck: " + orNone(facts["healthcheck"]), Logs: logs()}
		}
		return "healthy after " + facts["waited"], nil
	}); err != nil {
		return "", err
	}

	worker := ""
	withLogs := func(fn func() (string, error)) func() (string, error) {
		return func() (string, error) {
			d, err := fn()
			if f, ok := err.(*Failure); ok && f.Logs == "" {
				f.Logs = logs()
			}
			return d, err
		}
	}
	checks := []struct {
		name string
		fn   func() (string, error)
	}{
		{"plugins endpoint", func() (string, error) {
			_, detail, err := CheckPlugins(facts["plugins"], shipped)
			return detail, err
		}},
		{"health endpoint", func() (string, error) { return CheckHealth(r.o.Version, facts["health_status"], facts["health"]) }},
		{"healthcheck script", func() (string, error) {
			if !strings.HasPrefix(facts["healthcheck"], "exit=0 ") {
				return "", &Failure{Expected: hc[0] + " to exit 0 in the running container", Seen: facts["healthcheck"]}
			}
			return hc[0] + " → " + strings.TrimPrefix(facts["healthcheck"], "exit=0 "), nil
		}},
		{"start banner", func() (string, error) {
			want := fmt.Sprintf("server.http.port: %d", pipeline.HTTPPort)
			if !strings.Contains(logs(), "worker.id: ") || !strings.Contains(logs(), want) {
				return "", &Failure{Expected: "the start banner with `worker.id:` and `" + want + "` in the logs", Seen: "no banner"}
			}
			var shown []string
			for _, line := range strings.Split(logs(), "\n") {
				if _, kv, ok := strings.Cut(line, "[fit-entrypoint] "); ok && (strings.HasPrefix(kv, "worker.") || strings.HasPrefix(kv, "server.")) {
					shown = append(shown, kv)
				}
			}
			if !strings.Contains(logs(), "worker.host: ") || strings.Contains(logs(), "worker.host: localhost (") {
				return "", &Failure{Expected: "worker.host set to the container's address (the release's localhost is no address for other workers)", Seen: strings.Join(shown, "; ")}
			}
			return strings.Join(shown, "; "), nil
		}},
		{"runs as uid 2000", func() (string, error) {
			procs := strings.TrimSpace(blocks["procs"])
			for _, line := range strings.Split(procs, "\n") {
				uid, cmdline, _ := strings.Cut(line, " ")
				if uid != strconv.Itoa(pipeline.FitUID) {
					return "", &Failure{Expected: fmt.Sprintf("every process to run as uid %d", pipeline.FitUID), Seen: line}
				}
				if strings.Contains(cmdline, RootPlugin+"-") {
					worker = WorkerID(cmdline)
				}
			}
			if worker == "" {
				return "", &Failure{Expected: "a FIT JVM (" + RootPlugin + "-*.jar) with a worker.id argument", Seen: clip(procs)}
			}
			return fmt.Sprintf("all %d processes run as uid %d; the JVM has worker.id=%s", strings.Count(procs, "\n")+1, pipeline.FitUID, worker), nil
		}},
		{"dynamic plugin", func() (string, error) { return r.dynamicPlugin(ctx, client, shipped) }},
		{"fit version", func() (string, error) {
			out, _, err := execIn(ctx, img, []string{"fit", "version"}, false)
			if err != nil {
				return "", err
			}
			if !strings.Contains(out, "Version: "+r.o.Version.String()) {
				return "", &Failure{Expected: "`fit version` to print Version: " + r.o.Version.String(), Seen: clip(out)}
			}
			return strings.TrimSpace(out), nil
		}},
	}
	for _, c := range checks {
		if err := r.step(c.name, withLogs(c.fn)); err != nil {
			return "", err
		}
	}
	return worker, nil
}

// dynamicPlugin drops a plugin jar into dynamic-plugins/ of the running container and waits until
// /actuator/plugins lists it next to everything that was there.
func (r *run) dynamicPlugin(ctx context.Context, client *dagger.Container, shipped map[string]string) (string, error) {
	out, err := client.
		WithEnvVariable("PROBE", ProbePlugin).
		WithEnvVariable("VERSION", r.o.Version.String()).
		WithEnvVariable("BOUND", strconv.Itoa(int(r.dynamicBound.Seconds()))).
		WithExec([]string{"bash", "-c", dynamic}).Stdout(ctx)
	if err != nil {
		return "", err
	}
	facts, blocks := sections(out)
	if facts["seen"] != "yes" {
		return "", &Failure{Expected: fmt.Sprintf("a jar copied into %s/dynamic-plugins to be listed in GET /actuator/plugins within %s", pipeline.FitJavaDir, r.dynamicBound), Seen: clip(facts["plugins"]), Logs: blocks["console"]}
	}
	if _, _, err := CheckPlugins(facts["plugins"], shipped, ProbePlugin); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s copied into dynamic-plugins/, listed after %s", ProbePlugin, facts["after"]), nil
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
