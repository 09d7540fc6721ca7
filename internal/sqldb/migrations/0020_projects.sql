-- 项目库: government units (责任单位) and their members, projects with their
-- node milestones, lifecycle events (the 有进有出 history), monthly reports
-- (月度台账) and the traffic lights with their history. Amounts in 万元;
-- calendar days as YYYY-MM-DD text; instants as sqldb.Time text.

CREATE TABLE gov_units (
    id          @ID@,
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (region_code, name)
);

CREATE TABLE gov_unit_members (
    unit_id BIGINT NOT NULL REFERENCES gov_units (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX gov_unit_members_user ON gov_unit_members (user_id);

CREATE TABLE projects (
    id                @ID@,
    type              TEXT NOT NULL,                 -- data/projects id
    name              TEXT NOT NULL,
    region_code       TEXT NOT NULL,
    unit_id           BIGINT NOT NULL REFERENCES gov_units (id),
    lead_name         TEXT NOT NULL DEFAULT '',      -- 包联领导
    lead_user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    team              TEXT NOT NULL DEFAULT '[]',    -- JSON: 专班 [{name, title, phone}]
    total_investment  DOUBLE PRECISION NOT NULL DEFAULT 0,
    annual_investment DOUBLE PRECISION NOT NULL DEFAULT 0,
    plan_year         INTEGER NOT NULL,              -- the year annual_investment plans
    planned_start     TEXT NOT NULL,
    planned_end       TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    stage             TEXT NOT NULL,                 -- planning review stocked implementing adjusting completed exited
    exit_reason       TEXT NOT NULL DEFAULT '',
    pending           TEXT NOT NULL DEFAULT '',      -- JSON: the adjustment awaiting approval
    requested_by      BIGINT REFERENCES users (id) ON DELETE SET NULL, -- who asked for 预审 or 调整
    light             TEXT NOT NULL DEFAULT 'none',
    light_reasons     TEXT NOT NULL DEFAULT '[]',
    light_at          TEXT,
    started_on        TEXT,                          -- day it entered 实施
    closed_on         TEXT,                          -- day it was completed or exited
    created_by        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX projects_region ON projects (region_code, stage);
CREATE INDEX projects_unit ON projects (unit_id);
CREATE INDEX projects_stage_light ON projects (stage, light);

CREATE TABLE project_enterprises (
    project_id    BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (project_id, enterprise_id)
);
CREATE INDEX project_enterprises_enterprise ON project_enterprises (enterprise_id);

CREATE TABLE project_events (
    id         @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    from_stage TEXT NOT NULL DEFAULT '',
    to_stage   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at         TEXT NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, id);
CREATE INDEX project_events_stage ON project_events (to_stage, at);

CREATE TABLE milestones (
    id           @ID@,
    project_id   BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    planned_date TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'pending',    -- pending done
    actual_date  TEXT,
    evidence     TEXT NOT NULL DEFAULT '[]',         -- JSON: [{name, ref}]
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX milestones_project ON milestones (project_id, seq);
CREATE INDEX milestones_due ON milestones (state, planned_date);

CREATE TABLE project_reports (
    id               @ID@,
    project_id       BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    month            TEXT NOT NULL,                  -- YYYY-MM
    unit_id          BIGINT NOT NULL REFERENCES gov_units (id),
    investment_month DOUBLE PRECISION NOT NULL,
    investment_total DOUBLE PRECISION NOT NULL,      -- cumulative since the project began
    progress         TEXT NOT NULL,                  -- 形象进度
    problems         TEXT NOT NULL DEFAULT '[]',     -- JSON: [{category, text}]
    next_plan        TEXT NOT NULL DEFAULT '',
    late             BOOLEAN NOT NULL DEFAULT FALSE,
    reported_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reported_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (project_id, month)
);
CREATE INDEX project_reports_month ON project_reports (month);

CREATE TABLE project_lights (
    id         @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    light      TEXT NOT NULL,
    previous   TEXT NOT NULL,
    reasons    TEXT NOT NULL DEFAULT '[]',
    at         TEXT NOT NULL
);
CREATE INDEX project_lights_project ON project_lights (project_id, id);
