package linkvault

import (
	"errors"
	"fmt"
)

// Error codes, mapped to exit statuses by the command.
const (
	EInvalid  = "invalid"  // bad usage, config or input: exit 2
	ENotFound = "notfound" // the thing asked for does not exist: exit 1
	EConflict = "conflict" // the database is in use: exit 3
	EInternal = "internal" // could not run: exit 3
)

// Error is an application error with a code the command maps to an exit
// status. Message is meant for the user.
type Error struct {
	Code    string
	Message string
	Err     error

	// cause is the error Errorf's format wrapped with %w: it is already
	// part of Message, and kept so that errors.Is and errors.As see it.
	cause error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns Err, or else the error Errorf wrapped with %w: the
// command decides on the code, callers may still ask for the cause.
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return e.cause
}

// Errorf returns an *Error with the given code and formatted message. As
// in fmt.Errorf, a %w verb keeps its error in the chain (the message
// reads as with %v).
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), cause: errors.Unwrap(err)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for other non-nil errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
