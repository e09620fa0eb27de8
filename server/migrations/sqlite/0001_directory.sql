-- The directory: users and their managers.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    mail TEXT NOT NULL,
    user_principal_name TEXT NOT NULL UNIQUE,
    job_title TEXT,
    manager_id TEXT REFERENCES users (id)
);
