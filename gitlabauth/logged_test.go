package gitlabauth

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// Credentials logged or printed by mistake redact themselves: no format
// and no logrus formatter shows the token.
func TestCredentialsRedactThemselves(t *testing.T) {
	const token = "glpat-s3cretvalue"
	c := Credentials{Token: token, Kind: PersonalToken, Source: "GITLAB_TOKEN"}
	logged := func(f logrus.Formatter) string {
		var b bytes.Buffer
		l := logrus.New()
		l.SetOutput(&b)
		l.SetFormatter(f)
		l.WithField("creds", c).WithError(fmt.Errorf("wrapped: %v", c)).Info("with credentials")
		return b.String()
	}
	for _, tc := range []struct {
		name, out, want string
	}{
		{"%v", fmt.Sprintf("%v", c), "token from GITLAB_TOKEN"},
		{"%s", fmt.Sprintf("%s", c), "token from GITLAB_TOKEN"},
		{"%+v", fmt.Sprintf("%+v", c), "Token:" + redact.Mask},
		{"%#v", fmt.Sprintf("%#v", c), "Token:" + redact.Mask},
		{"%v of a pointer", fmt.Sprintf("%v", &c), "token from GITLAB_TOKEN"},
		{"%v in a struct", fmt.Sprintf("%+v", struct{ C Credentials }{c}), "Token:" + redact.Mask},
		{"an error", fmt.Errorf("call: %w", errors.New(fmt.Sprint(c))).Error(), "token from GITLAB_TOKEN"},
		{"logrus text", logged(&logrus.TextFormatter{DisableColors: true}), "creds=\"token from GITLAB_TOKEN\""},
		{"logrus JSON", logged(&logrus.JSONFormatter{}), `"token":"` + redact.Mask + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.out, token) {
				t.Errorf("the token shows: %s", tc.out)
			}
			if !strings.Contains(tc.out, tc.want) {
				t.Errorf("%s does not say %q", tc.out, tc.want)
			}
		})
	}
}
