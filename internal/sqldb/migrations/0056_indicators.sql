-- 一表通: the values counties enter once per period (computed indicators
-- are derived from the modules' records and never stored here), and the
-- record of which county reported which period, and when.

CREATE TABLE indicator_values (
    id          @ID@,
    code        TEXT NOT NULL,                 -- catalogue code, data/indicators/catalogue.json
    period      TEXT NOT NULL,                 -- 2026-11, 2026-Q4 or 2026
    region_code TEXT NOT NULL,                 -- the county
    value       DOUBLE PRECISION NOT NULL,
    entered_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    entered_at  TEXT NOT NULL,
    UNIQUE (period, region_code, code)
);

CREATE TABLE indicator_reports (
    period       TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    submitted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    submitted_at TEXT NOT NULL,
    late         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (period, region_code)
);

-- The workbench counts the review queue (listings awaiting review, by kind,
-- in the viewer's region, with the oldest) on every staff home page; this
-- partial index holds only the queue and covers the query (a range on the
-- region code, not LIKE), so the count reads the index alone
-- however many listings are published.
CREATE INDEX listings_review_queue ON listings (kind, state, region_code, submitted_at) WHERE state = 'submitted';
