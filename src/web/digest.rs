//! The digest on the web: `/digest` previews one day's digest for a
//! profile inside the site's layout, `/api/digest` returns it as JSON, text,
//! Markdown or HTML.
//!
//! Both build the digest with [`crate::digest::run::build_from`] over the
//! server's open index and render it with [`crate::digest::render`], the
//! code the email uses, so the preview is the email. The email references
//! its charts as `cid:` parts of the message; a browser has no message, so
//! the charts become `data:` URIs in place (the page's image policy allows
//! `data:`). The email's HTML styles with `style` attributes, which the
//! site's Content-Security-Policy otherwise forbids: these two responses
//! allow inline style *attributes* only (`style-src-attr`), never a
//! `<style>` element or a script. Crawled text in the digest is escaped by
//! the renderer (see [`crate::digest::html`]).

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use chrono::{NaiveDate, Utc};

use super::html::Markup;
use super::{AppState, Problem, Shared, blocking};
use crate::config::DigestProfile;
use crate::digest::compose::Digest;
use crate::digest::render;
use crate::digest::run::{self, DigestError};

/// The policy of the digest responses: the site's, plus inline style
/// attributes for the email's markup.
pub const DIGEST_CSP: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What `format=` may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestFormat {
    Json,
    Text,
    Markdown,
    Html,
}

impl DigestFormat {
    fn parse(v: &str) -> Result<DigestFormat, Problem> {
        match v {
            "json" => Ok(DigestFormat::Json),
            "text" | "txt" => Ok(DigestFormat::Text),
            "md" | "markdown" => Ok(DigestFormat::Markdown),
            "html" => Ok(DigestFormat::Html),
            other => Err(Problem::bad_request(
                "bad_parameter",
                format!("format '{other}' must be one of json, text, md, html"),
            )),
        }
    }
}

/// The parameters both routes read.
#[derive(Debug, Default)]
struct DigestParams {
    date: Option<String>,
    profile: Option<String>,
    format: Option<String>,
}

impl DigestParams {
    fn parse(raw: Option<&str>) -> Result<DigestParams, Problem> {
        let mut p = DigestParams::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = v.trim().to_string();
            let slot = match k.as_ref() {
                "date" => &mut p.date,
                "profile" => &mut p.profile,
                "format" => &mut p.format,
                other => {
                    return Err(Problem::bad_request(
                        "bad_parameter",
                        format!("unknown parameter '{other}' (date, profile, format)"),
                    ));
                }
            };
            // An empty field (the form's "default") means "not given".
            if !v.is_empty() {
                *slot = Some(v);
            }
        }
        Ok(p)
    }
}

impl From<DigestError> for Problem {
    fn from(e: DigestError) -> Self {
        match e {
            DigestError::NoProfile(..) => Problem::not_found(e.to_string()),
            DigestError::Date(_) => Problem::bad_request("bad_parameter", e.to_string()),
            DigestError::Query(q) => q.into(),
            other => Problem::internal(other),
        }
    }
}

/// The profile asked for. With none configured, the built-in profile
/// (everything, named `all`) answers to its name too.
fn resolve_profile(app: &AppState, name: Option<&str>) -> Result<DigestProfile, Problem> {
    let fallback = run::profile(&app.config, None)?;
    match name {
        Some(n) if app.config.digest.profiles.is_empty() && n == fallback.name => Ok(fallback),
        Some(n) => Ok(run::profile(&app.config, Some(n))?),
        None => Ok(fallback),
    }
}

/// A digest built for the web, with what the page needs around it.
struct Built {
    digest: Digest,
    profile: DigestProfile,
    date: NaiveDate,
}

async fn build(app: &Shared, params: &DigestParams) -> Result<Built, Problem> {
    let profile = resolve_profile(app, params.profile.as_deref())?;
    let tz = run::timezone(&profile)?;
    let now = Utc::now();
    let date = run::date(params.date.as_deref(), &tz, now)?;
    let app = Arc::clone(app);
    blocking(move || {
        let digest = run::build_from(
            &app.config,
            &app.index,
            app.topic_names(),
            &profile,
            date,
            now,
        )?;
        Ok(Built {
            digest,
            profile,
            date,
        })
    })
    .await
}

