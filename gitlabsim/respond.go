package gitlabsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeMessage renders GitLab's helper errors: {"message": ...}. The
// message is a string for most errors, an array for some merge request
// validations and an object for model validations.
func writeMessage(w http.ResponseWriter, status int, msg any) {
	writeJSON(w, status, map[string]any{"message": msg})
}

// apiTime renders like GitLab: ISO 8601 in UTC with milliseconds,
// e.g. 2016-01-04T15:31:51.081Z.
type apiTime time.Time

func (t apiTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// timePtr renders a zero time as null.
func timePtr(t time.Time) *apiTime {
	if t.IsZero() {
		return nil
	}
	a := apiTime(t)
	return &a
}

func itoa(n int) string { return strconv.Itoa(n) }

// tooLong is GitLab's model validation body for an over-long attribute.
func tooLong(attr string, limit int) map[string][]string {
	return map[string][]string{attr: {"is too long (maximum is " + itoa(limit) + " characters)"}}
}
