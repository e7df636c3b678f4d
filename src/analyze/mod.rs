//! Analysis of extracted text: its language ([`lang`]), and what it says
//! about monetization topics ([`article`]: topics, sentiment, risk).
//!
//! [`zawgyi`] converts Burmese typed in the Zawgyi encoding to Unicode; it
//! runs before anything else reads an article's text.

pub mod article;
pub mod eval;
mod han;
pub mod lang;
// Public for `examples/build_lang_model.rs`, which trains the models that
// `latin` embeds; not a stable API.
#[doc(hidden)]
pub mod latin;
#[doc(hidden)]
pub mod markers;
pub mod zawgyi;

pub use article::{Analysis, Analyzer};
pub use lang::{LangGuess, detect_language, normalize_code};
