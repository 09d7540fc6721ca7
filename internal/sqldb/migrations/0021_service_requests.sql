-- 一企一策: enterprise service requests with their SLA in working days,
-- products of registry enterprises (重要产品库) and the saved filters of
-- the key-enterprise library (重点企业库, a view of the registry, not a copy).

CREATE TABLE service_requests (
    id             @ID@,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    enterprise     TEXT NOT NULL,                    -- the enterprise's name when it asked
    region_code    TEXT NOT NULL,                    -- the enterprise's county
    requester_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    state          TEXT NOT NULL,                    -- submitted assigned responded resolved confirmed
    unit_id        BIGINT REFERENCES gov_units (id),
    assigned_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_on    TEXT,
    respond_due    TEXT,
    resolve_due    TEXT,
    due_official   BOOLEAN NOT NULL DEFAULT TRUE,    -- false: a due date was estimated Monday–Friday
    responded_at   TEXT,
    response       TEXT NOT NULL DEFAULT '',
    resolved_at    TEXT,
    resolution     TEXT NOT NULL DEFAULT '',
    respond_breach BOOLEAN NOT NULL DEFAULT FALSE,   -- a 督办 order was opened for the late response
    resolve_breach BOOLEAN NOT NULL DEFAULT FALSE,   -- … for the late resolution
    confirmed_at   TEXT,
    rating         INTEGER,
    rating_comment TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX service_requests_region ON service_requests (region_code, state);
CREATE INDEX service_requests_unit ON service_requests (unit_id, state);
CREATE INDEX service_requests_requester ON service_requests (requester_id);

CREATE TABLE service_request_events (
    id         @ID@,
    request_id BIGINT NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at         TEXT NOT NULL
);
CREATE INDEX service_request_events_request ON service_request_events (request_id, id);

CREATE TABLE products (
    id            @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    region_code   TEXT NOT NULL,                     -- the enterprise's county, for scope
    name          TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    specification TEXT NOT NULL DEFAULT '',
    capacity      TEXT NOT NULL DEFAULT '',          -- 产能, as stated: 年产5万吨
    market_share  DOUBLE PRECISION,                  -- percent; NULL when unknown
    chain_node    TEXT NOT NULL DEFAULT '',          -- 产业链节点, filled by the chain module later
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX products_enterprise ON products (enterprise_id);
CREATE INDEX products_region ON products (region_code);

CREATE TABLE key_filters (
    id          @ID@,
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    filter      TEXT NOT NULL,                       -- JSON: the registry filter
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (region_code, name)
);
