package check

// Failed reports whether any look-up failed.
func (r *Report) Failed() bool {
	for _, res := range r.Results {
		if res.Err != nil {
			return true
		}
	}
	return false
}
