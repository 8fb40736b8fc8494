package postgres

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// account is the unprivileged user the server runs as when we are root:
// initdb and postgres both refuse to run as root.
type account struct {
	name     string
	uid, gid uint32
}

// serverAccount picks the user to run PostgreSQL as: nil (ourselves) unless
// we are root, then "postgres" (the Debian package creates it), else "nobody".
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, but PostgreSQL refuses root and there is no postgres or nobody user to run it as; " +
		"create one (useradd --system postgres) or run as an ordinary user")
}

// sysProcAttr is how every server process starts: in its own process group
// (Ctrl-C reaches us, and we stop it in order) and, when we are root, as the
// account's user with no supplementary groups.
func (a *account) sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if a != nil {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}

// prepareDir makes dir exist with mode 0700 and belong to the account, after
// checking the account can reach it through every parent directory.
func prepareDir(dir string, acct *account) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if acct == nil {
		return nil
	}
	if err := ensureTraversable(filepath.Dir(dir), acct); err != nil {
		return err
	}
	return chownTree(dir, acct)
}

// ensureTraversable checks that acct may enter every directory from dir up
// to the root. Temporary directories we own (t.TempDir and os.MkdirTemp make
// them 0700) get o+x and g+x, like chmod 0711: enough to pass, not to list.
// Anything else is the person's to decide, so it is an error naming the fix.
func ensureTraversable(dir string, acct *account) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var blocked, modes []string
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok && !canSearch(fi.Mode(), st, acct) {
			if isTempChild(d) && int(st.Uid) == os.Geteuid() {
				if err := os.Chmod(d, fi.Mode().Perm()|0o011); err != nil {
					return err
				}
			} else {
				blocked = append([]string{d}, blocked...)
				modes = append([]string{fmt.Sprintf("%s (mode %#o)", d, fi.Mode().Perm())}, modes...)
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(blocked) > 0 {
		return fmt.Errorf("PostgreSQL runs as user %q (it refuses root) and cannot enter %s; "+
			"let it pass (chmod o+x %s), or put the data directory elsewhere, or set DATABASE_URL",
			acct.name, strings.Join(modes, ", "), strings.Join(blocked, " "))
	}
	return nil
}

// canSearch reports whether acct (with only its primary group, as we start
// it) has execute permission on a directory.
func canSearch(mode fs.FileMode, st *syscall.Stat_t, acct *account) bool {
	switch {
	case st.Uid == acct.uid:
		return mode&0o100 != 0
	case st.Gid == acct.gid:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// isTempChild reports whether dir lies strictly inside the temp directory or
// /dev/shm: the only places we loosen permissions on our own.
func isTempChild(dir string) bool {
	for _, root := range []string{os.TempDir(), "/dev/shm"} {
		rel, err := filepath.Rel(root, dir)
		if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// chownTree gives dir and everything in it to acct, unless dir is already
// acct's (the usual case on every start after the first).
func chownTree(dir string, acct *account) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == acct.uid && st.Gid == acct.gid {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(acct.uid), int(acct.gid))
	})
}
