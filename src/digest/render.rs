//! The digest as people and programs read it: plain text, Markdown, HTML
//! email (inline CSS, charts as PNG images referenced by `cid:`), and JSON.
//!
//! Every renderer shows the same parts in the same order: the watchlists
//! that fired (only when one did, or one could not be checked), the
//! headline, emerging risks, top stories per region, sentiment shifts, coverage
//! health. Crawled text (titles, extracts, outlet names, URLs, terms) is
//! escaped for the format it lands in: HTML entities in the email, Markdown
//! punctuation in Markdown, nothing in plain text. Times are local to the
//! digest's time zone. Titles stay in their original language.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::chart::{ChartSpec, bar_chart};
use super::compose::{Digest, Spike, StoryItem};
use super::html::escape;
use super::watch::WatchAlert;

/// A chart embedded in the HTML email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Referenced as `cid:<content_id>`.
    pub content_id: String,
    pub png: Vec<u8>,
}

/// Topic id → display name, for headings.
pub type TopicNames = BTreeMap<String, String>;

fn topic_name<'a>(names: &'a TopicNames, id: &'a str) -> &'a str {
    names.get(id).map_or(id, String::as_str)
}

fn local(d: &Digest, t: DateTime<Utc>) -> String {
    let tz: chrono_tz::Tz = d.timezone.parse().unwrap_or(chrono_tz::Asia::Singapore);
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// "1 article", "2 articles".
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:.0}%", 100.0 * x))
}

fn sentiment_word(s: &crate::model::SentimentScore) -> String {
    if s.abstained {
        "unclear".to_string()
    } else if s.mixed {
        format!("{} (mixed)", s.label)
    } else {
        s.label.to_string()
    }
}

/// Longest watchlist name in a subject, in characters.
const SUBJECT_NAME_CHARS: usize = 40;

/// The subject line: profile, date, the watchlists that fired and the
/// number of emerging risks.
pub fn subject(d: &Digest) -> String {
    let risks = match d.spikes.len() {
        0 => "no emerging risk".to_string(),
        1 => "1 emerging risk".to_string(),
        n => format!("{n} emerging risks"),
    };
    // The first watchlist by name, so the inbox already says what fired.
    let short = |name: &str| match name.char_indices().nth(SUBJECT_NAME_CHARS) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_string(),
    };
    let watch = match d.watchlists.as_slice() {
        [] => String::new(),
        [w] => format!("watchlist \"{}\" fired, ", short(&w.name)),
        [w, ..] => format!(
            "{} watchlists fired (\"{}\", …), ",
            d.watchlists.len(),
            short(&w.name)
        ),
    };
    format!("kabar digest · {} · {}: {watch}{risks}", d.profile, d.date)
}

/// "judi online: 12 matches (usually 2.0; score 6.1), 75% negative"
fn watch_line(w: &WatchAlert) -> String {
    use crate::spikes::Verdict;
    // Without a baseline to compare with, say so rather than "usually none".
    let against = match w.verdict {
        Verdict::Outage => "too little coverage today to compare".to_string(),
        Verdict::NotEnoughHistory => "too little history to compare".to_string(),
        _ if w.expected > 0.0 => format!("usually {:.1}; score {:.1}", w.expected, w.score),
        _ => format!("usually none; score {:.1}", w.score),
    };
    format!(
        "{}: {} today ({against}), {} negative",
        w.name,
        count(w.count, "match").replace("matchs", "matches"),
        percent(w.negative_share)
    )
}

/// Why the watchlist fired: its spike, its threshold, or both.
fn watch_why(w: &WatchAlert) -> String {
    let mut why = Vec::new();
    if w.spiked {
        why.push(format!(
            "spiked against its baseline (score {:.1})",
            w.score
        ));
    }
    if w.threshold_hit {
        why.push(format!(
            "{} in the last {}h reached the threshold of {}",
            w.window_count, w.window_hours, w.threshold
        ));
    }
    why.join("; ")
}

