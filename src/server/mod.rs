//! Code that exists only on the server: configuration, database, mail, sessions, security.

pub mod client;
pub mod codes;
pub mod config;
pub mod crypto;
pub mod db;
pub mod feed;
pub mod health;
pub mod http;
pub mod mail;
pub mod memory;
pub mod request;
pub mod reviewers;
pub mod sessions;
pub mod startup;
pub mod throttle;
