package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/access"
)

type oneKey struct{ actor access.Actor }

func (k oneKey) AuthenticateAPIKey(context.Context, string) (access.Actor, error) {
	return k.actor, nil
}

// TestAuthenticatePassesTheActorOn: the handlers behind authenticate read the
// actor its key stands for, with the request's id, from the context it
// passes on — one allocation per request, not echo's store (a map and the
// actor boxed); a context authenticate never saw has no actor.
func TestAuthenticatePassesTheActorOn(t *testing.T) {
	want := access.Actor{Kind: access.ActorAPIKey, ID: 7, Name: "bench key", Role: access.RoleOfficer}
	var got access.Actor
	mw := handlers{Deps{Keys: oneKey{want}}}.authenticate(func(c echo.Context) error {
		got = actorOf(c)
		return nil
	})
	req := httptest.NewRequest(http.MethodGet, "/platform/v1/customers", nil)
	req.Header.Set(echo.HeaderAuthorization, "Bearer vk_secret")
	rec := httptest.NewRecorder()
	rec.Header().Set(echo.HeaderXRequestID, "rid-1")
	c := echo.New().NewContext(req, rec)
	if err := mw(c); err != nil {
		t.Fatal(err)
	}
	want.RequestID = "rid-1"
	if got != want {
		t.Fatalf("actor %+v, want %+v", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { _ = mw(c) }); n > 1 {
		t.Fatalf("%v allocations to pass the actor on", n)
	}
	if a := actorOf(c); a != (access.Actor{}) {
		t.Fatalf("a context authenticate did not pass on has actor %+v", a)
	}
}
