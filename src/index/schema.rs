//! The one Tantivy schema, with its field handles.
//!
//! Every field of the index is declared here and nowhere else; the writer,
//! the query path and the tests take their handles from [`Fields`]. Exact-match
//! fields (source, country, region, lang) are raw strings with fast columns,
//! usable as filters and facets. `date` is the best date known for an article
//! (published, else fetched) so that date filters and "newest first" never
//! silently drop an article whose page gave no date.
//!
//! Analysis is stored twice on purpose: as exact and numeric fast fields
//! (`topic`, `topic_sentiment`, `sentiment`, `sentiment_score`, `risk`) that
//! filters, facets, sorting and trend aggregations read column-wise, and as
//! one stored JSON document (`analysis`) with the per-topic detail and
//! evidence that only a displayed hit needs.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};

use super::tokenizer::ANALYZER;

/// Bump when the schema changes incompatibly; an index with another version
/// is refused with a message telling the user to rebuild it.
pub const SCHEMA_VERSION: u32 = 4;

/// Handles of every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub source: Field,
    pub country: Field,
    pub region: Field,
    pub lang: Field,
    pub title: Field,
    pub body: Field,
    pub authors: Field,
    pub published: Field,
    pub fetched: Field,
    pub date: Field,
    pub warc_id: Field,
    /// Topic ids, one value per topic (filter and facet).
    pub topic: Field,
    /// `topic:label` per topic, so "negative about scam ads" is one term.
    pub topic_sentiment: Field,
    /// The overall sentiment label.
    pub sentiment: Field,
    /// The overall sentiment score, -1 to 1.
    pub sentiment_score: Field,
    /// 0 to 100; filtered by range and sorted on.
    pub risk: Field,
    /// Topics, sentiments and evidence as JSON, stored only.
    pub analysis: Field,
    /// `{topic: sentiment score}`: a JSON fast field, so trends can average
    /// the sentiment *about* one topic (`topic_tone.scam-ads`).
    pub topic_tone: Field,
    /// SimHash of title and body (see `stories`).
    pub simhash: Field,
    /// The story the article belongs to: the id of its first article.
    pub story: Field,
}

impl Fields {
    /// Every field's name.
    pub const NAMES: [&'static str; 22] = [
        "id",
        "url",
        "source",
        "country",
        "region",
        "lang",
        "title",
        "body",
        "authors",
        "published",
        "fetched",
        "date",
        "warc_id",
        "topic",
        "topic_sentiment",
        "sentiment",
        "sentiment_score",
        "risk",
        "analysis",
        "topic_tone",
        "simhash",
        "story",
    ];

    /// Resolves the handles from a schema built by [`build_schema`].
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            url: f("url")?,
            source: f("source")?,
            country: f("country")?,
            region: f("region")?,
            lang: f("lang")?,
            title: f("title")?,
            body: f("body")?,
            authors: f("authors")?,
            published: f("published")?,
            fetched: f("fetched")?,
            date: f("date")?,
            warc_id: f("warc_id")?,
            topic: f("topic")?,
            topic_sentiment: f("topic_sentiment")?,
            sentiment: f("sentiment")?,
            sentiment_score: f("sentiment_score")?,
            risk: f("risk")?,
            analysis: f("analysis")?,
            topic_tone: f("topic_tone")?,
            simhash: f("simhash")?,
            story: f("story")?,
        })
    }

    /// Fields searched when a query names no field.
    pub fn default_search_fields(&self) -> Vec<Field> {
        vec![self.title, self.body]
    }
}

/// Builds the schema. Text fields use the multi-script analyzer, which the
/// index must have registered (see [`super::register_analyzers`]).
pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let date = DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds);

    b.add_text_field("id", STRING | STORED | FAST);
    b.add_text_field("url", STRING | STORED);
    b.add_text_field("source", STRING | STORED | FAST);
    b.add_text_field("country", STRING | STORED | FAST);
    b.add_text_field("region", STRING | STORED | FAST);
    b.add_text_field("lang", STRING | STORED | FAST);
    b.add_text_field("title", text.clone());
    b.add_text_field("body", text.clone());
    b.add_text_field("authors", text);
    b.add_date_field("published", date.clone());
    b.add_date_field("fetched", date.clone());
    b.add_date_field("date", date);
    b.add_text_field("warc_id", STRING | STORED);
    b.add_text_field("topic", STRING | FAST);
    b.add_text_field("topic_sentiment", STRING | FAST);
    b.add_text_field("sentiment", STRING | FAST);
    b.add_f64_field("sentiment_score", FAST);
    b.add_f64_field("risk", INDEXED | FAST);
    b.add_text_field("analysis", STORED);
    b.add_json_field("topic_tone", FAST);
    b.add_u64_field("simhash", STORED | FAST);
    b.add_text_field("story", STRING | STORED | FAST);
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_field_exists() {
        let schema = build_schema();
        Fields::from_schema(&schema).unwrap();
        assert_eq!(schema.fields().count(), Fields::NAMES.len());
        for name in Fields::NAMES {
            assert!(schema.get_field(name).is_ok(), "{name}");
        }
    }
}
