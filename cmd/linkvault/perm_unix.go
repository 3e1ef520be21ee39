//go:build unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// permissionHint explains a "permission denied" on a file or folder
// owned by another user than the one linkvault runs as: the usual
// trouble of a container's non-root user and a bind-mounted folder of
// the host. It returns "" when it has nothing to add.
func permissionHint(err error) string {
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) {
		return ""
	}
	uid := os.Geteuid()
	for _, p := range []string{pe.Path, filepath.Dir(pe.Path)} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok || int(st.Uid) == uid {
			return ""
		}
		return fmt.Sprintf(` (linkvault runs as uid %d, %s belongs to uid %d; in Docker, add --user "$(id -u):$(id -g)" to docker run)`, uid, p, st.Uid)
	}
	return ""
}
