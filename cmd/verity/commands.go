package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/auth"
)

func cliActor() access.Actor { return access.System("cli-" + uuid.NewString()[:8]) }

func cmdMigrate(ctx context.Context, stdout io.Writer) error {
	a, err := openApp(ctx, os.Stderr)
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func cmdUserCreate(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address (sign-in name)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "viewer, officer or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*fromStdin {
		return errors.New("--password-stdin is required: pass the password on standard input, never on the command line")
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	r, ok := access.ParseRole(*role)
	if !ok {
		return fmt.Errorf("--role must be viewer, officer or admin")
	}
	a, err := openApp(ctx, os.Stderr)
	if err != nil {
		return err
	}
	defer a.close()
	u, err := a.auth.CreateUser(ctx, cliActor(), auth.NewUser{Email: *email, Name: *name, Role: r,
		Password: strings.TrimRight(pw, "\r\n")})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

// cmdAPIKeyCreate issues a key owned by the staff user named by --owner, or
// without it a service key (an automation identity, a principal of its own).
func cmdAPIKeyCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	name := fs.String("name", "", "what the key is for")
	role := fs.String("role", "", "viewer, officer or admin (at most the owner's role)")
	owner := fs.String("owner", "", "e-mail of the staff user the key acts for (default: a service principal of its own)")
	expires := fs.String("expires", "", "lifetime such as 90d (default: never expires)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("apikey create takes no arguments, got %q", fs.Args())
	}
	r, ok := access.ParseRole(*role)
	if !ok {
		return fmt.Errorf("--role must be viewer, officer or admin")
	}
	lifetime, err := auth.ParseLifetime(*expires)
	if err != nil {
		return fmt.Errorf("--expires: %w", err)
	}
	a, err := openApp(ctx, os.Stderr)
	if err != nil {
		return err
	}
	defer a.close()
	actor := cliActor()
	in := auth.NewAPIKey{Name: *name, Role: r, Lifetime: lifetime}
	if *owner != "" {
		u, err := a.auth.UserByEmail(ctx, actor, *owner)
		if err != nil {
			return fmt.Errorf("--owner: %w", err)
		}
		in.OwnerID = u.ID
	}
	_, secret, err := a.auth.IssueAPIKey(ctx, actor, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}
