//! URL canonicalization: one spelling per article URL.
//!
//! Feeds decorate links with campaign parameters and fragments; the same
//! article then arrives under several URLs. Dropping them before anything is
//! fetched or recorded keeps "one article, once" cheap. Scheme and host case
//! and default ports are already normalised by the `url` crate's parser.

use url::Url;

/// Query parameters that only track the click and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ref_src",
    "cmpid",
    "ocid",
    "spm",
    "share",
    "at_medium",
    "at_campaign",
];

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str())
}

/// The canonical form of an article URL: no fragment, no tracking
/// parameters, no empty query.
pub fn canonicalize(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            out.set_query(None);
        } else {
            out.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    out
}

/// The identity of an article URL: what "the same article" means for
/// de-duplication. Beyond [`canonicalize`] it ignores the scheme (http and
/// https copies are one article), a leading `www.`, a trailing slash and
/// the order of query parameters. It is a key, not a URL to fetch: some
/// servers answer `/a` and `/a/` differently, so fetching keeps the
/// canonical form.
pub fn identity_key(url: &Url) -> String {
    let url = canonicalize(url);
    let host = url.host_str().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path();
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        ""
    };
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let query = if pairs.is_empty() {
        String::new()
    } else {
        let mut q = url::form_urlencoded::Serializer::new(String::from("?"));
        q.extend_pairs(pairs);
        q.finish()
    };
    format!("//{host}{port}{path}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_scheme_www_slash_and_parameter_order() {
        let k = |s: &str| identity_key(&Url::parse(s).unwrap());
        assert_eq!(
            k("https://www.news.test/a/b/?y=2&x=1"),
            k("http://news.test/a/b?x=1&y=2&utm_source=z")
        );
        assert_eq!(k("https://news.test/"), "//news.test");
        assert_ne!(k("https://news.test/a"), k("https://news.test/b"));
        assert_ne!(k("https://news.test:8080/a"), k("https://news.test/a"));
    }

    fn canon(s: &str) -> String {
        canonicalize(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn drops_tracking_and_fragments_keeps_content_params() {
        assert_eq!(
            canon("HTTPS://News.Example.COM:443/a/b?utm_source=rss&id=42&fbclid=x#comments"),
            "https://news.example.com/a/b?id=42"
        );
        assert_eq!(canon("http://x.test/p?utm_medium=feed"), "http://x.test/p");
        assert_eq!(
            canon("http://x.test/p?page=2&gclid=abc"),
            "http://x.test/p?page=2"
        );
    }
}
