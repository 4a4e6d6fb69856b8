package pipeline

import (
	"errors"
	"strings"

	"dagger.io/dagger"

	"dagger/fit-images/images/report"
)

// Explain is an engine error as a message: for a command that failed, which command, its exit code
// and the tail of its stderr (the engine's own message says only "exit code: N"); otherwise the
// engine's message, first line only (the rest is traces).
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		return report.CommandFailure(ee.Cmd, ee.ExitCode, ee.Stderr, ee.Stdout)
	}
	return report.FirstLine(report.EngineMessage(err.Error()))
}

// EngineError wraps err so that its message is Explain's; errors.As still finds what it wraps.
func EngineError(err error) error {
	if err == nil {
		return nil
	}
	return explained{err}
}

type explained struct{ err error }

func (e explained) Error() string { return Explain(e.err) }
func (e explained) Unwrap() error { return e.err }

// Message is err's whole message for a report; when a failed command is behind it and its
// output is not in the message yet, Explain's lines are added.
func Message(err error) string {
	if err == nil {
		return ""
	}
	msg := report.EngineMessage(err.Error())
	var ee *dagger.ExecError
	if errors.As(err, &ee) && !strings.Contains(msg, "exited with code") {
		msg += "\n" + Explain(ee)
	}
	return msg
}
