package yamlfile

import (
	"fmt"
	"os"
	"testing"
)

func TestTry(t *testing.T) {
	p := os.Getenv("TRY")
	if p == "" {
		t.Skip()
	}
	data, _ := os.ReadFile(p)
	out, err := Format(p, data)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Print(string(out))
	again, err := Format(p, out)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Errorf("not idempotent:\n%s", again)
	}
}
