//! End-to-end crawl benchmark on a simulated web served from loopback.
//!
//! `cargo bench --bench crawl` starts an HTTP server in this process that
//! answers for 1,000 virtual hosts (`h0.bench.test` ... by the Host header;
//! kabar's `crawl.resolve` points them all at the server), each with a feed
//! of 10 articles of 20 to 200 KB, in five languages, built like real news
//! pages (mostly script, style and menus; a few KB of article text). One
//! host in ten is faulty in one of seven ways (slow, 5xx, connection reset,
//! truncated body, endless redirects, huge body, wrong content type). It then runs kabar's real pipeline (fetch,
//! extract, detect, index, commit) with politeness delays at zero and reports
//! articles per second from the first request to the last commit, the
//! process's peak memory, and the status counts, and checks that every
//! healthy article was indexed and every faulty host reported with the
//! right kind. Options: `-- --hosts N --items N --json`, `--parser
//! html5ever` (html5ever's tokenizer instead of kabar's, for comparison),
//! `--no-archive` (the crawl with `[archive] enabled = false`, to measure
//! what the WARC archive costs end to end), `--commit-every N` (the index
//! batch, 2,000 unless given; kabar's default is 200), `--concurrency N`
//! (requests in flight, 128 unless given; kabar's default is 32); `-- --page HOST
//! ITEM` prints one article page instead.
//!
//! The simulated web runs in a child process (this same binary, started
//! with `--serve`), so the peak memory reported for kabar is the crawler's
//! alone; the server's own peak and CPU time are reported beside it, with
//! the share of all cores the two used. Both share the machine's cores, as
//! a real crawl shares them with nothing.
//!
//! `benches/crawl_vs_trafilatura.py` crawls the same simulated web (this
//! binary with `--serve`) with urllib3 and trafilatura, for the ratio
//! against what a Python user would write instead.

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

/// The languages of the simulated hosts (host `h` writes in
/// `LANGS[h % LANGS.len()]`), so analysis meets the scripts kabar's users
/// read, not English alone.
const LANGS: [&str; 5] = ["en", "id", "th", "vi", "ja"];

struct Web {
    items: usize,
    /// Paragraphs per language, in the order of [`LANGS`].
    paragraphs: Vec<Vec<String>>,
}

/// A deterministic pseudo-random number in `0..n` from a seed (SplitMix64),
/// so the server builds the same page for the same URL every time.
fn pick(seed: u64, n: usize) -> usize {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % n.max(1) as u64) as usize
}

