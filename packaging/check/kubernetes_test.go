package check

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/pinwheel-dev/pinwheel/config"
	"github.com/pinwheel-dev/pinwheel/shard"
)

// TestKustomizations builds the base and every overlay and checks that
// what they run is what pinwheel accepts and serves.
func TestKustomizations(t *testing.T) {
	tests := []struct {
		dir string
		// complete: the Secret with the tokens is part of the build.
		complete bool
		shards   int
	}{
		{dir: "base", shards: 1},
		{dir: "overlays/example", complete: true, shards: 1},
		{dir: "overlays/fleet", complete: true, shards: 3},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			objs := build(t, tt.dir)
			if len(objs.StatefulSets) != 1 {
				t.Fatalf("%d StatefulSets, want 1", len(objs.StatefulSets))
			}
			sts := objs.StatefulSets[0]
			c := container(t, sts)
			cfg := checkConfig(t, objs, sts, c)
			checkPorts(t, objs, sts, c, cfg)
			checkState(t, sts, c, cfg)
			checkSecrets(t, objs, c, cfg, tt.complete)
			checkHardening(t, sts, c)
			got := checkShards(t, objs, sts, c, cfg)
			if got != tt.shards {
				t.Errorf("%d shards, want %d", got, tt.shards)
			}
			for _, sm := range objs.ServiceMonitors {
				checkServiceMonitor(t, objs, sm.Spec.Selector.MatchLabels, sm.Spec.Endpoints[0].Port, sm.Spec.Endpoints[0].Path)
			}
		})
	}
}

func container(t *testing.T, sts *appsv1.StatefulSet) *corev1.Container {
	t.Helper()
	cs := sts.Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Name != "pinwheel" {
		t.Fatalf("containers %v, want one named pinwheel", cs)
	}
	c := &cs[0]
	if len(c.Command) != 0 {
		t.Errorf("command %q: the image's entrypoint is pinwheel; set args only", c.Command)
	}
	if c.Image == "" {
		t.Error("no image")
	}
	return c
}

// checkConfig checks the container's command line and returns the config
// it reads: --config names a file of a mounted ConfigMap, and that file
// parses with pinwheel's own config package.
func checkConfig(t *testing.T, objs objects, sts *appsv1.StatefulSet, c *corev1.Container) *config.Config {
	t.Helper()
	flags := checkArgs(t, "args", c.Args)
	if c.Args[0] != "daemon" {
		t.Fatalf("args %q: want the daemon command", c.Args)
	}
	file := flags["config"]
	if file == "" {
		t.Fatalf("args %q: no --config", c.Args)
	}
	dir, key := path.Split(file)
	vol := mountedAt(t, sts, c, path.Clean(dir))
	if vol.ConfigMap == nil {
		t.Fatalf("--config %s: %s is not a ConfigMap volume", file, dir)
	}
	cm := configMap(objs, vol.ConfigMap.Name)
	if cm == nil {
		t.Fatalf("--config %s: ConfigMap %s is not in the build", file, vol.ConfigMap.Name)
	}
	text, ok := cm.Data[key]
	if !ok {
		t.Fatalf("--config %s: ConfigMap %s has no key %s", file, cm.Name, key)
	}
	cfg, err := config.Parse(file, []byte(text))
	if err != nil {
		t.Fatalf("ConfigMap %s: %v", cm.Name, err)
	}
	return cfg
}

// mountedAt returns the volume mounted exactly at dir.
func mountedAt(t *testing.T, sts *appsv1.StatefulSet, c *corev1.Container, dir string) corev1.Volume {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if path.Clean(m.MountPath) != dir {
			continue
		}
		for _, v := range sts.Spec.Template.Spec.Volumes {
			if v.Name == m.Name {
				return v
			}
		}
		for _, v := range sts.Spec.VolumeClaimTemplates {
			if v.Name == m.Name {
				return corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.Name}}}
			}
		}
		t.Fatalf("volume mount %s at %s: no such volume", m.Name, dir)
	}
	t.Fatalf("nothing is mounted at %s", dir)
	return corev1.Volume{}
}

