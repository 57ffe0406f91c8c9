package gitlabauth

// FromEnv is FromLookupEnv with a getenv that cannot tell an unset
// variable from an empty one.
func FromEnv(getenv func(string) string, baseURL string) (Credentials, error) {
	return FromLookupEnv(func(k string) (string, bool) { v := getenv(k); return v, v != "" }, baseURL)
}
