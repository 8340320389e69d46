//! Components shared by every capability: the page frame, form parts, and the loading and
//! "not found" blocks of pages.

pub mod form;
pub mod guard;
pub mod layout;
pub mod moment;
pub mod page;
