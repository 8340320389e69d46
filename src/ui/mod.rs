//! Components shared by every capability: the page frame and form parts.

pub mod form;
pub mod guard;
pub mod layout;
