//! Analysis of extracted text: language now; topics, sentiment and risk as
//! the topics issue lands them.
//!
//! [`zawgyi`] converts Burmese typed in the Zawgyi encoding to Unicode; it
//! runs before anything else reads an article's text.

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

pub use lang::{LangGuess, detect_language, normalize_code};
