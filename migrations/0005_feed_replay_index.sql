-- An applicant's replay reads the events of their own applications after a number: one index
-- walk per application instead of a scan of every event.
CREATE INDEX application_events_app_seq ON application_events (application_id, seq);
