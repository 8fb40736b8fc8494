// Package api serves the BVNK-compatible JSON API under /platform/v1. Each
// handler binds the request, calls the customer service — the same methods
// the pages call — and writes JSON; errors go to the one error handler.
package api

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/audit"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/document"
	"github.com/verity-kyb/verity/internal/jsonx"
	"github.com/verity-kyb/verity/internal/webhook"
	"github.com/verity-kyb/verity/web/api/openapi"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 1 << 20

// KeyAuthenticator resolves a bearer API key to the actor it stands for.
type KeyAuthenticator interface {
	AuthenticateAPIKey(ctx context.Context, secret string) (access.Actor, error)
}

// Deps are the services the API calls.
type Deps struct {
	Customers *customer.Service
	Documents *document.Service
	Audit     *audit.Log
	Keys      KeyAuthenticator
	Webhooks  *webhook.Service
}

type handlers struct{ Deps }

// Register mounts every endpoint on g (the /platform/v1 group). Each
// endpoint requires an API key, except the OpenAPI document; a path that is
// not an endpoint is 404 and a method an endpoint does not take is 405 with
// Allow, before any key check (the list of endpoints is public: it is that
// document).
func Register(g *echo.Group, d Deps) {
	h := handlers{d}
	rt := routeTable{{http.MethodGet, "/openapi.json"}}
	g.GET("/openapi.json", handleOpenAPI)
	add := func(method, path string, fn echo.HandlerFunc) {
		g.Add(method, path, fn, h.authenticate)
		rt = append(rt, route{method, path})
	}
	add(http.MethodGet, "/customers", h.handleCustomerList)
	add(http.MethodPost, "/customers", h.handleCustomerCreate)
	add(http.MethodGet, "/customers/export", h.handleCustomerExport)
	add(http.MethodPost, "/customers/bulk", h.handleCustomerBulk)
	add(http.MethodGet, "/customers/:reference", h.handleCustomerGet)
	add(http.MethodPut, "/customers/:reference", h.handleCustomerUpdate)
	add(http.MethodPatch, "/customers/:reference", h.handleCustomerUpdate)
	add(http.MethodPut, "/customers/:reference/status", h.handleCustomerStatus)
	add(http.MethodPut, "/customers/:reference/associates", h.handleCustomerAssociates)
	add(http.MethodGet, "/customers/:reference/history", h.handleCustomerHistory)
	add(http.MethodGet, "/customers/:reference/notes", h.handleNoteList)
	add(http.MethodPost, "/customers/:reference/notes", h.handleNoteCreate)
	add(http.MethodPut, "/customers/:reference/assignee", h.handleCustomerAssignee)
	add(http.MethodPost, "/cases/next", h.handleNextCase)
	add(http.MethodPost, "/customers/:reference/review/confirm", h.handleReviewConfirm)
	add(http.MethodPost, "/customers/:reference/documents", h.handleDocumentUpload)
	add(http.MethodGet, "/customers/:reference/documents", h.handleDocumentList)
	add(http.MethodGet, "/customers/:reference/documents/:document", h.handleDocumentGet)
	add(http.MethodGet, "/customers/:reference/documents/:document/content", h.handleDocumentContent)
	add(http.MethodPut, "/customers/:reference/documents/:document/review", h.handleDocumentReview)
	add(http.MethodGet, "/audit", h.handleAuditLog)
	add(http.MethodGet, "/audit/export", h.handleAuditExport)
	if d.Webhooks != nil {
		registerWebhooks(add, h)
	}
	g.RouteNotFound("", rt.unrouted)
	g.RouteNotFound("/*", rt.unrouted)
}

// handleOpenAPI serves the API's OpenAPI 3.1 document; no key is needed.
func handleOpenAPI(c echo.Context) error {
	doc, err := openapi.JSON()
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, doc)
}

type route struct{ method, path string }

// routeTable lists the endpoints, to tell an unknown path (404) from a
// known one asked with a method it does not take (405).
type routeTable []route

// unrouted answers what no endpoint took: 405 with Allow when the path is an
// endpoint's, else 404.
func (rt routeTable) unrouted(c echo.Context) error {
	path := "/" + c.Param("*")
	var allow []string
	for _, r := range rt {
		if matchPath(r.path, path) && !slices.Contains(allow, r.method) {
			allow = append(allow, r.method)
		}
	}
	if len(allow) == 0 {
		return apperr.New(apperr.KindNotFound, "not_found", "no such endpoint: %s", c.Request().URL.Path)
	}
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	return echo.NewHTTPError(http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s", c.Request().URL.Path, strings.Join(allow, ", ")))
}

// matchPath tells whether a request path fits a route template whose
// ":name" segments match any one non-empty segment.
func matchPath(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], ":") {
			if ps[i] == "" {
				return false
			}
		} else if ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// authenticate requires "Authorization: Bearer <api key>".
func (h handlers) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hdr := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, secret, ok := strings.Cut(hdr, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="verity"`)
			return apperr.New(apperr.KindUnauthorized, "unauthorized", "an API key is required: Authorization: Bearer <key>")
		}
		actor, err := h.Keys.AuthenticateAPIKey(c.Request().Context(), strings.TrimSpace(secret))
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="verity", error="invalid_token"`)
			return err
		}
		actor.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		return next(&keyed{Context: c, actor: actor})
	}
}

// keyed is an API request's context with the actor its key stands for:
// one allocation, where echo's Set made a map and boxed the actor on every
// request.
type keyed struct {
	echo.Context
	actor access.Actor
}

// actorOf is the actor authenticate found; none (the zero actor, who may
// do nothing) for a context it did not pass on.
func actorOf(c echo.Context) access.Actor {
	if k, ok := c.(*keyed); ok {
		return k.actor
	}
	return access.Actor{}
}

func reference(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("reference"))
	if err != nil {
		return uuid.Nil, apperr.NotFound("customer " + c.Param("reference"))
	}
	return id, nil
}

// readJSON checks the content type and size, then decodes strictly.
func readJSON(c echo.Context, v any) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, apperr.New(apperr.KindUnsupported, "unsupported_media_type", "Content-Type must be application/json")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxBody+1))
	if err != nil {
		return nil, apperr.BadRequest("malformed_json", "the body could not be read")
	}
	if len(body) > MaxBody {
		return nil, apperr.New(apperr.KindTooLarge, "body_too_large", "the body is larger than 1 MiB")
	}
	return body, jsonx.Decode(body, v)
}

// ifMatch reads If-Match; a tag that cannot match anything is stale at once.
func ifMatch(c echo.Context) customer.Versions {
	v, _ := customer.ParseETags(c.Request().Header.Get("If-Match"))
	return v
}

// writeCustomer answers with the customer and its ETag.
func writeCustomer(c echo.Context, status int, cu *customer.Customer) error {
	c.Response().Header().Set("ETag", cu.ETag())
	return writeCustomerJSON(c, status, customer.AsJSON(cu))
}
