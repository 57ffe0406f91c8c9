package registry

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/pinwheel-dev/pinwheel/indexsim"
)

// jsonAPIDoc's outcomes, and what each caller makes of them: a 404 and an
// answer that is not JSON are "no answer" (noJSONAnswer), which upload
// times and links carry on without, but which leaves a version's
// vulnerabilities missing (Details.Missing, an error of Vulnerabilities),
// never none; any other failure is an error for all of them.
func TestJSONAPIDocOutcomes(t *testing.T) {
	vuln := indexsim.Vulnerability{ID: "PYSEC-2026-1", FixedIn: []string{"1.1"}}
	for _, tt := range []struct {
		name  string
		fault *indexsim.Fault // on /pypi/, nil for the real answer
		// noAnswer is the error jsonAPIDoc gives (nil: a document),
		// failed whether it is another error.
		noAnswer error
		failed   bool
		want     string // in the error's text
	}{
		{name: "JSON"},
		{name: "404", fault: &indexsim.Fault{Status: http.StatusNotFound}, noAnswer: ErrNotFound, want: "404 Not Found"},
		{name: "HTML login page", fault: &indexsim.Fault{Body: "<html>sign in</html>", ContentType: "text/html"},
			noAnswer: ErrNotJSON, want: "something other than JSON (text/html)"},
		{name: "JSON, truncated", fault: &indexsim.Fault{Body: `{"info": {`, ContentType: "application/json"},
			noAnswer: ErrNotJSON, want: "(application/json)"},
		{name: "403", fault: &indexsim.Fault{Status: http.StatusForbidden}, failed: true, want: "403 Forbidden"},
		{name: "500", fault: &indexsim.Fault{Status: http.StatusInternalServerError}, failed: true, want: "500 Internal Server Error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, indexsim.Options{})
			publishFixture(sim)
			sim.AddVulnerability("zope.interface", "1.0", vuln)
			c, _ := newClient(t, sim, func(o *Options) { o.MaxRetries = -1 })
			ctx := context.Background()
			fault := func() {
				if tt.fault != nil {
					f := *tt.fault
					f.Count, f.PathPrefix = 1, "/pypi/"
					sim.Inject(f)
				}
			}
			check := func(what string, err error) {
				t.Helper()
				switch {
				case tt.noAnswer == nil && !tt.failed && err != nil:
					t.Errorf("%s: %v, want no error", what, err)
				case tt.noAnswer != nil && (!errors.Is(err, tt.noAnswer) || !noJSONAnswer(err)):
					t.Errorf("%s: %v, want an error matching %v", what, err, tt.noAnswer)
				case tt.failed && (err == nil || noJSONAnswer(err)):
					t.Errorf("%s: %v, want an error that is not \"no answer\"", what, err)
				case err != nil && !strings.Contains(err.Error(), tt.want):
					t.Errorf("%s: %q lacks %q", what, err, tt.want)
				}
			}

			fault()
			doc, err := c.jsonAPIDoc(ctx, sim.JSONAPIURL()+"/zope-interface/1.0/json", 0)
			check("jsonAPIDoc", err)
			if (doc != nil) != (err == nil) {
				t.Errorf("jsonAPIDoc: doc %v with error %v", doc != nil, err)
			}

			fault()
			d, err := c.Details(ctx, "zope.interface", "1.0")
			if tt.failed {
				check("Details", err)
			} else {
				check("Details.Missing", d.Missing)
				if err != nil {
					t.Errorf("Details: %v, want no error", err)
				}
			}
			if got := len(d.Vulnerabilities); got != map[bool]int{true: 1, false: 0}[tt.noAnswer == nil && !tt.failed] {
				t.Errorf("Details: %d vulnerabilities", got)
			}

			fault()
			vulns, err := c.Vulnerabilities(ctx, "zope.interface", "1.0")
			check("Vulnerabilities", err)
			if err == nil && (len(vulns) != 1 || vulns[0].ID != vuln.ID || !reflect.DeepEqual(vulns[0].FixedIn, vuln.FixedIn)) {
				t.Errorf("Vulnerabilities = %+v, want %s fixed in %v", vulns, vuln.ID, vuln.FixedIn)
			}

			// Upload times carry on without an answer, not past a failure.
			fault()
			times, err := c.uploadTimes(ctx, "zope-interface", 0)
			switch {
			case tt.failed && err == nil, !tt.failed && err != nil:
				t.Errorf("uploadTimes: %v", err)
			case tt.noAnswer != nil && times != nil, tt.noAnswer == nil && !tt.failed && len(times) == 0:
				t.Errorf("uploadTimes: %d times", len(times))
			}
		})
	}
}
