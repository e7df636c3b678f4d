//! The source catalog and discovery.
//!
//! `catalog` loads and validates `sources/**/*.toml`; `feed` turns a fetched
//! feed into candidate article links; `canonical` gives every link one
//! spelling; `sitemap` and `links` discover articles from XML sitemaps, from
//! section pages and from the feeds a homepage announces.

pub mod canonical;
pub mod catalog;
pub mod countries;
pub mod feed;
pub mod langs;
pub mod links;
pub mod sitemap;

pub use catalog::{Catalog, CatalogError, CatalogLoadError};
