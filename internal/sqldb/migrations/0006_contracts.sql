-- 技术合同认定登记: registered technology contracts, the source of the
-- market's contract statistics. Amounts are in 万元, as registration forms
-- state them.

CREATE TABLE contracts (
    id                 @ID@,
    number             TEXT NOT NULL UNIQUE,       -- 登记编号, e.g. 3205832026000012
    contract_type      TEXT NOT NULL,              -- development transfer license consulting service
    subtype            TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL,
    seller             TEXT NOT NULL,              -- 卖方（技术供方）
    seller_code        TEXT NOT NULL DEFAULT '',   -- its 统一社会信用代码
    buyer              TEXT NOT NULL,              -- 买方（技术需方）
    buyer_code         TEXT NOT NULL DEFAULT '',
    amount             DOUBLE PRECISION NOT NULL,  -- 合同成交额
    tech_amount        DOUBLE PRECISION NOT NULL,  -- 技术交易额
    signed_on          TEXT NOT NULL,              -- YYYY-MM-DD
    domain             TEXT NOT NULL DEFAULT '',
    region_code        TEXT NOT NULL,              -- the registering county
    listing_id         BIGINT,                     -- the listing the deal came from, if any
    registered_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    registered_at      TEXT NOT NULL
);
CREATE INDEX contracts_region_signed ON contracts (region_code, signed_on);
CREATE INDEX contracts_signed ON contracts (signed_on);
