-- 督办: supervision orders on a project, a milestone or a service request,
-- with the whole exchange (open, reply, accept, return, escalate) on record.

CREATE TABLE supervisions (
    id              @ID@,
    target          TEXT NOT NULL,                   -- project milestone request
    project_id      BIGINT REFERENCES projects (id) ON DELETE CASCADE,
    milestone_id    BIGINT REFERENCES milestones (id) ON DELETE SET NULL,
    request_id      BIGINT REFERENCES service_requests (id) ON DELETE CASCADE,
    region_code     TEXT NOT NULL,
    unit_id         BIGINT NOT NULL REFERENCES gov_units (id),
    problem         TEXT NOT NULL,
    action_required TEXT NOT NULL,
    deadline        TEXT NOT NULL,
    level           TEXT NOT NULL,                   -- general key listed
    state           TEXT NOT NULL,                   -- open replied closed
    auto            BOOLEAN NOT NULL DEFAULT FALSE,  -- opened by a service-request breach
    escalations     INTEGER NOT NULL DEFAULT 0,
    opened_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    replied_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX supervisions_region ON supervisions (region_code, state);
CREATE INDEX supervisions_unit ON supervisions (unit_id, state);
CREATE INDEX supervisions_due ON supervisions (state, deadline);
CREATE INDEX supervisions_project ON supervisions (project_id);
CREATE INDEX supervisions_request ON supervisions (request_id);

CREATE TABLE supervision_events (
    id             @ID@,
    supervision_id BIGINT NOT NULL REFERENCES supervisions (id) ON DELETE CASCADE,
    action         TEXT NOT NULL,                    -- open reply accept return escalate
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL,
    level          TEXT NOT NULL,                    -- the level after the step
    deadline       TEXT NOT NULL,                    -- the deadline after the step
    note           TEXT NOT NULL DEFAULT '',
    evidence       TEXT NOT NULL DEFAULT '[]',       -- JSON: [{name, ref}]
    actor_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at             TEXT NOT NULL
);
CREATE INDEX supervision_events_supervision ON supervision_events (supervision_id, id);
