#!/usr/bin/env python3
"""The crawl benchmark's simulated web, crawled the way a Python user would
without kabar: urllib3 fetches the feeds and pages (32 threads, like a
thread-pooled requests script), lxml reads the feeds, and trafilatura
extracts each page's text and metadata on a process pool of one worker
per core.

It does less than kabar does per article: no robots.txt, no WARC archive,
no language detection, topics, sentiment, story signatures or search
index. The ratio it gives is therefore kabar's speed against fetching and
extraction alone.

    cargo bench --bench crawl --no-run
    python3 benches/crawl_vs_trafilatura.py target/release/deps/crawl-<hash> [--hosts 1000] [--items 10]

The first argument is the crawl benchmark's binary, which serves the same
simulated web (`--serve`) that `cargo bench --bench crawl` crawls.
"""

import argparse
import concurrent.futures as cf
import os
import resource
import subprocess
import threading
import time
from urllib.parse import urlsplit

import lxml.etree
import trafilatura
import urllib3

FETCH_THREADS = 32
TIMEOUT = urllib3.Timeout(connect=5, read=5)
# The same floor as kabar's `crawl.min_text_chars`.
MIN_TEXT_CHARS = 200


def extract(url, html):
    """Title, text and date of one page, or None when it has no article."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return None
    text = doc.text or ""
    if len(text) < MIN_TEXT_CHARS:
        return None
    return (doc.title, len(text), doc.date)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server", help="the crawl benchmark's binary")
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--items", type=int, default=10)
    args = ap.parse_args()

    server = subprocess.Popen(
        [args.server, "--serve", "--hosts", str(args.hosts), "--items", str(args.items)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    addr = server.stdout.readline().strip()
    http = urllib3.PoolManager(maxsize=FETCH_THREADS, retries=False, timeout=TIMEOUT)

    def get(url):
        """The body of `url` from the simulated web, or None on any failure."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            r = http.request(
                "GET",
                f"http://{addr}{path}",
                headers={"Host": parts.netloc, "User-Agent": "python-crawler"},
                redirect=False,
                preload_content=False,
            )
            body = r.read(5 << 20, decode_content=True)
            complete = r.read(1) == b""
            r.release_conn()
            if r.status != 200 or not complete:
                return None
            return body
        except Exception:
            return None

    cores = os.cpu_count() or 2
    extractors = cf.ProcessPoolExecutor(max_workers=cores)
    # Start the workers (and their imports) before the clock.
    list(extractors.map(abs, range(cores)))
    # The workers' pids (a private attribute, but the only way to them).
    pids = [os.getpid()] + list(extractors._processes)
    peak = [0]
    sampling = [True]

    def sample():
        while sampling[0]:
            peak[0] = max(peak[0], sum(rss_kib(p) for p in pids))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()

    cpu0 = os.times()
    started = time.monotonic()
    failures = 0
    fetched = []
    lock = threading.Lock()

    pool = cf.ThreadPoolExecutor(max_workers=FETCH_THREADS)
    article_futures = []

    # Pages waiting for or in extraction, as kabar bounds them (8 per
    # core): a fetch thread holding a page waits for a slot, so bodies do
    # not pile up in memory ahead of the extractors.
    slots = threading.BoundedSemaphore(8 * cores)

    def fetch_article(url):
        nonlocal failures
        body = get(url)
        if body is None:
            with lock:
                failures += 1
            return None
        slots.acquire()
        future = extractors.submit(extract, url, body)
        future.add_done_callback(lambda _: slots.release())
        with lock:
            fetched.append(url)
        return future

    def crawl_host(h):
        """Fetches a host's feed and queues its articles, so pages are
        fetched while other feeds are still read (as kabar does)."""
        nonlocal failures
        feed = get(f"http://h{h}.bench.test/feed.xml")
        links = []
        if feed is not None:
            try:
                root = lxml.etree.fromstring(feed)
                links = [link.strip() for link in root.xpath("//item/link/text()")]
            except lxml.etree.XMLSyntaxError:
                pass
        if not links:
            with lock:
                failures += 1
        for url in links:
            future = pool.submit(fetch_article, url)
            with lock:
                article_futures.append(future)

    cf.wait([pool.submit(crawl_host, h) for h in range(args.hosts)])
    # Every feed is read, so every article fetch is queued.
    pending = [f.result() for f in article_futures]
    results = [f.result() for f in pending if f is not None]
    pool.shutdown()
    elapsed = time.monotonic() - started
    extractors.shutdown()
    cpu1 = os.times()
    sampling[0] = False
    sampler.join()
    server.stdin.close()
    server.wait()

    articles = sum(1 for r in results if r is not None)
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    cpu += (cpu1.children_user - cpu0.children_user) + (
        cpu1.children_system - cpu0.children_system
    )
    print(
        f"python crawl (urllib3 x{FETCH_THREADS} threads, lxml feeds, trafilatura "
        f"{trafilatura.__version__} on {cores} processes): {args.hosts} hosts x {args.items} articles"
    )
    print(f"articles extracted: {articles} of {len(fetched)} fetched; failures: {failures}")
    print(f"elapsed: {elapsed:.2f} s: {articles / elapsed:.0f} articles/s end to end")
    print(f"CPU (crawler and extraction workers): {cpu:.1f} s, {cpu * 1000 / max(articles, 1):.2f} ms per article")
    print(f"peak memory (sum of crawler and workers, sampled every 100 ms): {peak[0] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
