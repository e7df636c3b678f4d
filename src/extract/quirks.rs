//! Per-site quirks: the one table of host pattern → rule.
//!
//! The generic extractor handles most pages; a site earns a row here only
//! when its markup defeats the heuristics in a way worth fixing for that
//! site alone. A rule names the element that holds the article body (used
//! when it matches, ignored when the site's markup changes) and elements to
//! drop inside it. Keep rows sorted by name, one line of why each.

/// What to do differently on one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quirk {
    /// A short name for logs and tests.
    pub name: &'static str,
    /// Host suffixes this rule applies to (`detik.com` matches
    /// `news.detik.com`).
    pub hosts: &'static [&'static str],
    /// CSS selector of the article body container.
    pub body: Option<&'static str>,
    /// CSS selectors of elements inside the body that are not article text.
    pub drop: &'static [&'static str],
}

/// The table. Selectors are the sites' own class names, as of 2025.
pub const QUIRKS: &[Quirk] = &[
    // Detik puts "Baca juga" boxes and video embeds between paragraphs and
    // wraps the body in a container whose class words the heuristics do not
    // know.
    Quirk {
        name: "detik",
        hosts: &["detik.com"],
        body: Some(".detail__body-text"),
        drop: &[".parallaxindetail", ".staticdetail_container", ".lihatjg"],
    },
    // Kompas interleaves "Baca juga" links inside the read__content div.
    Quirk {
        name: "kompas",
        hosts: &["kompas.com"],
        body: Some(".read__content"),
        drop: &[".inner-link-baca-juga", ".ads-on-body"],
    },
    // VnExpress: the body is `article.fck_detail`, the author a right-aligned
    // last paragraph kept as text.
    Quirk {
        name: "vnexpress",
        hosts: &["vnexpress.net"],
        body: Some("article.fck_detail"),
        drop: &[".box_embed_video_parent", ".box-tinlienquanv2"],
    },
];

/// The quirk for `host`, if any.
pub fn for_host(host: &str) -> Option<&'static Quirk> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    QUIRKS.iter().find(|q| {
        q.hosts
            .iter()
            .any(|h| host == *h || host.strip_suffix(h).is_some_and(|rest| rest.ends_with('.')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_by_suffix_on_a_label_boundary() {
        assert_eq!(for_host("news.detik.com").unwrap().name, "detik");
        assert_eq!(for_host("detik.com").unwrap().name, "detik");
        assert!(for_host("notdetik.com").is_none());
        assert!(for_host("example.com").is_none());
    }

    #[test]
    fn every_selector_parses() {
        for q in QUIRKS {
            for s in q.body.iter().chain(q.drop.iter()) {
                assert!(scraper::Selector::parse(s).is_ok(), "{}: {s}", q.name);
            }
        }
    }
}
