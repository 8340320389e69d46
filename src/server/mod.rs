//! Code that exists only on the server: configuration, database, mail, sessions, the edge
//! (`http`: one middleware per module), health, metrics.

pub mod client;
pub mod codes;
pub mod config;
pub mod countries;
pub mod crypto;
pub mod dates;
pub mod db;
pub mod feed;
pub mod health;
pub mod http;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod request;
pub mod sessions;
pub mod startup;
pub mod throttle;