impl Web {
    fn fault(&self, host: usize) -> Option<&'static str> {
        (host % FAULTY_EVERY == FAULTY_EVERY - 1)
            .then(|| FAULTS[(host / FAULTY_EVERY) % FAULTS.len()].0)
    }

    /// An article page of 20 to 200 KB, built like the real news pages in
    /// `shared/data/extraction/dev` (193 KB on average, of which about 30 %
    /// is inline script, 16 % style, 4 % SVG icons, 1 % comments, and only
    /// about 4 % article text: median 3.6 KB, mean 8.4 KB). The rest is
    /// markup: menus, related-story lists, wrappers with long class
    /// attributes, a JSON-LD block. The first paragraph is unique to the
    /// article so no two bodies are copies.
    fn article(&self, host: usize, item: usize) -> String {
        let seed = (host as u64) << 20 | item as u64;
        let lang_index = host % LANGS.len();
        let lang = LANGS[lang_index];
        let target = 20_000 + pick(seed, 180_000);
        // Article text: 1.5 KB plus a long tail (cube of a uniform number),
        // median about 5 KB, mean about 8.5 KB, but never most of the page.
        let r = pick(seed ^ 0xA5A5, 10_000) as f64 / 10_000.0;
        let text_bytes = (1_500.0 + 28_000.0 * r * r * r).min(target as f64 * 0.4) as usize;
        let rest = target.saturating_sub(text_bytes);

        let mut html = String::with_capacity(target + 4096);
        html.push_str(&format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Story {item} from host {host} | Bench News</title>\
             <meta property=\"og:title\" content=\"Story {item} from host {host}\">\
             <meta property=\"og:type\" content=\"article\">\
             <meta property=\"article:published_time\" content=\"2025-03-{day:02}T08:00:00+08:00\">\
             <link rel=\"canonical\" href=\"http://h{host}.bench.test/a/{item}.html\">\
             <script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\
             \"headline\":\"Story {item} from host {host}\",\"datePublished\":\"2025-03-{day:02}T08:00:00+08:00\",\
             \"author\":{{\"@type\":\"Person\",\"name\":\"Desk {host}\"}}}}</script>",
            day = 1 + item % 28,
        ));
        push_style(&mut html, rest * 17 / 100, seed);
        push_script(&mut html, rest * 16 / 100, seed);
        html.push_str(
            "</head><body class=\"page page--article theme-light\"><!-- header start -->",
        );
        push_menu(&mut html, "nav", rest * 20 / 100, seed, host);
        push_icons(&mut html, rest * 4 / 100);
        html.push_str(
            "<div class=\"cookie-banner consent consent--bottom\" role=\"dialog\"><p>We use cookies to \
             improve your experience.</p><button class=\"btn btn--primary\">Accept</button></div>\
             <main class=\"layout layout--main\"><div class=\"container grid grid--article\">\
             <article class=\"article article--standard\" itemscope itemtype=\"https://schema.org/NewsArticle\">",
        );
        html.push_str(&format!(
            "<header class=\"article__header\"><h1 class=\"article__title\">Story {item} from host {host}</h1>\
             <div class=\"article__byline byline\"><span class=\"byline__author\">Desk {host}</span>\
             <time datetime=\"2025-03-{day:02}T08:00:00+08:00\">March {day}, 2025</time></div></header>\
             <div class=\"article__body body-copy\"><p>{}</p>",
            unique_lead(lang_index, host, item),
            day = 1 + item % 28,
        ));
        let paragraphs = &self.paragraphs[lang_index];
        let body_start = html.len();
        let mut i = pick(seed ^ 0x5A5A, paragraphs.len());
        let mut n = 0;
        while html.len() - body_start < text_bytes {
            html.push_str("<p>");
            html.push_str(&paragraphs[i % paragraphs.len()]);
            html.push_str("</p>");
            n += 1;
            i += 1;
            // An inline ad slot and a figure inside the body, as real
            // article templates have.
            if n == 3 {
                html.push_str(
                    "<div class=\"ad ad--inline\" data-slot=\"mid-1\"><span class=\"ad__label\">Advertisement</span></div>\
                     <figure class=\"article__figure\"><img src=\"/img/photo.jpg\" alt=\"\" loading=\"lazy\" width=\"800\" height=\"450\">\
                     <figcaption>File photo.</figcaption></figure>",
                );
            }
        }
        html.push_str("</div></article><aside class=\"sidebar related\"><h2>Related</h2>");
        push_menu(&mut html, "ul", rest * 12 / 100, seed ^ 1, host);
        html.push_str("</aside></div></main><!-- footer start --><footer class=\"site-footer\">");
        push_menu(&mut html, "ul", rest * 9 / 100, seed ^ 2, host);
        html.push_str("<p class=\"site-footer__copy\">Copyright Bench News</p></footer>");
        // Trackers and app bundles at the end of the body fill the page up
        // to its size.
        let filler = target.saturating_sub(html.len() + 40);
        push_script(&mut html, filler, seed ^ 3);
        html.push_str("</body></html>");
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

/// A first paragraph no other article has, in the host's language.
fn unique_lead(lang_index: usize, host: usize, item: usize) -> String {
    match LANGS[lang_index] {
        "id" => format!(
            "Regulator di host {host} membuka kasus nomor {item}-{host} terkait iklan di platform tersebut, kata pejabat pada hari Senin."
        ),
        "th" => format!(
            "หน่วยงานกำกับดูแลของโฮสต์ {host} เปิดการสอบสวนคดีหมายเลข {item}-{host} เกี่ยวกับโฆษณาบนแพลตฟอร์ม เจ้าหน้าที่กล่าวเมื่อวันจันทร์"
        ),
        "vi" => format!(
            "Cơ quan quản lý tại máy chủ {host} đã mở vụ việc số {item}-{host} liên quan đến quảng cáo trên nền tảng, các quan chức cho biết hôm thứ Hai."
        ),
        "ja" => format!(
            "ホスト{host}の規制当局は、プラットフォーム上の広告をめぐり事件番号{item}-{host}の調査を始めたと月曜日に発表した。"
        ),
        _ => format!(
            "Regulators on host {host} opened case number {item}-{host} into advertising on the platform, officials said on Monday."
        ),
    }
}

