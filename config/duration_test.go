package config

import (
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	good := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"90m", 90 * time.Minute},
		{"36h", 36 * time.Hour},
		{"3d", 3 * day},
		{"1w", 7 * day},
		{"1w2d", 9 * day},
		{"3d12h", 3*day + 12*time.Hour},
		{"1.5d", 36 * time.Hour},
		{".5w", 84 * time.Hour},
		{"1h30m15s", time.Hour + 30*time.Minute + 15*time.Second},
		{"250ms", 250 * time.Millisecond},
		{"2d2d", 4 * day},
	}
	for _, tt := range good {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", "empty duration (want e.g. 90m, 36h, 3d, 1w2d)"},
		{"3", `invalid duration "3" (want e.g. 90m, 36h, 3d, 1w2d)`},
		{"d", `invalid duration "d" (want e.g. 90m, 36h, 3d, 1w2d)`},
		{"3 d", `invalid duration "3 d" (want e.g. 90m, 36h, 3d, 1w2d)`},
		{"-3d", `duration "-3d" must not have a sign`},
		{"3D", `unknown unit "D" in duration "3D" (want ms, s, m, h, d or w)`},
		{"1y", `unknown unit "y" in duration "1y" (want ms, s, m, h, d or w)`},
		{"16000w", `duration "16000w" is too long`},
		{"106751d106751d", `duration "106751d106751d" is too long`},
	}
	for _, tt := range bad {
		_, err := ParseDuration(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDuration(%q) error = %v; want %s", tt.in, err, tt.want)
		}
	}
}

func TestDurationUnmarshalsFromYAML(t *testing.T) {
	var v struct {
		Age Duration `yaml:"age"`
	}
	if err := yaml.Unmarshal([]byte("age: 1w2d"), &v); err != nil {
		t.Fatal(err)
	}
	if time.Duration(v.Age) != 9*24*time.Hour {
		t.Errorf("age = %v; want 216h", v.Age)
	}
	if err := yaml.Unmarshal([]byte("age: soon"), &v); err == nil {
		t.Error("age: soon decoded without error")
	}
}
