package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBotSection(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Bot{
		TriggerProject: "group/pipeline-definition", TriggerRef: "main",
		TriggerTokenEnv: "PINWHEEL_TRIGGER_TOKEN", PollInterval: Duration(30 * time.Second),
		Variables: []Variable{{"CKI_DEPLOYMENT_ENVIRONMENT", "retrigger"}},
		Packages:  []BotPackage{{Project: "group/cki-lib", Name: "cki-lib"}},
	}
	if !reflect.DeepEqual(cfg.Bot, want) {
		t.Errorf("example bot = %+v\nwant %+v", cfg.Bot, want)
	}
	if p, ok := cfg.Bot.Package("Group/CKI-lib", 0); !ok || p.Name != "cki-lib" {
		t.Errorf("Package(Group/CKI-lib) = %+v, %v", p, ok)
	}
}

// A deployment that only runs the bot needs no projects.
func TestBotWithoutProjects(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`gitlab: {url: https://gitlab.example.com}
bot:
  trigger_project: g/pipe
  trigger_ref: main
  variables: {B: "2", A: "1"}
  packages: [{project: g/lib, name: my.lib}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Projects) != 0 || cfg.Bot == nil {
		t.Fatalf("projects %v, bot %v", cfg.Projects, cfg.Bot)
	}
	if got := cfg.Bot.Variables; !reflect.DeepEqual(got, []Variable{{"B", "2"}, {"A", "1"}}) {
		t.Errorf("variables = %v; want the file's order", got)
	}
	if cfg.Bot.PollInterval != DefaultBotPollInterval {
		t.Errorf("poll interval = %v", cfg.Bot.PollInterval)
	}
}

func TestBotErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "gitlab: {url: https://g.example}\nbot:\n  trigger_project: g/p\n  trigger_ref: main\n  packages: [{project: g/l, name: l}]\n  poll_intervall: 1s\n",
			[]string{`c.yaml:6: bot.poll_intervall: unknown key (did you mean "poll_interval"?)`}},
		{"required", "gitlab: {url: https://g.example}\nbot:\n  poll_interval: 10s\n",
			[]string{"c.yaml:3: bot.trigger_project: required", "c.yaml:3: bot.trigger_ref: required", "c.yaml:3: bot.packages: list at least one package project"}},
		{"no gitlab url", "bot:\n  trigger_project: g/p\n  trigger_ref: main\n  packages: [{project: g/l, name: l}]\n",
			[]string{"c.yaml:1: gitlab.url: required when the bot is configured"}},
		{"bad values", "gitlab: {url: https://g.example}\nbot:\n  trigger_project: not a path\n  trigger_ref: main\n  trigger_token_env: glptt-abc-def\n  poll_interval: 10ms\n  variables: {1x: a, ok: [1]}\n  packages:\n    - {project: g/l, name: l}\n    - {project: G/L, name: m}\n    - {project: g/m}\n",
			[]string{
				`c.yaml:3: bot.trigger_project: "not a path" is not a GitLab project path`,
				"c.yaml:5: bot.trigger_token_env: must be the name of an environment variable",
				"c.yaml:6: bot.poll_interval: must be at least 1s",
				`c.yaml:7: bot.variables.1x: "1x" is not a variable name`,
				"c.yaml:7: bot.variables.ok: expected a single value, got a list",
				`c.yaml:10: bot.packages[1].project: "G/L" is listed already at bot.packages[0].project (line 9)`,
				"c.yaml:11: bot.packages[2].name: required",
			}},
		{"variable clashes with a pip url", "gitlab: {url: https://g.example}\nbot:\n  trigger_project: g/p\n  trigger_ref: main\n  variables:\n    cki_lib_pip_url: x\n  packages: [{project: g/l, name: CKI.lib}]\n",
			[]string{"c.yaml:6: bot.variables.cki_lib_pip_url: is set by the bot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d = %q\nwant prefix %q", i, lines[i], w)
				}
			}
			if strings.Contains(err.Error(), "glptt-abc") {
				t.Errorf("error repeats a pasted secret: %v", err)
			}
		})
	}
}

func TestPipURLVariable(t *testing.T) {
	for in, want := range map[string]string{"cki-lib": "cki_lib_pip_url", "CKI.Lib": "cki_lib_pip_url", "a__b": "a_b_pip_url"} {
		if got := PipURLVariable(in); got != want {
			t.Errorf("PipURLVariable(%q) = %q; want %q", in, got, want)
		}
	}
}

// config.example.yaml shows defaults unless a line says "# example"; the bot
// section's optional keys whose shown value is not the default are marked.
func TestExampleBotMarksNonDefaults(t *testing.T) {
	raw, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Parse("config.example.yaml", raw)
	if err != nil {
		t.Fatal(err)
	}
	def, err := Parse("c.yaml", []byte("gitlab: {url: https://g.example}\nbot:\n  trigger_project: g/p\n  trigger_ref: main\n  packages: [{project: g/l, name: l}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	differs := map[string]bool{
		"trigger_token_env": ex.Bot.TriggerTokenEnv != def.Bot.TriggerTokenEnv,
		"poll_interval":     ex.Bot.PollInterval != def.Bot.PollInterval,
		"variables":         !reflect.DeepEqual(ex.Bot.Variables, def.Bot.Variables),
	}
	_, section, _ := strings.Cut(string(raw), "\nbot:\n")
	for key, d := range differs {
		found := false
		for _, line := range strings.Split(section, "\n") {
			if !strings.HasPrefix(line, "  "+key+":") {
				continue
			}
			found = true
			if d && !strings.Contains(line, "# example") {
				t.Errorf("bot.%s shows a value that is not the default, without \"# example\": %q", key, line)
			}
		}
		if !found {
			t.Errorf("bot.%s is not in the example", key)
		}
	}
}