/// An inline stylesheet of about `bytes` bytes.
fn push_style(html: &mut String, bytes: usize, seed: u64) {
    html.push_str("<style>");
    let end = html.len() + bytes;
    let mut k = seed as usize;
    while html.len() < end {
        html.push_str(&format!(
            ".c-{k:x} > .item:hover,.c-{k:x}__title{{margin:0 auto;padding:{}px {}px;color:#{:06x};\
             font:600 1rem/1.4 \"Noto Sans\",sans-serif}}@media (min-width:768px){{.c-{k:x}{{display:grid}}}}",
            k % 16,
            k % 24,
            k % 0xFFFFFF
        ));
        k = k.wrapping_mul(31).wrapping_add(7);
    }
    html.push_str("</style>");
}

/// An inline script of about `bytes` bytes: tracker code and a JSON state
/// blob, with the `<`, `>` and quotes that real bundles carry.
fn push_script(html: &mut String, bytes: usize, seed: u64) {
    html.push_str("<script>window.dataLayer=window.dataLayer||[];");
    let end = html.len() + bytes;
    let mut k = seed as usize;
    while html.len() < end {
        html.push_str(&format!(
            "function f{k:x}(e,t){{for(var n=0;n<e.length;n++){{if(e[n]>t)return \"<div class='x'>\"+e[n]+\"</div>\"}}return null}}\
             window.__STATE__=window.__STATE__||{{}};window.__STATE__[\"k{k:x}\"]={{\"id\":{k},\"slot\":\"top-{}\",\"sizes\":[[300,250],[728,90]]}};",
            k % 9
        ));
        k = k.wrapping_mul(31).wrapping_add(11);
    }
    html.push_str("</script>");
}

/// A navigation menu or list of related links of about `bytes` bytes.
fn push_menu(html: &mut String, tag: &str, bytes: usize, seed: u64, host: usize) {
    html.push_str(&format!(
        "<{tag} class=\"menu menu--{tag}\"><ul class=\"menu__list\">"
    ));
    let end = html.len() + bytes;
    let mut i = (seed % 97) as usize;
    while html.len() < end {
        html.push_str(&format!(
            "<li class=\"menu__item menu__item--level-1\"><a class=\"menu__link\" href=\"http://h{host}.bench.test/section/topic-{i}\" \
             data-track=\"nav-{i}\">Section {i} news</a></li>"
        ));
        i += 1;
    }
    html.push_str(&format!("</ul></{tag}>"));
}

/// Inline SVG icons of about `bytes` bytes.
fn push_icons(html: &mut String, bytes: usize) {
    let end = html.len() + bytes;
    while html.len() < end {
        html.push_str(
            "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\" aria-hidden=\"true\">\
             <path d=\"M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-6h2v6zm0-8h-2V7h2v2z\"/></svg>",
        );
    }
}