fn watch_outlets(w: &WatchAlert) -> String {
    w.outlets
        .iter()
        .take(6)
        .map(|(o, n)| format!("{o} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn spike_line(s: &Spike, names: &TopicNames) -> String {
    let expected = if s.expected > 0.0 {
        format!("usually {:.1}", s.expected)
    } else {
        "usually none".to_string()
    };
    format!(
        "{} in {}: {} articles ({expected}; score {:.1}), {} negative",
        topic_name(names, &s.topic),
        s.region.to_uppercase(),
        s.count,
        s.score,
        percent(s.negative_share)
    )
}

fn outlets_line(s: &Spike) -> String {
    s.outlets
        .iter()
        .take(6)
        .map(|(o, n)| format!("{o} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn story_meta(d: &Digest, st: &StoryItem, names: &TopicNames) -> String {
    let topics: Vec<&str> = st.topics.iter().map(|t| topic_name(names, t)).collect();
    let mut meta = format!(
        "{} · {} · {} · risk {:.0} · {}",
        st.lead.source,
        local(d, st.lead.time),
        if topics.is_empty() {
            "no topic".to_string()
        } else {
            topics.join(", ")
        },
        st.risk,
        sentiment_word(&st.sentiment)
    );
    if st.outlets > 1 {
        let _ = write!(meta, " · {} outlets, first: {}", st.outlets, st.lead.source);
    }
    meta
}

/// Plain text, for the text/plain part of the email and terminals.
pub fn text(d: &Digest, names: &TopicNames) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "kabar digest: {} · {} ({})",
        d.profile, d.date, d.timezone
    );
    if !d.watchlists.is_empty() || !d.watchlist_problems.is_empty() {
        let _ = writeln!(o, "\nWATCHLIST ALERTS");
    }
    for w in &d.watchlists {
        let _ = writeln!(o, "- {}", watch_line(w));
        let _ = writeln!(o, "  why: {}", watch_why(w));
        if !w.outlets.is_empty() {
            let _ = writeln!(o, "  outlets: {}", watch_outlets(w));
        }
        if let Some(f) = &w.first {
            let _ = writeln!(
                o,
                "  first: {} at {}: {}",
                f.source,
                local(d, f.time),
                f.title
            );
            let _ = writeln!(o, "         {}", f.url);
        }
        let series: Vec<f64> = w.series.iter().map(|&c| c as f64).collect();
        let _ = writeln!(o, "  30 days: {}", super::chart::sparkline(&series));
        let _ = writeln!(o, "  search: {}", w.search_url);
    }
    for p in &d.watchlist_problems {
        let _ = writeln!(o, "- {}: NOT CHECKED: {}", p.name, p.error);
    }
    let _ = writeln!(o, "\n{}", d.summary.headline);

    let _ = writeln!(o, "\nEMERGING RISKS");
    if d.spikes.is_empty() {
        let _ = writeln!(o, "  none today");
    }
    for s in &d.spikes {
        let _ = writeln!(o, "- {}", spike_line(s, names));
        let _ = writeln!(o, "  outlets: {}", outlets_line(s));
        if let Some(f) = &s.first {
            let _ = writeln!(
                o,
                "  first: {} at {}: {}",
                f.source,
                local(d, f.time),
                f.title
            );
            let _ = writeln!(o, "         {}", f.url);
        }
        if !s.terms.is_empty() {
            let _ = writeln!(o, "  terms: {}", s.terms.join(", "));
        }
        let series: Vec<f64> = s.series.iter().map(|&c| c as f64).collect();
        let _ = writeln!(o, "  30 days: {}", super::chart::sparkline(&series));
    }

    for r in &d.regions {
        let _ = writeln!(
            o,
            "\nTOP STORIES · {} ({})",
            r.region.to_uppercase(),
            count(r.articles, "article")
        );
        if r.stories.is_empty() {
            let _ = writeln!(o, "  no articles");
        }
        for (i, st) in r.stories.iter().enumerate() {
            let _ = writeln!(o, "{}. {}", i + 1, st.lead.title);
            let _ = writeln!(o, "   {}", story_meta(d, st, names));
            if !st.extract.is_empty() {
                let _ = writeln!(o, "   {}", st.extract);
            }
            let _ = writeln!(o, "   {}", st.lead.url);
        }
    }

    let _ = writeln!(o, "\nSENTIMENT SHIFTS");
    if d.shifts.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for s in &d.shifts {
        let _ = writeln!(
            o,
            "- {} in {}: {:+.2} today vs {:+.2} usual ({} articles)",
            topic_name(names, &s.topic),
            s.region.to_uppercase(),
            s.today,
            s.baseline,
            s.articles
        );
    }

    let h = &d.health;
    let _ = writeln!(o, "\nCOVERAGE HEALTH");
    let _ = writeln!(
        o,
        "  {} sources: {} fine, {} silent, {} failing, {} paused, {} never polled",
        h.sources,
        h.ok,
        h.silent.len(),
        h.failing.len(),
        h.paused.len(),
        h.never_polled
    );
    for v in &h.volume {
        let _ = writeln!(
            o,
            "  {}: {}, usually {:.0}{}",
            v.region.to_uppercase(),
            count(v.today, "article"),
            v.usual,
            if v.low {
                " (LOW: quiet here is not calm)"
            } else {
                ""
            }
        );
    }
    for (label, list) in [
        ("failing", &h.failing),
        ("paused", &h.paused),
        ("silent", &h.silent),
    ] {
        for s in list.iter().take(10) {
            let why = s
                .last_error
                .as_deref()
                .unwrap_or("no new article for 3 days");
            let _ = writeln!(
                o,
                "  {label}: {} ({}): {why}",
                s.source,
                s.region.to_uppercase()
            );
        }
        if list.len() > 10 {
            let _ = writeln!(o, "  {label}: and {} more", list.len() - 10);
        }
    }
    o
}

/// Markdown punctuation escaped, so a title cannot become a link or a heading.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '<'
                | '>'
                | '('
                | ')'
                | '#'
                | '+'
                | '!'
                | '|'
        ) {
            out.push('\\');
        }
        if c == '\n' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// A URL safe inside `<...>` in Markdown: only http(s), no spaces or brackets.
fn md_url(url: &str) -> Option<String> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>');
    ok.then(|| url.to_string())
}

