//! Components that pages are built from; one per file.

pub mod nav;