/// Paragraphs of four sentences each, per language in [`LANGS`] order.
fn paragraphs() -> Vec<Vec<String>> {
    let en = [
        "The agency said it had received more than two thousand complaints about investment advertisements that used the faces of well-known business leaders without their consent.",
        "Several platforms removed the advertisements within hours of being notified, but new versions appeared the following day under different account names.",
        "Consumer groups called for advertisers to be verified before their campaigns go live, arguing that takedowns after the fact leave too many victims.",
        "A spokesperson for one marketplace said its live-shopping sellers must now pass an identity check and keep records of every transaction for two years.",
        "Payment providers reported a sharp rise in refund requests linked to online loan offers that promised approval within minutes and no credit checks.",
        "The central bank reminded the public that only licensed lenders may advertise credit products, and that unlicensed operators face fines and blocking.",
        "Creators on the video platform said payouts for the quarter had been delayed by as much as six weeks, and that support tickets went unanswered.",
        "Analysts expect the new rules to raise compliance costs for smaller advertisers while reducing the volume of fraudulent campaigns over time.",
    ];
    let id = [
        "Otoritas Jasa Keuangan menerima lebih dari dua ribu pengaduan tentang iklan investasi yang memakai wajah tokoh bisnis terkenal tanpa izin.",
        "Beberapa platform menghapus iklan tersebut dalam hitungan jam setelah diberi tahu, tetapi versi baru muncul keesokan harinya dengan nama akun berbeda.",
        "Kelompok konsumen meminta agar pengiklan diverifikasi sebelum kampanye mereka tayang, karena penghapusan setelah kejadian meninggalkan terlalu banyak korban.",
        "Penyedia pembayaran melaporkan lonjakan permintaan pengembalian dana terkait tawaran pinjaman online yang menjanjikan persetujuan dalam hitungan menit.",
        "Bank Indonesia mengingatkan masyarakat bahwa hanya lembaga berizin yang boleh mengiklankan produk kredit, dan operator tanpa izin akan diblokir.",
        "Para kreator di platform video mengatakan pembayaran untuk kuartal ini tertunda hingga enam minggu dan tiket bantuan tidak dijawab.",
    ];
    let th = [
        "สำนักงานคณะกรรมการคุ้มครองผู้บริโภคได้รับเรื่องร้องเรียนมากกว่าสองพันเรื่องเกี่ยวกับโฆษณาชวนลงทุนที่ใช้ภาพนักธุรกิจชื่อดังโดยไม่ได้รับอนุญาต",
        "แพลตฟอร์มหลายแห่งลบโฆษณาดังกล่าวภายในไม่กี่ชั่วโมงหลังได้รับแจ้ง แต่โฆษณาชุดใหม่ก็ปรากฏขึ้นอีกในวันรุ่งขึ้นภายใต้ชื่อบัญชีอื่น",
        "ธนาคารแห่งประเทศไทยเตือนประชาชนว่าเฉพาะผู้ให้บริการสินเชื่อที่ได้รับอนุญาตเท่านั้นที่สามารถโฆษณาสินเชื่อได้",
        "ครีเอเตอร์บนแพลตฟอร์มวิดีโอระบุว่าการจ่ายเงินรายได้ประจำไตรมาสล่าช้าถึงหกสัปดาห์ และไม่มีใครตอบคำร้องเรียน",
        "ผู้ให้บริการชำระเงินรายงานว่าคำขอคืนเงินที่เกี่ยวกับข้อเสนอเงินกู้ออนไลน์เพิ่มขึ้นอย่างมาก",
        "นักวิเคราะห์คาดว่ากฎใหม่จะทำให้ต้นทุนของผู้ลงโฆษณารายเล็กสูงขึ้น แต่จะช่วยลดแคมเปญหลอกลวงในระยะยาว",
    ];
    let vi = [
        "Cơ quan quản lý cho biết đã nhận được hơn hai nghìn đơn khiếu nại về các quảng cáo đầu tư sử dụng hình ảnh doanh nhân nổi tiếng mà không có sự đồng ý.",
        "Nhiều nền tảng đã gỡ bỏ các quảng cáo này trong vòng vài giờ sau khi được thông báo, nhưng phiên bản mới lại xuất hiện vào ngày hôm sau.",
        "Ngân hàng Nhà nước nhắc nhở người dân rằng chỉ các tổ chức được cấp phép mới được quảng cáo sản phẩm cho vay.",
        "Các nhà sáng tạo nội dung cho biết khoản thanh toán của quý đã bị chậm tới sáu tuần và yêu cầu hỗ trợ không được trả lời.",
        "Các nhóm bảo vệ người tiêu dùng kêu gọi xác minh nhà quảng cáo trước khi chiến dịch được phát hành.",
        "Giới phân tích cho rằng quy định mới sẽ làm tăng chi phí tuân thủ nhưng giảm số lượng chiến dịch lừa đảo.",
    ];
    let ja = [
        "消費者庁は、著名な経営者の写真を無断で使った投資広告について、二千件を超える苦情を受けたと明らかにした。",
        "複数のプラットフォームは通知から数時間以内に広告を削除したが、翌日には別のアカウント名で新しい広告が現れた。",
        "金融庁は、登録を受けた業者だけが融資商品を広告できると改めて注意を呼びかけた。",
        "動画配信サービスのクリエイターは、四半期の収益の支払いが最大で六週間遅れたと訴えている。",
        "決済事業者は、数分で審査が通るとうたうオンライン融資に関連した返金の申請が急増したと報告した。",
        "専門家は、新たな規則によって小規模な広告主の負担は増えるものの、詐欺的な広告は減るとみている。",
    ];
    let groups: [&[&str]; 5] = [&en, &id, &th, &vi, &ja];
    groups
        .iter()
        .map(|sentences| {
            (0..sentences.len())
                .map(|i| {
                    (0..4)
                        .map(|k| sentences[(i + k) % sentences.len()])
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

/// A minimal HTTP/1.1 server: enough for kabar's client, and free to
/// misbehave in the ways real servers do.
async fn serve(listener: TcpListener, web: Arc<Web>, built: Arc<Prebuilt>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let web = Arc::clone(&web);
        let built = Arc::clone(&built);
        tokio::spawn(async move {
            let _ = connection(stream, web, built).await;
        });
    }
}

/// A whole HTTP/1.1 response: status line, the two headers kabar reads, body.
fn http_response(status: &str, ctype: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// A host's healthy feed response.
fn feed_response(web: &Web, host: usize) -> Vec<u8> {
    http_response("200 OK", "application/rss+xml", web.feed(host).as_bytes())
}

/// A host's healthy article page response.
fn article_response(web: &Web, host: usize, item: usize) -> Vec<u8> {
    http_response(
        "200 OK",
        "text/html; charset=utf-8",
        web.article(host, item).as_bytes(),
    )
}

/// The healthy responses, every host's feed and article pages, built
/// before the clock starts. A static web server sends files it already
/// has; building 1 GB of pages while the crawl ran took the server about
/// 0.7 s of CPU a run (0.08 ms per article), on the cores the crawler is
/// measured on.
struct Prebuilt {
    /// `feeds[host]`.
    feeds: Vec<Vec<u8>>,
    /// `articles[host][item]`.
    articles: Vec<Vec<Vec<u8>>>,
}

impl Prebuilt {
    /// Builds the responses of hosts `0..hosts`, split over every core.
    fn build(web: &Web, hosts: usize) -> Prebuilt {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = hosts.div_ceil(threads).max(1);
        let mut built: Vec<(Vec<u8>, Vec<Vec<u8>>)> = Vec::with_capacity(hosts);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..hosts)
                .step_by(per_thread)
                .map(|first| {
                    scope.spawn(move || {
                        (first..(first + per_thread).min(hosts))
                            .map(|host| {
                                let articles = (0..web.items)
                                    .map(|item| article_response(web, host, item))
                                    .collect();
                                (feed_response(web, host), articles)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for part in parts {
                built.extend(part.join().expect("page builder"));
            }
        });
        let (feeds, articles) = built.into_iter().unzip();
        Prebuilt { feeds, articles }
    }
}

async fn connection(
    mut stream: TcpStream,
    web: Arc<Web>,
    built: Arc<Prebuilt>,
) -> std::io::Result<()> {
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

        let fault = if path == "/feed.xml" || path.starts_with("/r/") {
            web.fault(host)
        } else {
            None
        };
        let response = match (fault, path.as_str()) {
            (_, "/robots.txt") => http_response("404 Not Found", "text/plain", b"none"),
            (Some("slow"), _) => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return Ok(());
            }
            (Some("5xx"), _) => http_response("500 Internal Server Error", "text/plain", b"oops"),
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
                http_response("200 OK", "application/rss+xml", &body)
            }
            (Some("wrong-type"), _) => http_response(
                "200 OK",
                "image/png",
                &[0x89, b'P', b'N', b'G', 0, 1, 2, 3, 0xff, 0xfe],
            ),
            (_, "/feed.xml") => match built.feeds.get(host) {
                Some(prebuilt) => {
                    stream.write_all(prebuilt).await?;
                    continue;
                }
                None => feed_response(&web, host),
            },
            (_, p) if p.starts_with("/a/") => {
                let item: usize = p[3..].trim_end_matches(".html").parse().unwrap_or(0);
                match built.articles.get(host).and_then(|a| a.get(item)) {
                    Some(prebuilt) => {
                        stream.write_all(prebuilt).await?;
                        continue;
                    }
                    None => article_response(&web, host, item),
                }
            }
            _ => http_response("404 Not Found", "text/plain", b"not found"),
        };
        stream.write_all(&response).await?;
    }
}

/// What this process has used so far: CPU time in seconds (user plus
/// system, and the system part alone) and minor page faults.
struct Usage {
    cpu: f64,
    sys: f64,
    minor_faults: f64,
}

fn process_usage() -> Usage {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Usage {
            cpu: f64::NAN,
            sys: f64::NAN,
            minor_faults: f64::NAN,
        };
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Usage {
        cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
        sys: secs(usage.ru_stime),
        minor_faults: usage.ru_minflt as f64,
    }
}

/// The value after `name` on the command line.
fn arg_value(name: &str) -> Option<String> {
    let mut args = std::env::args().skip_while(|a| a != name);
    args.next();
    args.next()
}

fn arg(name: &str, default: usize) -> usize {
    arg_value(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Server mode (`--serve`): binds a loopback port, prints its address on
/// the first line of stdout, and serves until stdin closes (the parent
/// exited or is done).
fn serve_child(hosts: usize, items: usize) {
    let web = Arc::new(Web {
        items,
        paragraphs: paragraphs(),
    });
    let built = Arc::new(Prebuilt::build(&web, hosts));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    println!("{}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    rt.spawn(serve(listener, web, built));
    // Blocks until the parent closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// The simulated web in a child process; dropping it stops the server.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(hosts: usize, items: usize) -> Server {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--serve",
                "--hosts",
                &hosts.to_string(),
                "--items",
                &items.to_string(),
            ])
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

    /// The server's user plus system CPU time so far, in seconds, from
    /// `/proc/PID/stat` (fields 14 and 15, in clock ticks); NaN where there
    /// is no /proc. The server shares the cores with the crawler, so its
    /// time is what the machine could not give kabar.
    fn cpu_secs(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())) else {
            return f64::NAN;
        };
        // The command name (field 2) is in parentheses and may hold spaces;
        // the fields after its closing parenthesis start at field 3.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return f64::NAN;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<u64>().ok());
        // SAFETY: sysconf reads a constant of the system.
        let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        match (ticks(14), ticks(15)) {
            (Some(user), Some(system)) if per_sec > 0 => (user + system) as f64 / per_sec as f64,
            _ => f64::NAN,
        }
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
        serve_child(hosts, items);
        return;
    }
    // `--page HOST ITEM` prints one article page, to look at what the
    // simulated web serves (and run `kabar extract` on it).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--page") {
        let number = |k: usize| args.get(i + k).and_then(|v| v.parse().ok()).unwrap_or(0);
        let web = Web {
            items,
            paragraphs: paragraphs(),
        };
        print!("{}", web.article(number(1), number(2)));
        return;
    }
    let json = std::env::args().any(|a| a == "--json");
    // `--parser html5ever`: html5ever's own tokenizer instead of kabar's
    // (extract::parse), to measure the two side by side.
    let parser = arg_value("--parser").unwrap_or_else(|| "kabar".to_string());
    kabar::extract::parse::use_html5ever_only(parser == "html5ever");
    let archive = !std::env::args().any(|a| a == "--no-archive");
    let web = Web {
        items,
        paragraphs: Vec::new(),
    };
    let server = Server::start(hosts, items);
    let addr = server.addr.clone();

    let dir = tempfile::tempdir().unwrap();
    let mut catalog = String::new();
    for h in 0..hosts {
        catalog.push_str(&format!(
            "[[source]]\nid = \"h{h}\"\nname = \"Host {h}\"\nhomepage = \"http://h{h}.bench.test/\"\ncountry = \"SG\"\n\
             languages = [\"{}\"]\nfeeds = [\"http://h{h}.bench.test/feed.xml\"]\n\n",
            LANGS[h % LANGS.len()]
        ));
    }
    std::fs::create_dir_all(dir.path().join("sources/sea")).unwrap();
    std::fs::write(dir.path().join("sources/sea/sg.toml"), catalog).unwrap();
    let mut config = Config {
        data_dir: dir.path().join("data"),
        sources_dir: dir.path().join("sources"),
        ..Default::default()
    };
    config.archive.enabled = archive;
    config.crawl.allow_private = true;
    config.crawl.per_host_interval_ms = 0;
    config.crawl.concurrency = arg("--concurrency", 128);
    config.crawl.timeout_secs = 5;
    config.crawl.max_retries = 0;
    config.crawl.commit_every = arg("--commit-every", 2000);
    config.crawl.resolve = (0..hosts)
        .map(|h| (format!("h{h}.bench.test"), addr.clone()))
        .collect();
    let catalog = Catalog::load(&config.sources_dir).unwrap();

    let crawl_rt = kabar::commands::runtime().unwrap();
    let options = CrawlOptions {
        stop: Arc::new(AtomicBool::new(false)),
        ..Default::default()
    };
    // CPU spent before the crawl (the server building its pages, this
    // process setting up) is not the run's, so the busy share counts from here.
    let server_cpu_before = server.cpu_secs();
    let before = process_usage();
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
    // CPU time of this process (the crawler alone), which holds better than
    // the wall clock when other work shares the cores.
    let usage = process_usage();
    let cpu = usage.cpu;
    let cpu_ms_per_article = cpu * 1000.0 / summary.articles_indexed.max(1) as f64;
    // Share of the crawl's CPU spent in the kernel, and pages first touched
    // per article: freed memory the allocator gave back and then needed
    // again costs a page fault per 4 KiB, which these two make visible.
    let sys_share = (usage.sys - before.sys) / (cpu - before.cpu);
    let faults_per_article =
        (usage.minor_faults - before.minor_faults) / summary.articles_indexed.max(1) as f64;
    // Peak resident memory of this process (the crawler alone), in MiB,
    // and of the server process beside it.
    let peak = common::peak_rss_kib().map_or(f64::NAN, |kb| kb as f64 / 1024.0);
    let server_peak = server.peak_mib();
    let server_cpu = server.cpu_secs() - server_cpu_before;
    drop(server);
    // How much of the machine's CPU the run used: crawler and server
    // together, against every core for the whole run. Well under 100 %
    // means the pipeline waited; near it means only less work per article
    // makes it faster.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let machine_busy = (cpu - before.cpu + server_cpu) / (elapsed * cores as f64);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "hosts": hosts, "items_per_host": items, "faulty_hosts": faulty.len(), "parser": parser,
                "archive": archive,
                "articles_indexed": summary.articles_indexed, "healthy_articles": healthy_articles,
                "elapsed_secs": elapsed, "articles_per_sec": rate, "peak_rss_mib": peak,
                "cpu_secs": cpu, "cpu_ms_per_article": cpu_ms_per_article,
                "kernel_cpu_share": sys_share, "minor_faults_per_article": faults_per_article,
                "server_peak_rss_mib": server_peak, "server_cpu_secs": server_cpu,
                "cores": cores, "machine_cpu_share": machine_busy,
                "failures_by_kind": by_kind, "misreported": wrong,
            })
        );
    } else {
        println!(
            "simulated web: {hosts} hosts x {items} articles (20-200 KB pages, en/id/th/vi/ja), {} faulty hosts; HTML tokenizer: {parser}; WARC archive: {}",
            faulty.len(),
            if archive { "on" } else { "off" }
        );
        println!(
            "indexed {} of {} healthy articles in {:.2} s: {:.0} articles/s end to end",
            summary.articles_indexed, healthy_articles, elapsed, rate
        );
        println!(
            "CPU time of kabar (crawler process): {cpu:.1} s, {cpu_ms_per_article:.2} ms per article; {:.0} % of the crawl's in the kernel; {faults_per_article:.0} minor page faults per article",
            sys_share * 100.0
        );
        println!(
            "CPU time of the simulated web (server process) during the crawl: {server_cpu:.1} s; crawler and server used {:.0} % of {cores} cores",
            machine_busy * 100.0
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
