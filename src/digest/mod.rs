//! The daily digest: what to tell the analysts, and getting it to them.
//!
//! [`compose`] gathers one day's digest from the index and the crawl state
//! (spikes from [`crate::spikes`], stories from [`crate::stories`], the
//! watchlists that fired from [`watch`]);
//! [`render`] writes it as text, Markdown, HTML email with charts, or JSON;
//! [`chart`] draws the charts and [`html`] escapes crawled text;
//! [`deliver`] composes and sends the message over SMTP and [`outbox`]
//! keeps it until it is sent, exactly once.

pub mod chart;
pub mod compose;
pub mod deliver;
pub mod html;
pub mod outbox;
pub mod render;
pub mod run;
pub mod watch;
