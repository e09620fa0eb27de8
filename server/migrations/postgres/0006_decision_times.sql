-- The decision time of each package (median and 90th percentile of its latest waits), kept so
-- that the request pane reads one row instead of its package's latest few hundred waits. The
-- SQLite folder holds the same table. Written again in the transaction of every decision that
-- ends an approval, and filled on first read for a package no decision has changed since this
-- table came; hours are kept in tenths, as the figure is given (one decimal), so that no
-- floating-point column differs between the two databases. Its package id compares like the
-- packages' own (COLLATE "C"), so that the join with a package is a look-up in either index.
CREATE TABLE decision_times (
    package_id TEXT COLLATE "C" PRIMARY KEY REFERENCES access_packages (id),
    sample_size INTEGER NOT NULL,
    median_tenths INTEGER,
    p90_tenths INTEGER
);

-- A package's policies are found from the package (the catalog lists, for each package, whether
-- any policy admits the person): under the packages' collation, so that the comparison with
-- a package's id can use the index of policies by package.
ALTER TABLE assignment_policies ALTER COLUMN package_id SET DATA TYPE TEXT COLLATE "C";
