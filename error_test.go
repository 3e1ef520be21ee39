package linkvault

import (
	"errors"
	"io/fs"
	"testing"
	"time"
)

// TestErrorfKeepsChain: an error wrapped with %w stays in the chain of the
// *Error, whose message reads as with %v, and its code is the outer one.
func TestErrorfKeepsChain(t *testing.T) {
	inner := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	err := Errorf(EInvalid, "config: %w", inner)
	if got, want := err.Error(), "config: open x: file does not exist"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false: the chain is cut", err)
	}
	if ErrorCode(err) != EInvalid {
		t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), EInvalid)
	}
	if err := Errorf(EInvalid, "plain %d", 1); err.Unwrap() != nil {
		t.Errorf("Unwrap of an error without %%w = %v, want nil", err.Unwrap())
	}
}

// TestParseMomentKeepsChain: a timestamp that time.Parse refuses keeps
// time's error in the chain.
func TestParseMomentKeepsChain(t *testing.T) {
	_, err := ParseMoment("20261399")
	var pe *time.ParseError
	if err == nil || !errors.As(err, &pe) {
		t.Errorf("ParseMoment(20261399) = %v, want a *time.ParseError in the chain", err)
	}
}
