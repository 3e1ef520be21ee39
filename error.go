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

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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
