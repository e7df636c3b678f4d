//! Where the crawler may connect: no private, loopback or link-local
//! addresses unless allowed, checked after DNS resolution and on every
//! redirect.
//!
//! A feed is third-party input: an item link, or a redirect, can point at
//! `http://169.254.169.254/` or a service on the crawler's own network. Host
//! names are checked by a DNS resolver that drops non-public addresses (so a
//! public name that resolves to 10.0.0.5 is refused too); IP literals never
//! reach the resolver, so they are checked on the URL itself, before the
//! first request and in the redirect policy. `--allow-private` (config
//! `crawl.allow_private`) turns the check off, for intranet sources and for
//! the tests, which serve everything from loopback.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// True for addresses a crawler must not reach without permission.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public_v4(v4);
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 of an IPv4 address
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0)
        }
    }
}

fn is_non_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

/// Why a URL may not be fetched, or `None` when it may. Checks the scheme
/// and, for IP-literal hosts, the address.
pub fn check_url(url: &Url, allow_private: bool) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some(format!(
            "only http and https are fetched, not {}",
            url.scheme()
        ));
    }
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(d))
            if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") =>
        {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        Some(Host::Domain(_)) => return None,
        None => return Some("the URL has no host".into()),
    };
    (!allow_private && is_non_public(ip)).then(|| private_message(ip))
}

const NOT_PUBLIC: &str = "is a private, loopback or link-local address (allow with --allow-private or crawl.allow_private)";

fn private_message(ip: IpAddr) -> String {
    format!("{ip} {NOT_PUBLIC}")
}

/// A resolver that refuses non-public addresses, and knows fixed addresses
/// for some names (the benchmark's simulated hosts).
pub struct GuardedResolver {
    pub allow_private: bool,
    pub fixed: Arc<HashMap<String, SocketAddr>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allow_private = self.allow_private;
        let fixed = self.fixed.get(&host).copied();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(addr) => vec![addr],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let (public, private): (Vec<SocketAddr>, Vec<SocketAddr>) =
                addrs.into_iter().partition(|a| !is_non_public(a.ip()));
            let usable = if allow_private {
                public.into_iter().chain(private).collect::<Vec<_>>()
            } else {
                if public.is_empty()
                    && let Some(first) = private.first()
                {
                    return Err(Box::new(GuardError::Blocked(format!(
                        "{host} resolves to {}, which {}",
                        first.ip(),
                        NOT_PUBLIC
                    )))
                        as Box<dyn std::error::Error + Send + Sync>);
                }
                public
            };
            let addrs: Addrs = Box::new(usable.into_iter());
            Ok(addrs)
        })
    }
}

/// Why the guard refused a connection or a redirect; found again by type in
/// the source chain when a failure is classified.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// A refused (non-public) address, by resolution or on a redirect.
    #[error("{0}")]
    Blocked(String),
    /// Too many redirects, or a loop.
    #[error("{0}")]
    Redirects(String),
}

pub fn redirect_policy(max: usize, allow_private: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().iter().any(|u| u == attempt.url()) {
            let url = attempt.url().to_string();
            return attempt.error(GuardError::Redirects(format!(
                "redirect loop back to {url}"
            )));
        }
        if attempt.previous().len() > max {
            return attempt.error(GuardError::Redirects(format!("more than {max} redirects")));
        }
        if let Some(why) = check_url(attempt.url(), allow_private) {
            let url = attempt.url().to_string();
            return attempt.error(GuardError::Blocked(format!(
                "redirect to {url} refused: {why}"
            )));
        }
        attempt.follow()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "203.113.1.1", "2404:6800:4003::200e", "1.1.1.1"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        let u = |s| Url::parse(s).unwrap();
        assert!(check_url(&u("http://169.254.169.254/latest/meta-data"), false).is_some());
        assert!(check_url(&u("http://[::1]:8080/"), false).is_some());
        assert!(check_url(&u("http://localhost/"), false).is_some());
        assert!(check_url(&u("http://127.0.0.1/"), true).is_none());
        assert!(check_url(&u("https://news.example.com/"), false).is_none());
        assert!(check_url(&u("ftp://news.example.com/"), true).is_some());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_privately() {
        let fixed: HashMap<String, SocketAddr> =
            [("intranet.test".to_string(), "10.0.0.5:80".parse().unwrap())].into();
        let guarded = GuardedResolver {
            allow_private: false,
            fixed: Arc::new(fixed.clone()),
        };
        let err = guarded
            .resolve("intranet.test".parse().unwrap())
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("10.0.0.5"), "{err}");
        let open = GuardedResolver {
            allow_private: true,
            fixed: Arc::new(fixed),
        };
        let addrs: Vec<SocketAddr> = open
            .resolve("intranet.test".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(addrs, ["10.0.0.5:80".parse::<SocketAddr>().unwrap()]);
    }
}
