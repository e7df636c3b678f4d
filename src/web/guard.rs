//! What stands between the network and the handlers.
//!
//! Layers, outermost first: security headers on every answer; a per-IP
//! token bucket (a client past its rate gets 429 with `Retry-After`); and,
//! when a token is configured, the token check (`Authorization: Bearer`, or
//! the cookie `/login?token=` sets). The server refuses to listen anywhere
//! but loopback without a token (see [`super::serve`]), so a page that
//! shows crawled text from hostile sites is never open to the network.
//!
//! The pages need no script at all, so the Content-Security-Policy allows
//! none: even if some crawled text slipped past the escaping, a browser
//! would not run it. Forms that change data (watchlists) carry a per-session
//! CSRF token (double-submit: a random cookie and the same value in the
//! form) and must come from the same origin.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::{Problem, Shared};

/// The cookie `/login` sets: a hash of the token, not the token itself.
pub const AUTH_COOKIE: &str = "kabar_session";
/// The double-submit CSRF cookie of the watchlist forms.
pub const CSRF_COOKIE: &str = "kabar_csrf";
/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 10_000;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A handler that set its own policy (the digest's, the archived
    // page's) set a stricter or narrowly widened one on purpose.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Links to the original articles must not tell the outlet what the
    // analyst searched for.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if is_static {
                "public, max-age=3600"
            } else {
                "no-store"
            }),
        );
    }
    response
}

/// A token bucket per client IP.
#[derive(Debug)]
pub struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_sec: f64, burst: u32) -> Self {
        RateLimiter {
            per_sec,
            burst: f64::from(burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; when there is none, how long until there is.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&ip) {
            let (per_sec, burst) = (self.per_sec, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_sec < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_sec))
        }
    }
}

/// The client's IP (unspecified when the server was not told, as in
/// in-process tests that call the router directly).
fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub async fn rate_limit(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let ip = client_ip(&request);
    match app.limiter.take(ip, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let api = is_api(request.uri().path());
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this address; wait a moment",
            )
            .respond(api);
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The session value for a token: what the cookie holds.
pub fn session_value(token: &str) -> String {
    let digest = Sha256::digest(format!("kabar-web-session\0{token}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so the time taken
/// does not say how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name`, if the request sent it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Does the request carry the token (header) or the session (cookie)?
pub fn authorized(token: &str, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), token.as_bytes()));
    let session = cookie(headers, AUTH_COOKIE)
        .is_some_and(|given| constant_time_eq(given.as_bytes(), session_value(token).as_bytes()));
    bearer || session
}

pub async fn require_token(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let Some(token) = app.token.as_deref() else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    if path == "/login" || path.starts_with("/static/") || authorized(token, request.headers()) {
        return next.run(request).await;
    }
    let api = is_api(path);
    let message = if api {
        "this server needs a token: send Authorization: Bearer TOKEN"
    } else {
        "this server needs a token: open /login?token=TOKEN once in this browser"
    };
    let mut response = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", message).respond(api);
    if api {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"kabar\""),
        );
    }
    response
}

/// `/login?token=…`: sets the session cookie and goes to the search page.
pub async fn login(
    State(app): State<Shared>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let given = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match app.token.as_deref() {
        None => axum::response::Redirect::to("/").into_response(),
        Some(token) if constant_time_eq(given.as_bytes(), token.as_bytes()) => {
            let cookie = format!(
                "{AUTH_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                session_value(token)
            );
            let mut response = axum::response::Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Some(_) => {
            Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong token").respond(false)
        }
    }
}

/// A fresh random value for a CSRF cookie (hex).
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to something unguessable enough for a
        // loopback page (time and address of a fresh allocation, hashed).
        let seed = format!("{:?}{:p}", Instant::now(), &bytes);
        bytes.copy_from_slice(&Sha256::digest(seed.as_bytes())[..16]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a form post: same origin (when the browser says where it comes
/// from) and the form's CSRF value equal to the cookie's.
pub fn check_form(headers: &HeaderMap, form_csrf: &str) -> Result<(), Problem> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    if let (Some(origin), Some(host)) = (origin, host) {
        let same = url::Url::parse(origin)
            .ok()
            .and_then(|u| {
                let h = u.host_str()?.to_string();
                Some(match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h,
                })
            })
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "cross_origin",
                "this form was sent from another site",
            ));
        }
    }
    let cookie_value = cookie(headers, CSRF_COOKIE).unwrap_or("");
    if cookie_value.is_empty() || !constant_time_eq(cookie_value.as_bytes(), form_csrf.as_bytes()) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the form has expired or did not come from this page; reload the page and try again",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_at_the_rate() {
        let limiter = RateLimiter::new(2.0, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.take(ip, t0).unwrap();
        }
        let wait = limiter.take(ip, t0).unwrap_err();
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
        limiter.take(other, t0).unwrap();
        limiter.take(ip, t0 + Duration::from_millis(500)).unwrap();
        assert!(limiter.take(ip, t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn tokens_and_cookies() {
        let mut h = HeaderMap::new();
        assert!(!authorized("s3cret", &h));
        h.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(authorized("s3cret", &h));
        assert!(!authorized("s3cre", &h));
        let mut h = HeaderMap::new();
        let cookie_header = format!("a=b; {AUTH_COOKIE}={}", session_value("s3cret"));
        h.insert(header::COOKIE, cookie_header.parse().unwrap());
        assert!(authorized("s3cret", &h));
        assert!(!authorized("other", &h));
    }

    #[test]
    fn forms_need_the_cookie_value_and_the_same_origin() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        h.insert(
            header::COOKIE,
            format!("{CSRF_COOKIE}=abc").parse().unwrap(),
        );
        assert!(check_form(&h, "abc").is_ok());
        assert!(check_form(&h, "abd").is_err());
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_form(&h, "abc").is_ok());
        h.insert(header::ORIGIN, "http://evil.test".parse().unwrap());
        assert!(check_form(&h, "abc").is_err());
        assert_eq!(random_token().len(), 32);
    }
}
