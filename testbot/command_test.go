package testbot

import (
	"errors"
	"reflect"
	"testing"

	"github.com/pinwheel-dev/pinwheel/config"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		vars []config.Variable
		bad  string // the pair named by a MalformedError; "-" for ErrNotCommand
	}{
		{"@pinwheel test", nil, ""},
		{"  @Pinwheel   test  \nplease look at the logs [x=1]", nil, ""},
		{"@pinwheel test [foo=bar] [baz=qux]", []config.Variable{{Key: "foo", Value: "bar"}, {Key: "baz", Value: "qux"}}, ""},
		{"@pinwheel test [a=b=c] [_x=] [URL=https://x.example/a?b=1&c=2]", []config.Variable{{Key: "a", Value: "b=c"}, {Key: "_x", Value: ""}, {Key: "URL", Value: "https://x.example/a?b=1&c=2"}}, ""},
		{"@pinwheel test [msg=two words; $(rm -rf /)]", []config.Variable{{Key: "msg", Value: "two words; $(rm -rf /)"}}, ""},
		{"@pinwheel test\r\n", nil, ""},
		{"@pinwheel test [1x=y]", nil, "[1x=y]"},
		{"@pinwheel test [foo]", nil, "[foo]"},
		{"@pinwheel test [foo=bar", nil, "[foo=bar"},
		{"@pinwheel test foo=bar", nil, "foo=bar"},
		{"@pinwheel test [a=1] [a=2]", nil, "[a=2]"},
		{"@pinwheel test [a-b=1]", nil, "[a-b=1]"},
		{"@pinwheel testing", nil, "-"},
		{"@pinwheelbot test", nil, "-"},
		{"@pinwheeltest", nil, "-"},
		{"please @pinwheel test", nil, "-"},
		{"@other test", nil, "-"},
		{"", nil, "-"},
		{"@pinwheel retest", nil, "-"},
	}
	for _, tt := range tests {
		cmd, err := Parse(tt.text, "pinwheel")
		var bad *MalformedError
		switch {
		case tt.bad == "-":
			if !errors.Is(err, ErrNotCommand) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrNotCommand", tt.text, cmd, err)
			}
		case tt.bad != "":
			if !errors.As(err, &bad) || bad.Pair != tt.bad {
				t.Errorf("Parse(%q) err = %v; want a MalformedError naming %q", tt.text, err, tt.bad)
			}
		case err != nil:
			t.Errorf("Parse(%q): %v", tt.text, err)
		case !reflect.DeepEqual(cmd.Variables, tt.vars):
			t.Errorf("Parse(%q) = %q; want %q", tt.text, cmd.Variables, tt.vars)
		}
	}
	if _, err := Parse("@ test", ""); !errors.Is(err, ErrNotCommand) {
		t.Errorf("with no bot name: %v", err)
	}
}
