package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// manifests is packaging/kubernetes, seen from this folder.
const manifests = "../kubernetes"

// objects is a kustomize build's output, each object decoded strictly
// into its Kubernetes API type.
type objects struct {
	StatefulSets    []*appsv1.StatefulSet
	Services        []*corev1.Service
	ConfigMaps      []*corev1.ConfigMap
	Secrets         []*corev1.Secret
	ServiceMonitors []*monitoringv1.ServiceMonitor
}

// build runs kustomize (the library kubectl -k uses) on dir, a folder
// under packaging/kubernetes, in an in-memory copy of that tree where
// every tokens.env.example is also its tokens.env, as a user's copy has
// it. Every object must decode into its API type with no unknown field.
func build(t *testing.T, dir string) objects {
	t.Helper()
	mem := filesys.MakeFsInMemory()
	err := filepath.WalkDir(manifests, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(manifests, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := path.Join("/k", filepath.ToSlash(rel))
		if err := mem.WriteFile(dst, data); err != nil {
			return err
		}
		if strings.HasSuffix(dst, "/tokens.env.example") {
			return mem.WriteFile(strings.TrimSuffix(dst, ".example"), data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, path.Join("/k", dir))
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs objects
	for _, r := range res.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		gvk := r.GetApiVersion() + " " + r.GetKind()
		var into any
		switch gvk {
		case "apps/v1 StatefulSet":
			o := &appsv1.StatefulSet{}
			objs.StatefulSets, into = append(objs.StatefulSets, o), o
		case "v1 Service":
			o := &corev1.Service{}
			objs.Services, into = append(objs.Services, o), o
		case "v1 ConfigMap":
			o := &corev1.ConfigMap{}
			objs.ConfigMaps, into = append(objs.ConfigMaps, o), o
		case "v1 Secret":
			o := &corev1.Secret{}
			objs.Secrets, into = append(objs.Secrets, o), o
		case "monitoring.coreos.com/v1 ServiceMonitor":
			o := &monitoringv1.ServiceMonitor{}
			objs.ServiceMonitors, into = append(objs.ServiceMonitors, o), o
		default:
			t.Errorf("%s: %s %s: a kind this check does not know; teach it", dir, gvk, r.GetName())
			continue
		}
		if err := decodeStrict(data, into); err != nil {
			t.Errorf("%s: %s %s: %v", dir, gvk, r.GetName(), err)
		}
	}
	return objs
}

// decodeStrict is json.Unmarshal refusing unknown fields (a typo such as
// "readinesProbe" is one) and trailing data.
func decodeStrict(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("decode strictly: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("decode strictly: trailing data")
	}
	return nil
}

func TestDecodeStrictRefusesUnknownFields(t *testing.T) {
	tests := []struct {
		name, json string
		ok         bool
	}{
		{"known", `{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a","readinessProbe":{}}]}}}}`, true},
		{"typo deep inside", `{"spec":{"template":{"spec":{"containers":[{"name":"a","readinesProbe":{}}]}}}}`, false},
		{"wrong type", `{"spec":{"replicas":"2"}}`, false},
	}
	for _, tt := range tests {
		err := decodeStrict([]byte(tt.json), &appsv1.StatefulSet{})
		if (err == nil) != tt.ok {
			t.Errorf("%s: decodeStrict = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
