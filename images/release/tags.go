package release

// Tags lists the tags (without repository) of one image, most specific first:
// {V}-{OS} always; for a final release also {MAJOR.MINOR}-{OS} and {OS}; and latest-{OS} only for
// DefaultVersion. A pre-release gets only its exact tag, so it never moves a floating tag.
func Tags(v Version, osName string) []string {
	tags := []string{v.String() + "-" + osName}
	if v.IsPrerelease() {
		return tags
	}
	tags = append(tags, v.MajorMinor()+"-"+osName, osName)
	if v.IsDefault() {
		tags = append(tags, "latest-"+osName)
	}
	return tags
}

// Refs is Tags with the registry prefix and image name: "localhost:5000/fit-framework:3.6.0-debian".
func Refs(r Registry, v Version, osName string) []string {
	tags := Tags(v, osName)
	refs := make([]string, len(tags))
	for i, t := range tags {
		refs[i] = r.Ref(t)
	}
	return refs
}
