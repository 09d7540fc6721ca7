-- The dashboard's aggregates read the modules' tables by month over two
-- years (internal/dashboard); these indexes let them read only the rows of
-- the window, and most of them from the index alone.
CREATE INDEX listings_published_region ON listings (published_at, region_code);
CREATE INDEX deals_signed_region ON deals (signed_at, region_code, listing_id);
CREATE INDEX deal_events_at ON deal_events (at, to_state, deal_id);
CREATE INDEX contracts_signed_region ON contracts (signed_on, region_code, amount);
CREATE INDEX service_requests_resolved ON service_requests (resolved_at);
CREATE INDEX contracts_registered ON contracts (registered_at);
