-- 融资需求: the third listing kind, financing, keeps its figures in columns
-- of listings: the amount sought and the optional pre-money valuation in
-- 万元, the round code (market.Rounds) and the use of funds.
ALTER TABLE listings ADD COLUMN amount DOUBLE PRECISION;
ALTER TABLE listings ADD COLUMN round TEXT NOT NULL DEFAULT '';
ALTER TABLE listings ADD COLUMN use_of_funds TEXT NOT NULL DEFAULT '';
ALTER TABLE listings ADD COLUMN valuation DOUBLE PRECISION;
