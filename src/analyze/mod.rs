//! Analysis of extracted text: language now; topics, sentiment and risk as
//! the topics issue lands them.

pub mod lang;

pub use lang::{LangGuess, detect_language};
