-- The decision time of each package (median and 90th percentile of its latest waits), kept so
-- that the request pane reads one row instead of its package's latest few hundred waits. The
-- PostgreSQL folder holds the same table. Written again in the transaction of every decision
-- that ends an approval, and filled on first read for a package no decision has changed since
-- this table came; hours are kept in tenths, as the figure is given (one decimal), so that no
-- floating-point column differs between the two databases.
CREATE TABLE decision_times (
    package_id TEXT PRIMARY KEY REFERENCES access_packages (id),
    sample_size INTEGER NOT NULL,
    median_tenths INTEGER,
    p90_tenths INTEGER
);
