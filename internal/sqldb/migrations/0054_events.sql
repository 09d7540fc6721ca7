-- 路演 and 对接会 events (issue #15): the event with its agenda and pitches,
-- registrations with a capacity and a waiting list, one-to-one meetings in
-- slots at tables, and what each meeting led to.
--
-- kind: roadshow (路演) or matchmaking (对接会); state: draft, published or
-- cancelled. meetings_at is when the first meeting slot starts (NULL: the
-- event has no meetings); slot i starts slot_minutes*i later, at one of
-- tables_count tables.
CREATE TABLE events (
    id            @ID@,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    online_url    TEXT NOT NULL DEFAULT '',
    organiser     TEXT NOT NULL,
    theme         TEXT NOT NULL DEFAULT '',
    domain        TEXT NOT NULL DEFAULT '',
    region_code   TEXT NOT NULL,
    capacity      INTEGER NOT NULL,
    meetings_at   TEXT,
    slot_minutes  INTEGER NOT NULL DEFAULT 0,
    slots         INTEGER NOT NULL DEFAULT 0,
    tables_count  INTEGER NOT NULL DEFAULT 0,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    published_at  TEXT
);
CREATE INDEX events_region ON events (region_code, starts_at);
CREATE INDEX events_state ON events (state, starts_at);

-- The agenda: sessions in order; starts is the local time "15:04".
CREATE TABLE event_sessions (
    id        @ID@,
    event_id  BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    starts    TEXT NOT NULL,
    title     TEXT NOT NULL,
    speaker   TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, position)
);

-- Pitches: published market listings (achievements, financing needs) shown
-- at the event, in order.
CREATE TABLE event_pitches (
    id         @ID@,
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    listing_id BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    UNIQUE (event_id, listing_id)
);

-- A registration of one user (for its organisation). state: pending,
-- approved, waitlisted, declined or cancelled; queued_at orders the waiting
-- list. contact_phone and contact_email are sealed (package pii).
-- check_token is the unguessable part of the check-in URL.
CREATE TABLE event_registrations (
    id             @ID@,
    event_id       BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation   TEXT NOT NULL,
    role           TEXT NOT NULL,
    contact_name   TEXT NOT NULL,
    contact_phone  TEXT NOT NULL DEFAULT '',
    contact_email  TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    queued_at      TEXT,
    check_token    TEXT NOT NULL UNIQUE,
    checked_in_at  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_registrations_user ON event_registrations (user_id);

-- A one-to-one meeting asked by requester of receiver in a slot, about a
-- listing of either side (optional). state: requested, accepted, declined
-- or cancelled; table_no is set when accepted. outcome: '' until recorded,
-- then none, follow_up or interest (which opened deal_id or interest_id).
CREATE TABLE event_meetings (
    id            @ID@,
    event_id      BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    requester_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    receiver_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id    BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    slot          INTEGER NOT NULL,
    table_no      INTEGER,
    state         TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    outcome       TEXT NOT NULL DEFAULT '',
    outcome_note  TEXT NOT NULL DEFAULT '',
    outcome_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    outcome_at    TEXT,
    deal_id       BIGINT REFERENCES deals (id) ON DELETE SET NULL,
    interest_id   BIGINT REFERENCES investment_interests (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (requester_id <> receiver_id)
);
CREATE INDEX event_meetings_event ON event_meetings (event_id, slot);
CREATE UNIQUE INDEX event_meetings_table ON event_meetings (event_id, slot, table_no) WHERE state = 'accepted';

-- What an accepted meeting holds: its two people and its table in its
-- slot, one row each ('u' || user id, 't' || table number). The primary
-- key is the timetable's rule: nobody and no table is booked twice in a
-- slot, whatever the order or concurrency of the writes.
CREATE TABLE event_slot_holds (
    event_id    BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL,
    holder      TEXT NOT NULL,
    meeting_id  BIGINT NOT NULL REFERENCES event_meetings (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, slot, holder)
);
