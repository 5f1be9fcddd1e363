-- Office visits booked by residents or by consultants during a contact, and
-- the reminders sent for them. Appointment services are defined in the
-- configuration (appointments.services); rows refer to them by id.
-- Times are Unix milliseconds (UTC).

CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    service_id  TEXT    NOT NULL,
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    counter     INTEGER NOT NULL CHECK (counter >= 1),
    state       TEXT    NOT NULL CHECK (state IN ('booked', 'cancelled', 'arrived', 'no_show')),
    name        TEXT    NOT NULL,
    phone       TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    lang        TEXT    NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en', 'uk')),
    contact_id  INTEGER REFERENCES contacts (id),
    booked_by   INTEGER REFERENCES users (id),
    address     TEXT    NOT NULL DEFAULT '',
    sequence    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- One resident per counter and slot: the last place cannot be sold twice.
CREATE UNIQUE INDEX appointments_place ON appointments (service_id, start_at, counter) WHERE state <> 'cancelled';
CREATE INDEX appointments_by_start ON appointments (start_at);
CREATE INDEX appointments_by_phone ON appointments (service_id, phone) WHERE state = 'booked' AND phone <> '';
CREATE INDEX appointments_by_email ON appointments (service_id, email) WHERE state = 'booked' AND email <> '';
CREATE INDEX appointments_by_contact ON appointments (contact_id) WHERE contact_id IS NOT NULL;

-- Reminder delivery per visit (state) and every attempt (the delivery log).
CREATE TABLE appointment_reminders (
    appointment_id    INTEGER PRIMARY KEY REFERENCES appointments (id),
    state             TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_attempt_at   INTEGER,
    next_attempt_at   INTEGER,
    last_http_status  INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE appointment_reminder_attempts (
    id              INTEGER PRIMARY KEY,
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    at              INTEGER NOT NULL,
    delivered       INTEGER NOT NULL CHECK (delivered IN (0, 1)),
    http_status     INTEGER NOT NULL DEFAULT 0,
    error           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX appointment_reminder_attempts_by_appointment ON appointment_reminder_attempts (appointment_id);
