//! The daily digest's building blocks that do not depend on topics and
//! sentiment: how it is drawn ([`chart`]), escaped ([`html`]), composed and
//! sent ([`deliver`]), and kept until sent ([`outbox`]).
//!
//! The digest itself (sections, ranking, renderings) is assembled from the
//! index, [`crate::stories`] and [`crate::spikes`] by a later `digest`
//! command; these modules are the parts it calls, each tested on its own,
//! delivery against a real SMTP server on loopback (`tests/smtp.rs`).

pub mod chart;
pub mod deliver;
pub mod html;
pub mod outbox;
