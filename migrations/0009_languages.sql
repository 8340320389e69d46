-- Languages: each account keeps the language it reads the portal and its mail in, and each
-- acceptance records which language's version of the document was agreed to. Portable SQL for
-- SQLite and PostgreSQL; existing rows were all English. A history entry keeps its parts
-- (`params`, JSON) so it is worded in each reader's language; older entries keep their words.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE acceptances ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE application_events ADD COLUMN params TEXT;
