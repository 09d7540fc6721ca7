-- Plausibility flags staff checked (合理性提示“已核实”, issue #11). subject
-- is the flag's code, years and values ("rd_ratio_jump:2023,2024=1.5,6.2"):
-- once the data under a flag changes, its subject changes and the old check
-- no longer applies. One row per subject; a new check replaces the note.
CREATE TABLE enterprise_flag_checks (
    id              @ID@,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    code            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    note            TEXT NOT NULL,
    checked_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_by_name TEXT NOT NULL,
    checked_at      TEXT NOT NULL,
    UNIQUE (enterprise_id, subject)
);
