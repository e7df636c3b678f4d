//! End-to-end crawl benchmark on a simulated web served from loopback.
//!
//! `cargo bench --bench crawl` starts an HTTP server in this process that
//! answers for 1,000 virtual hosts (`h0.bench.test` ... by the Host header;
//! kabar's `crawl.resolve` points them all at the server), each with a feed
//! of 10 articles of 20 to 200 KB. One host in ten is faulty in one of seven
//! ways (slow, 5xx, connection reset, truncated body, endless redirects, huge
//! body, wrong content type). It then runs kabar's real pipeline (fetch,
//! extract, detect, index, commit) with politeness delays at zero and reports
//! articles per second from the first request to the last commit, the
//! process's peak memory, and the status counts, and checks that every
//! healthy article was indexed and every faulty host reported with the
//! right kind. Options: `-- --hosts N --items N --json`.
//!
//! The simulated web runs in a child process (this same binary, started
//! with `--serve`), so the peak memory reported for kabar is the crawler's
//! alone; the server's own peak is reported beside it. Both share the
//! machine's cores, as a real crawl shares them with nothing.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use kabar::config::Config;
use kabar::pipeline::{CrawlOptions, crawl};
use kabar::sources::Catalog;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The seven faults, and the failure kind kabar must report for each.
const FAULTS: [(&str, &str); 7] = [
    ("slow", "timeout"),
    ("5xx", "http_status"),
    ("reset", "network"),
    ("truncated", "network"),
    ("redirects", "redirects"),
    ("huge", "too_large"),
    ("wrong-type", "not_a_feed"),
];

/// Every tenth host is faulty.
const FAULTY_EVERY: usize = 10;

struct Web {
    items: usize,
    paragraphs: Vec<String>,
}

