//! The daily digest: what to tell the analysts, and getting it to them.
//!
//! [`compose`] gathers one day's digest from the index and the crawl
//! state; [`render`] writes it as text, Markdown, HTML email with charts,
//! or JSON; [`chart`] draws the charts and [`html`] escapes crawled text.

pub mod chart;
pub mod compose;
pub mod html;
pub mod render;