/// Markdown, for chat tools and notes.
pub fn markdown(d: &Digest, names: &TopicNames) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# kabar digest: {} · {}\n", md(&d.profile), d.date);
    if !d.watchlists.is_empty() || !d.watchlist_problems.is_empty() {
        let _ = writeln!(o, "## Watchlist alerts\n");
        for w in &d.watchlists {
            let name = md(&watch_line(w));
            let name = match md_url(&w.search_url) {
                Some(u) => format!("[{name}](<{u}>)"),
                None => name,
            };
            let _ = writeln!(o, "- **{name}**");
            let _ = writeln!(o, "  - why: {}", md(&watch_why(w)));
            if !w.outlets.is_empty() {
                let _ = writeln!(o, "  - outlets: {}", md(&watch_outlets(w)));
            }
            if let Some(f) = &w.first {
                let link = md_url(&f.url).map_or(String::new(), |u| format!(" <{u}>"));
                let _ = writeln!(
                    o,
                    "  - first: {} at {}: {}{link}",
                    md(&f.source),
                    local(d, f.time),
                    md(&f.title)
                );
            }
        }
        for p in &d.watchlist_problems {
            let _ = writeln!(o, "- **{}**: not checked: {}", md(&p.name), md(&p.error));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "{}\n", md(&d.summary.headline));
    let _ = writeln!(o, "## Emerging risks\n");
    if d.spikes.is_empty() {
        let _ = writeln!(o, "None today.\n");
    }
    for s in &d.spikes {
        let _ = writeln!(o, "- **{}**", md(&spike_line(s, names)));
        let _ = writeln!(o, "  - outlets: {}", md(&outlets_line(s)));
        if let Some(f) = &s.first {
            let link = md_url(&f.url).map_or(String::new(), |u| format!(" <{u}>"));
            let _ = writeln!(
                o,
                "  - first: {} at {}: {}{link}",
                md(&f.source),
                local(d, f.time),
                md(&f.title)
            );
        }
        if !s.terms.is_empty() {
            let _ = writeln!(o, "  - terms: {}", md(&s.terms.join(", ")));
        }
    }
    for r in &d.regions {
        let _ = writeln!(
            o,
            "\n## Top stories · {} ({})\n",
            r.region.to_uppercase(),
            count(r.articles, "article")
        );
        if r.stories.is_empty() {
            let _ = writeln!(o, "No articles.");
        }
        for (i, st) in r.stories.iter().enumerate() {
            let title = md(&st.lead.title);
            let title = match md_url(&st.lead.url) {
                Some(u) => format!("[{title}](<{u}>)"),
                None => title,
            };
            let _ = writeln!(o, "{}. {title}  ", i + 1);
            let _ = writeln!(o, "   {}  ", md(&story_meta(d, st, names)));
            if !st.extract.is_empty() {
                let _ = writeln!(o, "   {}", md(&st.extract));
            }
        }
    }
    let _ = writeln!(o, "\n## Sentiment shifts\n");
    if d.shifts.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for s in &d.shifts {
        let _ = writeln!(
            o,
            "- {} in {}: {:+.2} today vs {:+.2} usual ({} articles)",
            md(topic_name(names, &s.topic)),
            s.region.to_uppercase(),
            s.today,
            s.baseline,
            s.articles
        );
    }
    let h = &d.health;
    let _ = writeln!(o, "\n## Coverage health\n");
    let _ = writeln!(
        o,
        "{} sources: {} fine, {} silent, {} failing, {} paused, {} never polled.\n",
        h.sources,
        h.ok,
        h.silent.len(),
        h.failing.len(),
        h.paused.len(),
        h.never_polled
    );
    let _ = writeln!(o, "| region | articles | usual | |\n|---|---:|---:|---|");
    for v in &h.volume {
        let _ = writeln!(
            o,
            "| {} | {} | {:.0} | {} |",
            v.region.to_uppercase(),
            v.today,
            v.usual,
            if v.low {
                "**low**: quiet is not calm"
            } else {
                ""
            }
        );
    }
    for (label, list) in [
        ("Failing", &h.failing),
        ("Paused", &h.paused),
        ("Silent", &h.silent),
    ] {
        if list.is_empty() {
            continue;
        }
        let names: Vec<String> = list.iter().take(20).map(|s| md(&s.source)).collect();
        let _ = writeln!(o, "\n{label}: {}", names.join(", "));
    }
    o
}

