package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kechuang/internal/apperr"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// metrics are the Prometheus series of one server, on a registry of its
// own so that several servers (tests) do not collide.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(db *sqldb.DB, work *workCollector) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kechuang_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kechuang_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db.SQL(), string(db.Dialect())))
	}
	if work != nil {
		m.reg.MustRegister(work)
	}
	return m
}

// workCollector reports the background work at each scrape: jobs (imports
// among them) by kind and state, and how far the search index is behind
// the change sequence. It reads the database then, so the figures are the
// cluster's, whichever node is scraped (the index lag is this node's).
type workCollector struct {
	jobs  *job.Service
	index *market.Indexer
	log   *slog.Logger

	jobsDesc, lagDesc, appliedDesc, docsDesc *prometheus.Desc
}

func newWorkCollector(jobs *job.Service, index *market.Indexer, log *slog.Logger) *workCollector {
	return &workCollector{jobs: jobs, index: index, log: log,
		jobsDesc:    prometheus.NewDesc("kechuang_jobs", "Jobs by kind and state (queued, running, failed); imports are jobs of kind *.import*.", []string{"kind", "state"}, nil),
		lagDesc:     prometheus.NewDesc("kechuang_search_index_lag_changes", "Listing changes recorded in the database that this node's search index has not applied yet.", nil, nil),
		appliedDesc: prometheus.NewDesc("kechuang_search_index_applied_seq", "The last listing change sequence number this node's index applied.", nil, nil),
		docsDesc:    prometheus.NewDesc("kechuang_search_index_documents", "Listings in this node's search index.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *workCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobsDesc
	ch <- c.lagDesc
	ch <- c.appliedDesc
	ch <- c.docsDesc
}

// Collect implements prometheus.Collector; a failed read leaves its series
// out of this scrape and is logged.
func (c *workCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c.jobs != nil {
		counts, err := c.jobs.Counts(ctx)
		if err != nil {
			c.log.Warn("metrics: count jobs", "err", err)
		}
		seen := map[string]bool{}
		for _, n := range counts {
			seen[n.Kind+"/"+string(n.State)] = true
			ch <- prometheus.MustNewConstMetric(c.jobsDesc, prometheus.GaugeValue, float64(n.N), n.Kind, string(n.State))
		}
		// Every registered kind shows all three states, zeros included, so
		// that an alert on failed > 0 has a series before the first failure.
		for _, kind := range c.jobs.Kinds() {
			for _, st := range []job.State{job.Queued, job.Running, job.Failed} {
				if !seen[kind+"/"+string(st)] {
					ch <- prometheus.MustNewConstMetric(c.jobsDesc, prometheus.GaugeValue, 0, kind, string(st))
				}
			}
		}
	}
	if c.index != nil {
		lag, err := c.index.Lag(ctx)
		if err != nil {
			c.log.Warn("metrics: index lag", "err", err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.lagDesc, prometheus.GaugeValue, float64(lag.Behind()))
		ch <- prometheus.MustNewConstMetric(c.appliedDesc, prometheus.GaugeValue, float64(lag.Applied))
		ch <- prometheus.MustNewConstMetric(c.docsDesc, prometheus.GaugeValue, float64(lag.Documents))
	}
}

// handleMetrics serves the Prometheus metrics: with a MetricsToken, to
// requests that carry it as a bearer token; without one, only to clients
// on the loopback interface (after trusted proxies are resolved, so a
// proxy on the same host does not open it to the world). Anyone else gets
// the 404 of an unknown page.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.MetricsToken != "" {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Comparing digests keeps the comparison's time independent of the
		// token's length as well as its content.
		got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.MetricsToken))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			s.writeError(w, r, apperr.New(apperr.Unauthenticated, "metrics.token_required"))
			return
		}
	} else if ip, err := netip.ParseAddr(state(r).clientAddr); err != nil || !ip.IsLoopback() {
		s.handleNotFound(w, r)
		return
	}
	s.metrics.handler().ServeHTTP(w, r)
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
