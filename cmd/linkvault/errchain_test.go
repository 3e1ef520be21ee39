package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/linkvault/linkvault"
)

// TestConfigErrorsKeepChain: a config file that cannot be read is an
// invalid-input error whose message names the file once, and the cause
// stays in the chain for errors.Is.
func TestConfigErrorsKeepChain(t *testing.T) {
	name := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := LoadConfig(name)
	if err == nil {
		t.Fatal("LoadConfig of a missing file succeeded")
	}
	if got, want := err.Error(), "config: "+name+": no such file or directory"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false: the chain is cut", err)
	}
	if linkvault.ErrorCode(err) != linkvault.EInvalid {
		t.Errorf("code = %q, want %q", linkvault.ErrorCode(err), linkvault.EInvalid)
	}
}