// Inline styles: most mail clients drop <style> blocks and all scripts.
const BODY: &str = "margin:0;padding:16px;background:#f8fafc;font-family:-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans Thai','Noto Sans Myanmar','Noto Sans Khmer','Noto Sans CJK SC','Noto Sans Devanagari','Noto Sans Bengali','Noto Sans Tamil','Noto Nastaliq Urdu',Arial,sans-serif;color:#0f172a;line-height:1.45";
const CARD: &str = "background:#ffffff;border:1px solid #e2e8f0;border-radius:6px;padding:12px 16px;margin:0 0 12px 0";
const H2: &str = "font-size:16px;margin:0 0 8px 0;color:#0f172a";
const META: &str = "font-size:12px;color:#475569";
const RISK: &str =
    "display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#ffffff";

fn risk_color(risk: f32) -> &'static str {
    if risk >= 60.0 {
        "#b91c1c"
    } else if risk >= 30.0 {
        "#c2410c"
    } else {
        "#64748b"
    }
}

/// Only http(s) URLs become links; anything else is shown as text.
fn href(url: &str) -> Option<String> {
    (url.starts_with("http://") || url.starts_with("https://")).then(|| escape(url).into_owned())
}

/// The watchlists card at the top of the HTML digest, one chart each.
fn html_watchlists(o: &mut String, charts: &mut Vec<Chart>, d: &Digest) {
    if d.watchlists.is_empty() && d.watchlist_problems.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<div style=\"{CARD};border-color:#b91c1c\"><h2 style=\"{H2}\">Watchlist alerts</h2>"
    );
    for (i, w) in d.watchlists.iter().enumerate() {
        let values: Vec<f64> = w.series.iter().map(|&c| c as f64).collect();
        let mut spec = ChartSpec::new(&values);
        if w.expected > 0.0 {
            spec.band = Some((0.0, w.expected));
        }
        let content_id = format!("watch{i}.{}@kabar", d.date);
        charts.push(Chart {
            content_id: content_id.clone(),
            png: bar_chart(&spec),
        });
        let line_text = watch_line(w);
        let line = escape(&line_text);
        let line = match href(&w.search_url) {
            Some(u) => format!("<a href=\"{u}\" style=\"color:#0f172a\">{line}</a>"),
            None => line.into_owned(),
        };
        let _ = write!(
            o,
            "<div style=\"margin:0 0 14px 0\"><p style=\"margin:0\"><strong>{line}</strong></p><p style=\"{META};margin:0\">Why: {}</p>",
            escape(&watch_why(w))
        );
        let _ = write!(
            o,
            "<img src=\"cid:{}\" width=\"{}\" height=\"{}\" alt=\"{} matches a day over {} days, the last day highlighted\" style=\"display:block;margin:4px 0\">",
            escape(&content_id),
            spec.width,
            spec.height,
            escape(&w.name),
            w.series.len()
        );
        let _ = write!(
            o,
            "<p style=\"{META};margin:0\">Outlets: {}",
            escape(&watch_outlets(w))
        );
        if let Some(f) = &w.first {
            let title = escape(&f.title);
            let title = match href(&f.url) {
                Some(u) => format!("<a href=\"{u}\" style=\"color:#1d4ed8\">{title}</a>"),
                None => title.into_owned(),
            };
            let _ = write!(
                o,
                "<br>First: {} at {}: {title}",
                escape(&f.source),
                local(d, f.time)
            );
        }
        let _ = write!(o, "</p></div>");
    }
    for p in &d.watchlist_problems {
        let _ = write!(
            o,
            "<p style=\"margin:0 0 6px 0;color:#b91c1c\"><strong>{}</strong>: not checked: {}</p>",
            escape(&p.name),
            escape(&p.error)
        );
    }
    let _ = write!(o, "</div>");
}

