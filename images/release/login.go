package release

import "fmt"

// Login is the rule of every registry login: a user name and a password together, or neither (an
// anonymous pull or push). flagPrefix names the flags in the message: "" for --username and
// --password, "staging-" for --staging-username and --staging-password.
func Login(username string, hasPassword bool, flagPrefix string) error {
	if (username == "") == !hasPassword {
		return nil
	}
	what := "registry"
	if flagPrefix != "" {
		what = flagPrefix[:len(flagPrefix)-1]
	}
	return fmt.Errorf("%s login needs both --%susername and --%spassword", what, flagPrefix, flagPrefix)
}