func configMap(objs objects, name string) *corev1.ConfigMap {
	for _, cm := range objs.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

// checkPorts: the config's listen port is the container's "http" port,
// the probes ask /healthz there, the scrape annotations name it and
// /metrics, and the Services send to it.
func checkPorts(t *testing.T, objs objects, sts *appsv1.StatefulSet, c *corev1.Container, cfg *config.Config) {
	t.Helper()
	if cfg.Listen == "" {
		t.Fatal(`config: listen is "": no /healthz, /metrics or webhook`)
	}
	_, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		t.Fatalf("config listen %q: %v", cfg.Listen, err)
	}
	port, _ := strconv.Atoi(portText)
	var http *corev1.ContainerPort
	for i, p := range c.Ports {
		if p.Name == "http" {
			http = &c.Ports[i]
		}
	}
	if http == nil || int(http.ContainerPort) != port {
		t.Fatalf("container ports %v: want one named http on the config's listen port %d", c.Ports, port)
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe: want an HTTP GET of /healthz", name)
			continue
		}
		if p.HTTPGet.Path != "/healthz" {
			t.Errorf("%s probe path %q, want /healthz", name, p.HTTPGet.Path)
		}
		if pp := p.HTTPGet.Port; pp.String() != "http" && pp.IntValue() != port {
			t.Errorf("%s probe port %s, want http (%d)", name, pp.String(), port)
		}
	}
	// pinwheel's stop lets the run in flight finish for up to a minute;
	// liveness must not kill it first.
	if lp := c.LivenessProbe; lp != nil && lp.PeriodSeconds*lp.FailureThreshold < 60 {
		t.Errorf("liveness gives up after %ds, less than the minute a stopping run may take", lp.PeriodSeconds*lp.FailureThreshold)
	}
	if g := sts.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g < 70 {
		t.Errorf("terminationGracePeriodSeconds %v: want at least 70 (a run gets a minute to finish)", g)
	}
	ann := sts.Spec.Template.Annotations
	if len(objs.ServiceMonitors) == 0 || ann["prometheus.io/scrape"] != "" {
		if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != strconv.Itoa(port) || ann["prometheus.io/path"] != "/metrics" {
			t.Errorf("pod annotations %v: want prometheus.io/scrape true, port %d, path /metrics", ann, port)
		}
	}
	if len(objs.Services) == 0 {
		t.Fatal("no Service")
	}
	for _, s := range objs.Services {
		if !selects(s.Spec.Selector, sts.Spec.Template.Labels) {
			t.Errorf("Service %s selector %v does not select the pods (labels %v)", s.Name, s.Spec.Selector, sts.Spec.Template.Labels)
		}
		for _, p := range s.Spec.Ports {
			if tp := p.TargetPort; tp.String() != "http" && tp.IntValue() != port {
				t.Errorf("Service %s port %s targets %s, want http", s.Name, p.Name, tp.String())
			}
		}
	}
}

// selects reports whether every label of sel is on labels.
func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// checkState: the state file is on the shard's own volume, a
// volumeClaimTemplate, so every pod keeps its file across restarts and no
// two share one.
func checkState(t *testing.T, sts *appsv1.StatefulSet, c *corev1.Container, cfg *config.Config) {
	t.Helper()
	vol := mountedAt(t, sts, c, path.Dir(cfg.State))
	if vol.PersistentVolumeClaim == nil {
		t.Fatalf("state %s: %s is not a volumeClaimTemplate's volume", cfg.State, path.Dir(cfg.State))
	}
	for _, v := range sts.Spec.VolumeClaimTemplates {
		if v.Name == vol.Name {
			if v.Spec.Resources.Requests.Storage().IsZero() {
				t.Errorf("volumeClaimTemplate %s requests no storage", v.Name)
			}
			if len(v.Spec.AccessModes) != 1 || v.Spec.AccessModes[0] != corev1.ReadWriteOnce {
				t.Errorf("volumeClaimTemplate %s access modes %v, want [ReadWriteOnce]", v.Name, v.Spec.AccessModes)
			}
		}
	}
}

// checkSecrets: every variable the config names for a secret comes from
// a Secret (never a literal in the manifest), and in a complete build that
// Secret and key exist.
func checkSecrets(t *testing.T, objs objects, c *corev1.Container, cfg *config.Config, complete bool) {
	t.Helper()
	required := []string{cfg.GitLab.TokenEnv}
	if cfg.WebhookSecretEnv != "" {
		required = append(required, cfg.WebhookSecretEnv)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	for _, name := range append(required, cfg.Index.UsernameEnv, cfg.Index.PasswordEnv) {
		if e, ok := env[name]; ok && e.Value != "" {
			t.Errorf("env %s holds a literal value; secrets come from a Secret", name)
		}
	}
	for _, name := range required {
		e, ok := env[name]
		if !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("env %s (named in the config) is not set from a Secret", name)
			continue
		}
		if !complete {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		found := false
		for _, s := range objs.Secrets {
			if s.Name == ref.Name {
				_, inData := s.Data[ref.Key]
				_, inString := s.StringData[ref.Key]
				found = inData || inString
			}
		}
		if !found {
			t.Errorf("env %s: Secret %s with key %s is not in the build", name, ref.Name, ref.Key)
		}
	}
}

func checkHardening(t *testing.T, sts *appsv1.StatefulSet, c *corev1.Container) {
	t.Helper()
	pod := sts.Spec.Template.Spec
	ps := pod.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Error("pod securityContext: want runAsNonRoot and a non-zero runAsUser")
	}
	if ps != nil && (ps.FSGroup == nil || ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) {
		t.Error("pod securityContext: want fsGroup (the state volume's owner) and the RuntimeDefault seccomp profile")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken: want false (pinwheel never calls the Kubernetes API)")
	}
	cs := c.SecurityContext
	if cs == nil || cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation ||
		cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem ||
		cs.Capabilities == nil || len(cs.Capabilities.Drop) != 1 || cs.Capabilities.Drop[0] != "ALL" {
		t.Error("container securityContext: want allowPrivilegeEscalation false, readOnlyRootFilesystem true, capabilities drop [ALL]")
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Error("resources: want cpu and memory requests and a memory limit")
	}
}

