-- The dashboard's fresh figures (internal/dashboard) read every row of
-- two years of deal steps and project reports and look up each row's
-- county. These indexes answer those reads from small indexes alone,
-- without visiting the wide rows of the tables:
--   * a deal step by time with its deal and states (deals by stage);
--   * a deal's and a project's county by id (the join of each step and
--     each monthly report to its county);
--   * a monthly report's month, project and investment (investment by
--     county and month);
--   * a deal's steps by state and time, in deal order (the funnel: when
--     each deal first reached each stage, grouped without sorting);
--   * a project's steps by stage and time (when a project entered the
--     library).
CREATE INDEX deal_events_at_states ON deal_events (at, to_state, deal_id, from_state);
CREATE INDEX deals_id_region ON deals (id, region_code);
CREATE INDEX projects_id_region ON projects (id, region_code);
CREATE INDEX project_reports_month_investment ON project_reports (month, project_id, investment_month);
CREATE INDEX deal_events_deal_state_at ON deal_events (deal_id, to_state, at);
CREATE INDEX project_events_project_stage_at ON project_events (project_id, to_stage, at);