/// The HTML email body and the charts it references.
pub fn html(d: &Digest, names: &TopicNames) -> (String, Vec<Chart>) {
    let mut charts = Vec::new();
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title></head><body style=\"{BODY}\">",
        escape(&subject(d))
    );
    let _ = write!(
        o,
        "<div style=\"max-width:680px;margin:0 auto\"><p style=\"{META}\">kabar digest · {} · {} ({})</p>",
        escape(&d.profile),
        d.date,
        escape(&d.timezone),
    );
    html_watchlists(&mut o, &mut charts, d);
    let _ = write!(
        o,
        "<div style=\"{CARD}\"><p style=\"margin:0;font-size:15px\">{}</p></div>",
        escape(&d.summary.headline)
    );

    let _ = write!(
        o,
        "<div style=\"{CARD}\"><h2 style=\"{H2}\">Emerging risks</h2>"
    );
    if d.spikes.is_empty() {
        let _ = write!(o, "<p style=\"{META}\">None today.</p>");
    }
    for (i, s) in d.spikes.iter().enumerate() {
        let values: Vec<f64> = s.series.iter().map(|&c| c as f64).collect();
        let mut spec = ChartSpec::new(&values);
        if s.expected > 0.0 {
            spec.band = Some((0.0, s.expected));
        }
        let content_id = format!("spike{i}.{}@kabar", d.date);
        charts.push(Chart {
            content_id: content_id.clone(),
            png: bar_chart(&spec),
        });
        let _ = write!(
            o,
            "<div style=\"margin:0 0 14px 0\"><p style=\"margin:0\"><strong>{}</strong></p>",
            escape(&spike_line(s, names))
        );
        let _ = write!(
            o,
            "<img src=\"cid:{}\" width=\"{}\" height=\"{}\" alt=\"{} articles a day over {} days, the last day highlighted\" style=\"display:block;margin:4px 0\">",
            escape(&content_id),
            spec.width,
            spec.height,
            escape(topic_name(names, &s.topic)),
            s.series.len()
        );
        let _ = write!(
            o,
            "<p style=\"{META};margin:0\">Outlets: {}",
            escape(&outlets_line(s))
        );
        if let Some(f) = &s.first {
            let title = escape(&f.title);
            let title = match href(&f.url) {
                Some(u) => format!("<a href=\"{u}\" style=\"color:#1d4ed8\">{title}</a>"),
                None => title.into_owned(),
            };
            let _ = write!(
                o,
                "<br>First: {} at {}: {title}",
                escape(&f.source),
                local(d, f.time)
            );
        }
        if !s.terms.is_empty() {
            let _ = write!(o, "<br>Terms: {}", escape(&s.terms.join(", ")));
        }
        let _ = write!(o, "</p></div>");
    }
    let _ = write!(o, "</div>");

    for r in &d.regions {
        let _ = write!(
            o,
            "<div style=\"{CARD}\"><h2 style=\"{H2}\">Top stories · {} <span style=\"{META}\">({})</span></h2>",
            escape(&r.region.to_uppercase()),
            count(r.articles, "article")
        );
        if r.stories.is_empty() {
            let _ = write!(o, "<p style=\"{META}\">No articles.</p>");
        }
        for st in &r.stories {
            let title = escape(&st.lead.title);
            let title = match href(&st.lead.url) {
                Some(u) => format!(
                    "<a href=\"{u}\" style=\"color:#0f172a;text-decoration:none\">{title}</a>"
                ),
                None => title.into_owned(),
            };
            let _ = write!(
                o,
                "<div style=\"margin:0 0 12px 0\"><p style=\"margin:0\"><span style=\"{RISK};background:{}\">{:.0}</span> <strong lang=\"{}\">{title}</strong></p><p style=\"{META};margin:2px 0\">{}</p>",
                risk_color(st.risk),
                st.risk,
                escape(&st.lang),
                escape(&story_meta(d, st, names))
            );
            if !st.extract.is_empty() {
                let _ = write!(
                    o,
                    "<p style=\"margin:0;font-size:14px\" lang=\"{}\">{}</p>",
                    escape(&st.lang),
                    escape(&st.extract)
                );
            }
            let _ = write!(o, "</div>");
        }
        let _ = write!(o, "</div>");
    }

    let _ = write!(
        o,
        "<div style=\"{CARD}\"><h2 style=\"{H2}\">Sentiment shifts</h2>"
    );
    if d.shifts.is_empty() {
        let _ = write!(o, "<p style=\"{META}\">None.</p>");
    } else {
        let _ = write!(
            o,
            "<table style=\"border-collapse:collapse;font-size:14px\">"
        );
        for s in &d.shifts {
            let _ = write!(
                o,
                "<tr><td style=\"padding:2px 8px 2px 0\">{} · {}</td><td style=\"padding:2px 8px\">{:+.2} today</td><td style=\"padding:2px 8px;{META}\">{:+.2} usual, {} articles</td></tr>",
                escape(topic_name(names, &s.topic)),
                escape(&s.region.to_uppercase()),
                s.today,
                s.baseline,
                s.articles
            );
        }
        let _ = write!(o, "</table>");
    }
    let _ = write!(o, "</div>");

    let h = &d.health;
    let _ = write!(
        o,
        "<div style=\"{CARD}\"><h2 style=\"{H2}\">Coverage health</h2><p style=\"margin:0 0 6px 0;font-size:14px\">{} sources: {} fine, {} silent, {} failing, {} paused, {} never polled.</p><table style=\"border-collapse:collapse;font-size:14px\">",
        h.sources,
        h.ok,
        h.silent.len(),
        h.failing.len(),
        h.paused.len(),
        h.never_polled
    );
    for v in &h.volume {
        let _ = write!(
            o,
            "<tr><td style=\"padding:2px 8px 2px 0\">{}</td><td style=\"padding:2px 8px\">{} articles</td><td style=\"padding:2px 8px;{META}\">usually {:.0}</td><td style=\"padding:2px 8px;color:#b91c1c\">{}</td></tr>",
            escape(&v.region.to_uppercase()),
            v.today,
            v.usual,
            if v.low {
                "low: quiet here is not calm"
            } else {
                ""
            }
        );
    }
    let _ = write!(o, "</table>");
    for (label, list) in [
        ("Failing", &h.failing),
        ("Paused", &h.paused),
        ("Silent", &h.silent),
    ] {
        if list.is_empty() {
            continue;
        }
        let names: Vec<String> = list
            .iter()
            .take(20)
            .map(|s| escape(&s.source).into_owned())
            .collect();
        let more = if list.len() > 20 {
            format!(" and {} more", list.len() - 20)
        } else {
            String::new()
        };
        let _ = write!(
            o,
            "<p style=\"{META};margin:6px 0 0 0\">{label}: {}{more}</p>",
            names.join(", ")
        );
    }
    let _ = write!(
        o,
        "</div><p style=\"{META}\">Generated by kabar at {} UTC. Risk 0–100 combines topic relevance, negative coverage and the outlet's weight.</p></div></body></html>",
        d.generated.format("%Y-%m-%d %H:%M")
    );
    (o, charts)
}

/// The digest as one JSON document.
pub fn json(d: &Digest) -> String {
    serde_json::to_string_pretty(d).expect("a digest serialises")
}
