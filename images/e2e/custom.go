package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/pipeline"
)

// custom runs the image's entrypoint and command ("$@") in one container with FIT_HTTP_PORT=$PORT,
// reports whether the conf file is writable and unchanged, the FIT JVM's command line, and the exit
// status after a SIGTERM as `docker stop` sends it.
const custom = `conf=$FIT_JAVA_DIR/conf/fitframework.yml
before=$(sha256sum "$conf" 2>&1 | cut -d' ' -f1)
if [ -w "$conf" ]; then echo writable=yes; else echo writable=no; fi
"$@" > /tmp/console.log 2>&1 &
pid=$!; answered=no
for _ in $(seq 1 "$TIMEOUT"); do
  curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/actuator/plugins" 2>/dev/null && { answered=yes; break; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "answered=$answered"
for p in /proc/[0-9]*; do
  c=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
  # by the launcher jar, not argv[0]: under QEMU the command line starts with the emulator
  case $c in *"$FIT_JAVA_DIR"/fit-discrete-launcher-*) echo "jvm=$c" ;; esac
done
kill -TERM "$pid" 2>/dev/null; wait "$pid"; echo "stop_exit=$?"
echo "unchanged=$([ "$before" = "$(sha256sum "$conf" 2>&1 | cut -d' ' -f1)" ] && echo yes || echo no)"
echo "--- console"; tail -n 40 /tmp/console.log`

// confCase is one way of giving FIT its conf file.
type confCase struct {
	step   string
	mount  func(img *dagger.Container, conf string) *dagger.Container // nil: the shipped file
	worker string                                                     // the worker id the conf sets; "" when FIT gets the per-container default
}

const (
	customPort    = 9090
	mountedWorker = "e2e-mounted-worker"
	confPath      = pipeline.FitJavaDir + "/conf/fitframework.yml"
)

// confCases runs FIT_HTTP_PORT=9090 with the shipped conf, a mounted one and a read-only mounted one;
// it returns the worker id of the shipped-conf run.
func (r *run) confCases(ctx context.Context, img *dagger.Container) (string, error) {
	shipped, err := img.File(confPath).Contents(ctx)
	if err != nil {
		return "", r.step("FIT_HTTP_PORT with the shipped conf", func() (string, error) {
			return "", &Failure{Expected: "the release's " + confPath + " in the image", Seen: err.Error()}
		})
	}
	// the user's file: the release's, with its own worker id and another port, which FIT_HTTP_PORT beats
	mine := strings.Replace(shipped, "default-worker-id", mountedWorker, 1) + "\nserver:\n  http:\n    port: 8181\n"
	owner := fmt.Sprintf("%d:%d", pipeline.FitUID, pipeline.FitUID)
	cases := []confCase{
		{step: "FIT_HTTP_PORT with the shipped conf"},
		{step: "FIT_HTTP_PORT with a mounted conf", worker: mountedWorker, mount: func(img *dagger.Container, conf string) *dagger.Container {
			return img.WithMountedFile(confPath, r.c.Directory().WithNewFile("fitframework.yml", conf).File("fitframework.yml"), dagger.ContainerWithMountedFileOpts{Owner: owner})
		}},
		{step: "FIT_HTTP_PORT with a read-only mounted conf", worker: mountedWorker, mount: func(img *dagger.Container, conf string) *dagger.Container {
			// a secret mount is read-only whatever the mode, like docker run -v …:ro
			return img.WithMountedSecret(confPath, r.c.SetSecret("fit-e2e-conf-"+r.nonce, conf), dagger.ContainerWithMountedSecretOpts{Owner: owner, Mode: 0o444})
		}},
	}
	var first string
	for i, c := range cases {
		var worker string
		if err := r.step(c.step, func() (string, error) {
			var err error
			worker, err = r.confCase(ctx, img, c, mine, i == 2)
			return fmt.Sprintf("answers on %d, worker.id %s, conf unchanged, SIGTERM → exit 0", customPort, worker), err
		}); err != nil {
			return "", err
		}
		if i == 0 {
			first = worker
		}
	}
	return first, nil
}

func (r *run) confCase(ctx context.Context, img *dagger.Container, c confCase, conf string, readOnly bool) (string, error) {
	cmd, err := command(ctx, img)
	if err != nil {
		return "", err
	}
	ctr := img
	if c.mount != nil {
		ctr = c.mount(img, conf)
	}
	out, err := ctr.
		WithEnvVariable("E2E_RUN", r.nonce).
		WithEnvVariable("FIT_HTTP_PORT", strconv.Itoa(customPort)).
		WithEnvVariable("PORT", strconv.Itoa(customPort)).
		WithEnvVariable("TIMEOUT", strconv.Itoa(int(r.o.Timeout.Seconds()))).
		WithExec(append([]string{"bash", "-c", custom, "fit-e2e"}, cmd...)).Stdout(ctx)
	if err != nil {
		return "", err
	}
	facts, blocks := sections(out)
	fail := func(expected, seen string) (string, error) {
		return "", &Failure{Expected: expected, Seen: seen, Logs: blocks["console"]}
	}
	if facts["answered"] != "yes" {
		return fail(fmt.Sprintf("FIT to answer GET /actuator/plugins on port %d with FIT_HTTP_PORT=%d", customPort, customPort), "no answer")
	}
	if readOnly && facts["writable"] != "no" {
		return fail("the read-only mounted conf not to be writable", "writable="+facts["writable"])
	}
	if facts["unchanged"] != "yes" {
		return fail("the conf file to be left as it is", "it changed")
	}
	worker := WorkerID(facts["jvm"])
	switch {
	case c.worker == "" && !strings.HasPrefix(worker, "fit-worker-"):
		return fail("the per-container default worker.id=fit-worker-<hostname> on the FIT command line", clip(facts["jvm"]))
	case c.worker != "" && (worker != "" || !strings.Contains(blocks["console"], "worker.id: "+c.worker+" ("+confPath+")")):
		return fail("the conf's worker id "+c.worker+" used (no worker.id argument) and named in the banner", clip(facts["jvm"]))
	}
	if facts["stop_exit"] != "0" {
		return fail("exit 0 after SIGTERM", "exit "+facts["stop_exit"])
	}
	if worker == "" {
		worker = c.worker
	}
	return worker, nil
}