// checkShards: PINWHEEL_SHARD gives every pod a valid shard of the same N
// as replicas; the headless Service names the pods where the default
// forwarding template sends webhooks. It returns N.
func checkShards(t *testing.T, objs objects, sts *appsv1.StatefulSet, c *corev1.Container, cfg *config.Config) int {
	t.Helper()
	replicas := 1
	if sts.Spec.Replicas != nil {
		replicas = int(*sts.Spec.Replicas)
	}
	value := ""
	for _, e := range c.Env {
		if e.Name == shard.EnvVar {
			value = e.Value
		}
	}
	seen := map[int]bool{}
	for k := range replicas {
		host := fmt.Sprintf("%s-%d", sts.Name, k)
		s, err := shard.Parse(value, host)
		if err != nil {
			t.Fatalf("pod %s: %s=%q: %v", host, shard.EnvVar, value, err)
		}
		if s.Count != replicas {
			t.Fatalf("pod %s: %s=%q is shard %s, but the StatefulSet has %d replicas: change both together", host, shard.EnvVar, value, s, replicas)
		}
		seen[s.Index] = true
	}
	if len(seen) != replicas {
		t.Fatalf("%s=%q gives the %d pods only %d distinct shards; use /N", shard.EnvVar, value, replicas, len(seen))
	}

	// The forwarding template's host is <statefulset>-{shard}.<headless
	// service>, on the listen port.
	addrs, err := shard.ParseAddresses(shard.DefaultAddressTemplate)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(addrs.Address(0))
	wantHost := fmt.Sprintf("%s-0.%s", sts.Name, sts.Spec.ServiceName)
	_, listenPort, _ := net.SplitHostPort(cfg.Listen)
	if u.Hostname() != wantHost || u.Port() != listenPort {
		t.Errorf("shard.DefaultAddressTemplate reaches %s, but shard 0 is %s:%s", u.Host, wantHost, listenPort)
	}
	var headless *corev1.Service
	for _, s := range objs.Services {
		if s.Name == sts.Spec.ServiceName {
			headless = s
		}
	}
	if headless == nil || headless.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("serviceName %q: want a headless Service of that name (clusterIP: None)", sts.Spec.ServiceName)
	}

	// More than one pod is safe only if each takes its own shard.
	if replicas > 1 && !commandFlags(t, "daemon")["shard"] {
		t.Errorf("%d replicas, but this pinwheel's daemon has no --shard flag: it would ignore %s and every pod would run every project", replicas, shard.EnvVar)
	}
	return replicas
}

// checkServiceMonitor: it selects exactly one Service (the headless one:
// each pod scraped once) and a port that Service has.
func checkServiceMonitor(t *testing.T, objs objects, sel map[string]string, port, metricsPath string) {
	t.Helper()
	var matched []*corev1.Service
	for _, s := range objs.Services {
		if selects(sel, s.Labels) {
			matched = append(matched, s)
		}
	}
	if len(matched) != 1 {
		names := []string{}
		for _, s := range matched {
			names = append(names, s.Name)
		}
		t.Fatalf("ServiceMonitor selector %v matches Services %v, want exactly one (else pods are scraped twice)", sel, names)
	}
	ok := false
	for _, p := range matched[0].Spec.Ports {
		ok = ok || p.Name == port
	}
	if !ok || metricsPath != "/metrics" {
		t.Errorf("ServiceMonitor endpoint port %q path %q: want a port of Service %s and /metrics", port, metricsPath, matched[0].Name)
	}
	if strings.TrimSpace(port) == "" {
		t.Error("ServiceMonitor endpoint names no port")
	}
}
