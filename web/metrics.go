package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/config"
)

var requestDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "verity_http_request_duration_seconds",
	Help:    "HTTP request latency by route, method and status.",
	Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
}, []string{"route", "method", "status"})

// unmatchedRoute labels every request that matched no route, whatever its
// path, so made-up paths add one series, not one per path.
const unmatchedRoute = "unmatched"

// metricMethods are the methods counted by name; any other is "other", so
// made-up methods cannot grow the label set either.
var metricMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// routeSet is the set of route templates the server registered; it is
// filled once, after every route is added and before serving.
type routeSet map[string]bool

func (rs routeSet) fill(e *echo.Echo) {
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			rs[r.Path] = true
		}
	}
}

// observeRequest records a request's latency under its route template and
// a method from a fixed list (never the raw path or method): the series
// count is bounded by the routes × methods × statuses the server has.
func observeRequest(route, method string, status int, latency time.Duration, routes routeSet) {
	if !routes[route] {
		route = unmatchedRoute
	}
	if !metricMethods[method] {
		method = "other"
	}
	requestDuration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(latency.Seconds())
}

// metricsHandler serves the Prometheus text; with a token it requires
// "Authorization: Bearer <token>", compared in constant time.
func metricsHandler(token string) echo.HandlerFunc {
	h := echo.WrapHandler(promhttp.Handler())
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return func(c echo.Context) error {
		scheme, got, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return apperr.New(apperr.KindUnauthorized, "unauthorized", "/metrics requires Authorization: Bearer <METRICS_TOKEN>")
		}
		return h(c)
	}
}

// MetricsServer is the separate listener on METRICS_ADDR: /metrics only
// (with METRICS_TOKEN when one is set), with the same timeouts as the main
// server. Nil when METRICS_ADDR is not set.
func MetricsServer(cfg config.Config, t Timeouts) *http.Server {
	if cfg.MetricsAddr == "" {
		return nil
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		env := ToEnvelope(err, "", nil)
		_ = c.JSON(env.Status, env)
	}
	e.GET("/metrics", metricsHandler(cfg.MetricsToken))
	s := &http.Server{Addr: cfg.MetricsAddr, Handler: e}
	t.orDefault().apply(s)
	return s
}
