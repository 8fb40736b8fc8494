package web

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var requestDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "verity_http_request_duration_seconds",
	Help:    "HTTP request latency by route, method and status.",
	Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
}, []string{"route", "method", "status"})

// metrics records each request's latency under its route pattern (never the
// raw path, so references do not blow up the label set).
func metrics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = ToEnvelope(err, "", nil).Status
		}
		requestDuration.WithLabelValues(c.Path(), c.Request().Method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

var metricsHandler = echo.WrapHandler(promhttp.Handler())
