package constraints

import (
	"bytes"
	"testing"
)

// An edit of a Clone leaves the original as it was parsed.
func TestCloneIsEditedAlone(t *testing.T) {
	in := []byte("a==1.0\nb==2.0\n")
	f := ParseFile("c.txt", in)
	c := f.Clone()
	if n, err := c.SetLine("a", 1, "1.1", nil); err != nil || n != 1 {
		t.Fatalf("SetLine: %d, %v", n, err)
	}
	if got := string(c.Bytes()); got != "a==1.1\nb==2.0\n" {
		t.Errorf("clone: %q", got)
	}
	if !bytes.Equal(f.Bytes(), in) || f.Pins()[0].Version != "1.0" {
		t.Errorf("original changed: %q, %+v", f.Bytes(), f.Pins()[0])
	}
}