impl Web {
    fn fault(&self, host: usize) -> Option<&'static str> {
        (host % FAULTY_EVERY == FAULTY_EVERY - 1)
            .then(|| FAULTS[(host / FAULTY_EVERY) % FAULTS.len()].0)
    }

    /// An article page of 20 to 200 KB: boilerplate plus paragraphs, with a
    /// first paragraph unique to the article so no two bodies are copies.
    fn article(&self, host: usize, item: usize) -> String {
        let target = 20_000 + (host * 7919 + item * 104_729) % 180_000;
        let mut html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story {item} from host {host} | Bench News</title>\
             <meta property=\"article:published_time\" content=\"2025-03-{:02}T08:00:00+08:00\"></head><body>\
             <nav><ul>{}</ul></nav><div class=\"cookie-banner\">We use cookies.</div><main><article><h1>Story {item} from host {host}</h1>\
             <p>Regulators on host {host} opened case number {item}-{host} into advertising on the platform, officials said on Monday.</p>",
            1 + item % 28,
            (0..30)
                .map(|i| format!("<li><a href=\"/section/{i}\">Section {i}</a></li>"))
                .collect::<String>()
        );
        let mut i = host + item;
        while html.len() < target {
            html.push_str("<p>");
            html.push_str(&self.paragraphs[i % self.paragraphs.len()]);
            html.push_str("</p>");
            i += 1;
        }
        html.push_str("</article></main><footer>Copyright Bench News</footer></body></html>");
        html
    }

    fn feed(&self, host: usize) -> String {
        let items: String = (0..self.items)
            .map(|i| {
                format!(
                    "<item><title>Story {i} from host {host}</title><link>http://h{host}.bench.test/a/{i}.html</link>\
                     <pubDate>Fri, {:02} Mar 2025 08:00:00 +0800</pubDate></item>",
                    1 + i % 28
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>h{host}</title>{items}</channel></rss>"
        )
    }
}

fn paragraphs() -> Vec<String> {
    let sentences = [
        "The agency said it had received more than two thousand complaints about investment advertisements that used the faces of well-known business leaders without their consent.",
        "Several platforms removed the advertisements within hours of being notified, but new versions appeared the following day under different account names.",
        "Consumer groups called for advertisers to be verified before their campaigns go live, arguing that takedowns after the fact leave too many victims.",
        "A spokesperson for one marketplace said its live-shopping sellers must now pass an identity check and keep records of every transaction for two years.",
        "Payment providers reported a sharp rise in refund requests linked to online loan offers that promised approval within minutes and no credit checks.",
        "The central bank reminded the public that only licensed lenders may advertise credit products, and that unlicensed operators face fines and blocking.",
        "Creators on the video platform said payouts for the quarter had been delayed by as much as six weeks, and that support tickets went unanswered.",
        "Analysts expect the new rules to raise compliance costs for smaller advertisers while reducing the volume of fraudulent campaigns over time.",
    ];
    (0..sentences.len())
        .map(|i| {
            (0..4)
                .map(|k| sentences[(i + k) % sentences.len()])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// A minimal HTTP/1.1 server: enough for kabar's client, and free to
/// misbehave in the ways real servers do.
async fn serve(listener: TcpListener, web: Arc<Web>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let web = Arc::clone(&web);
        tokio::spawn(async move {
            let _ = connection(stream, web).await;
        });
    }
}

async fn connection(mut stream: TcpStream, web: Arc<Web>) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        buf.drain(..head_end);
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let host_name = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("host: ")
                    .or_else(|| l.strip_prefix("Host: "))
            })
            .unwrap_or("")
            .trim()
            .to_string();
        let host: usize = host_name
            .strip_prefix('h')
            .and_then(|h| h.split('.').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);

        let respond = |status: &str, ctype: &str, body: &[u8]| {
            let mut r = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(body);
            r
        };

        let fault = if path == "/feed.xml" || path.starts_with("/r/") {
            web.fault(host)
        } else {
            None
        };
        let response = match (fault, path.as_str()) {
            (_, "/robots.txt") => respond("404 Not Found", "text/plain", b"none"),
            (Some("slow"), _) => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return Ok(());
            }
            (Some("5xx"), _) => respond("500 Internal Server Error", "text/plain", b"oops"),
            (Some("reset"), _) => return Ok(()), // close without a word
            (Some("truncated"), _) => {
                let mut r = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n".to_vec();
                r.extend_from_slice(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
                stream.write_all(&r).await?;
                return Ok(());
            }
            (Some("redirects"), p) => {
                let n: usize = p
                    .strip_prefix("/r/")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                format!(
                    "HTTP/1.1 302 Found\r\nLocation: /r/{}\r\nContent-Length: 0\r\n\r\n",
                    n + 1
                )
                .into_bytes()
            }
            (Some("huge"), _) => {
                let body = vec![b'a'; 6 * 1024 * 1024];
                respond("200 OK", "application/rss+xml", &body)
            }
            (Some("wrong-type"), _) => respond(
                "200 OK",
                "image/png",
                &[0x89, b'P', b'N', b'G', 0, 1, 2, 3, 0xff, 0xfe],
            ),
            (_, "/feed.xml") => respond("200 OK", "application/rss+xml", web.feed(host).as_bytes()),
            (_, p) if p.starts_with("/a/") => {
                let item: usize = p[3..].trim_end_matches(".html").parse().unwrap_or(0);
                respond(
                    "200 OK",
                    "text/html; charset=utf-8",
                    web.article(host, item).as_bytes(),
                )
            }
            _ => respond("404 Not Found", "text/plain", b"not found"),
        };
        stream.write_all(&response).await?;
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Server mode (`--serve`): binds a loopback port, prints its address on
/// the first line of stdout, and serves until stdin closes (the parent
/// exited or is done).
fn serve_child(items: usize) {
    let web = Arc::new(Web {
        items,
        paragraphs: paragraphs(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    println!("{}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    rt.spawn(serve(listener, web));
    // Blocks until the parent closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// The simulated web in a child process; dropping it stops the server.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(items: usize) -> Server {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--serve", "--items", &items.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the simulated web");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            child,
            addr: line.trim().to_string(),
        }
    }

    /// The server's peak resident memory so far, in MiB.
    fn peak_mib(&self) -> f64 {
        common::pid_status_kib(self.child.id(), "VmHWM:").map_or(f64::NAN, |kb| kb as f64 / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn main() {
    let hosts = arg("--hosts", 1000);
    let items = arg("--items", 10);
    if std::env::args().any(|a| a == "--serve") {
        serve_child(items);
        return;
    }
    let json = std::env::args().any(|a| a == "--json");
    let web = Web {
        items,
        paragraphs: Vec::new(),
    };
    let server = Server::start(items);
    let addr = server.addr.clone();

    let dir = tempfile::tempdir().unwrap();
    let mut catalog = String::new();
    for h in 0..hosts {
        catalog.push_str(&format!(
            "[[source]]\nid = \"h{h}\"\nname = \"Host {h}\"\nhomepage = \"http://h{h}.bench.test/\"\ncountry = \"SG\"\n\
             languages = [\"en\"]\nfeeds = [\"http://h{h}.bench.test/feed.xml\"]\n\n"
        ));
    }
    std::fs::create_dir_all(dir.path().join("sources/sea")).unwrap();
    std::fs::write(dir.path().join("sources/sea/sg.toml"), catalog).unwrap();
    let mut config = Config {
        data_dir: dir.path().join("data"),
        sources_dir: dir.path().join("sources"),
        ..Default::default()
    };
    config.crawl.allow_private = true;
    config.crawl.per_host_interval_ms = 0;
    config.crawl.concurrency = 128;
    config.crawl.timeout_secs = 5;
    config.crawl.max_retries = 0;
    config.crawl.commit_every = 2000;
    config.crawl.resolve = (0..hosts)
        .map(|h| (format!("h{h}.bench.test"), addr.clone()))
        .collect();
    let catalog = Catalog::load(&config.sources_dir).unwrap();

    let crawl_rt = kabar::commands::runtime().unwrap();
    let options = CrawlOptions {
        stop: Arc::new(AtomicBool::new(false)),
        ..Default::default()
    };
    let started = Instant::now();
    let summary = crawl_rt
        .block_on(crawl(&config, &catalog, &options))
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();

    // Check: every healthy article indexed, every faulty host reported right.
    let faulty: Vec<usize> = (0..hosts).filter(|h| web.fault(*h).is_some()).collect();
    let healthy_articles = (hosts - faulty.len()) * items;
    let mut wrong = Vec::new();
    for h in &faulty {
        let fault = web.fault(*h).unwrap();
        let want = FAULTS.iter().find(|(f, _)| *f == fault).unwrap().1;
        let url = format!("http://h{h}.bench.test/feed.xml");
        let got = summary
            .failures
            .iter()
            .find(|f| f.url == url)
            .map(|f| f.kind.as_str());
        if got != Some(want) {
            wrong.push(format!("h{h} ({fault}): want {want}, got {got:?}"));
        }
    }
    let by_kind: BTreeMap<&str, usize> = summary
        .failures_by_kind
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    let rate = summary.articles_indexed as f64 / elapsed;
    // Peak resident memory of this process (the crawler alone), in MiB,
    // and of the server process beside it.
    let peak = common::peak_rss_kib().map_or(f64::NAN, |kb| kb as f64 / 1024.0);
    let server_peak = server.peak_mib();
    drop(server);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "hosts": hosts, "items_per_host": items, "faulty_hosts": faulty.len(),
                "articles_indexed": summary.articles_indexed, "healthy_articles": healthy_articles,
                "elapsed_secs": elapsed, "articles_per_sec": rate, "peak_rss_mib": peak,
                "server_peak_rss_mib": server_peak,
                "failures_by_kind": by_kind, "misreported": wrong,
            })
        );
    } else {
        println!(
            "simulated web: {hosts} hosts x {items} articles (20-200 KB), {} faulty hosts",
            faulty.len()
        );
        println!(
            "indexed {} of {} healthy articles in {:.2} s: {:.0} articles/s end to end",
            summary.articles_indexed, healthy_articles, elapsed, rate
        );
        println!("peak memory of kabar (crawler process): {peak:.0} MiB");
        println!("peak memory of the simulated web (server process): {server_peak:.0} MiB");
        println!("failures by kind: {by_kind:?}");
        println!("faulty hosts reported with the wrong kind: {}", wrong.len());
        for w in wrong.iter().take(10) {
            println!("  {w}");
        }
    }
    if summary.articles_indexed != healthy_articles || !wrong.is_empty() {
        eprintln!("benchmark check failed");
        std::process::exit(1);
    }
}
