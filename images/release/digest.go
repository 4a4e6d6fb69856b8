package release

import "strings"

// DigestOf is the digest of an image reference NAME@DIGEST ("sha256:…"), or ref itself when it has
// no '@' (a digest already). The digest is what follows the last '@': a digest never holds one,
// so whatever a malformed name before it holds, the answer is never a string with an '@' in it.
func DigestOf(ref string) string { return ref[strings.LastIndex(ref, "@")+1:] }