/// The email's HTML with every `cid:` chart as a `data:` URI.
pub fn html_with_inline_charts(d: &Digest, names: &render::TopicNames) -> String {
    let (mut html, charts) = render::html(d, names);
    for c in charts {
        let uri = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&c.png)
        );
        // The renderer escapes the content id into the attribute; ids are
        // `spike<N>.<date>@kabar`, which escaping leaves as they are.
        html = html.replace(
            &format!("src=\"cid:{}\"", c.content_id),
            &format!("src=\"{uri}\""),
        );
    }
    html
}

/// What is between `<body …>` and `</body>`: the renderer writes exactly
/// one of each.
fn body_of(html: &str) -> &str {
    let start = html
        .find("<body")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len()).max(start);
    &html[start..end]
}

fn with_csp(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DIGEST_CSP),
    );
    response
}

// ---------------------------------------------------------------- API

pub async fn api(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match api_response(&app, raw.as_deref()).await {
        Ok(r) => r,
        Err(p) => p.respond(true),
    }
}

async fn api_response(app: &Shared, raw: Option<&str>) -> Result<Response, Problem> {
    let params = DigestParams::parse(raw)?;
    let format = DigestFormat::parse(params.format.as_deref().unwrap_or("json"))?;
    let built = build(app, &params).await?;
    let names = app.topic_names();
    let d = &built.digest;
    Ok(match format {
        DigestFormat::Json => (
            [(header::CONTENT_TYPE, "application/json")],
            render::json(d),
        )
            .into_response(),
        DigestFormat::Text => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            render::text(d, names),
        )
            .into_response(),
        DigestFormat::Markdown => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            render::markdown(d, names),
        )
            .into_response(),
        DigestFormat::Html => with_csp(Html(html_with_inline_charts(d, names)).into_response()),
    })
}

// ---------------------------------------------------------------- page

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestPage {
    nav: &'static str,
    date: String,
    profile: String,
    profiles: Vec<String>,
    subject: String,
    digest: Markup,
    links: Vec<(&'static str, String)>,
}

pub async fn page(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match page_response(&app, raw.as_deref()).await {
        Ok(r) => r,
        Err(p) => p.respond(false),
    }
}

async fn page_response(app: &Shared, raw: Option<&str>) -> Result<Response, Problem> {
    let params = DigestParams::parse(raw)?;
    let built = build(app, &params).await?;
    let names = app.topic_names();
    let html = html_with_inline_charts(&built.digest, names);
    let mut profiles: Vec<String> = app
        .config
        .digest
        .profiles
        .iter()
        .map(|p| p.name.clone())
        .collect();
    if profiles.is_empty() {
        profiles.push(built.profile.name.clone());
    }
    let query = |format: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("date", &built.date.to_string())
            .append_pair("profile", &built.profile.name)
            .append_pair("format", format)
            .finish()
    };
    let page = DigestPage {
        nav: "digest",
        date: built.date.to_string(),
        profile: built.profile.name.clone(),
        profiles,
        subject: render::subject(&built.digest),
        // The renderer escaped every crawled value in it.
        digest: Markup::from_trusted(body_of(&html).to_string()),
        links: ["json", "text", "md", "html"]
            .into_iter()
            .map(|f| (f, format!("/api/digest?{}", query(f))))
            .collect(),
    };
    match page.render() {
        Ok(body) => Ok(with_csp(Html(body).into_response())),
        Err(e) => Err(Problem::internal(format!("template: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_cut_out_of_the_email() {
        let html = "<!DOCTYPE html><html><head><title>t</title></head><body style=\"x\"><div>in</div></body></html>";
        assert_eq!(body_of(html), "<div>in</div>");
        assert_eq!(body_of("no body"), "no body");
    }

    #[test]
    fn formats_and_parameters_are_checked() {
        assert_eq!(DigestFormat::parse("md").unwrap(), DigestFormat::Markdown);
        assert_eq!(DigestFormat::parse("pdf").unwrap_err().status, 400);
        let p = DigestParams::parse(Some("date=2026-01-02&profile=&format=text")).unwrap();
        assert_eq!(p.date.as_deref(), Some("2026-01-02"));
        assert_eq!(p.profile, None);
        assert!(DigestParams::parse(Some("day=1")).is_err());
    }
}
