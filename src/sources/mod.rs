//! The source catalog and discovery.
//!
//! `catalog` loads and validates `sources/**/*.toml`; `feed` turns a fetched
//! feed into candidate article links; `canonical` gives every link one
//! spelling. Discovery from sitemaps and section pages will live here too.

pub mod canonical;
pub mod catalog;
pub mod countries;
pub mod feed;
pub mod langs;

pub use catalog::{Catalog, CatalogError, CatalogLoadError};
