//! Components that pages are built from; one per file.

pub mod confirm;
pub mod extend;
pub mod field;
pub mod frame_height;
pub mod history;
pub mod link;
pub mod loading;
pub mod nav;
pub mod package_row;
pub mod recorded_only;
pub mod request_form;
pub mod request_summary;
pub mod share_link;
pub mod sign_in;
pub mod stages;
pub mod status_badge;
pub mod user_menu;
