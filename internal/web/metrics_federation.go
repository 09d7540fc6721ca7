package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kechuang/internal/federation"
)

// federationCollector reports the peers of cross-region sharing at each
// scrape: how many are in each state, each peer's state, when and how long
// ago each was last pulled successfully, and how many of its listings are
// stored here.
type federationCollector struct {
	fed *federation.Service
	now func() time.Time
	log *slog.Logger

	peersDesc, lagDesc, listingsDesc *prometheus.Desc
	// stateDesc is 1 for each peer's current state; lastSyncDesc the time
	// of its last successful pull.
	stateDesc, lastSyncDesc *prometheus.Desc
}

func newFederationCollector(fed *federation.Service, now func() time.Time, log *slog.Logger) *federationCollector {
	return &federationCollector{fed: fed, now: now, log: log,
		peersDesc:    prometheus.NewDesc("kechuang_federation_peers", "Federation peers by state.", []string{"state"}, nil),
		lagDesc:      prometheus.NewDesc("kechuang_federation_peer_lag_seconds", "Seconds since the last successful pull of a peer's feed (absent before the first).", []string{"peer"}, nil),
		listingsDesc: prometheus.NewDesc("kechuang_federation_remote_listings", "Listings received from a peer and stored here.", []string{"peer"}, nil),
		stateDesc:    prometheus.NewDesc("kechuang_federation_peer_state", "1 for the state each peer is in (pending, approved, active, failing).", []string{"peer", "state"}, nil),
		lastSyncDesc: prometheus.NewDesc("kechuang_federation_peer_last_sync_timestamp_seconds", "Unix time of the last successful pull of a peer's feed (absent before the first).", []string{"peer"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *federationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.peersDesc
	ch <- c.lagDesc
	ch <- c.listingsDesc
	ch <- c.stateDesc
	ch <- c.lastSyncDesc
}

// Collect implements prometheus.Collector; a failed read leaves the series
// out of this scrape and is logged.
func (c *federationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.fed.Stats(ctx)
	if err != nil {
		c.log.Warn("metrics: federation peers", "err", err)
		return
	}
	byState := map[federation.State]int{}
	for _, p := range stats {
		byState[p.State]++
		if !p.LastSyncAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.lagDesc, prometheus.GaugeValue, c.now().Sub(p.LastSyncAt).Seconds(), p.URL)
			ch <- prometheus.MustNewConstMetric(c.lastSyncDesc, prometheus.GaugeValue, float64(p.LastSyncAt.Unix()), p.URL)
		}
		ch <- prometheus.MustNewConstMetric(c.stateDesc, prometheus.GaugeValue, 1, p.URL, string(p.State))
		ch <- prometheus.MustNewConstMetric(c.listingsDesc, prometheus.GaugeValue, float64(p.Listings), p.URL)
	}
	for _, st := range federation.States {
		ch <- prometheus.MustNewConstMetric(c.peersDesc, prometheus.GaugeValue, float64(byState[st]), string(st))
	}
}
