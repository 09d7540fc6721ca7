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
